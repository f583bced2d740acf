import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { FileStore } from '@/storage/file-store.port';
import { readCppStatut, ReadFactureStatut, ReadFluxStatut } from '@/status-return/cpp-statut.reader';
import { CppStatutSchema } from '@/status-return/cpp-statut.schema';
import { sha256Hex } from '@/status-return/status-flow-writer.service';
import { StatusFlowsRepository } from '@/status-return/status-flows.repository';

export type StatusLineOutcome = 'recorded' | 'unchanged' | 'unknown-status' | 'invoice-not-found' | 'ambiguous-invoice';

export interface StatusLineReport {
  numOrdre: number | null;
  idFacture: string;
  idStatut: string;
  cppStatus: string | null;
  outcome: StatusLineOutcome;
  invoiceId?: string;
  message: string;
}

export interface StatusImportReport {
  flowId: string | null;
  fileName: string;
  sha256: string;
  idFlx: string | null;
  /** rejected: not valid against CPPStatutPivot_V1_19; flow-level: a CPPFluxStatuts block (no invoice status). */
  result: 'imported' | 'rejected' | 'flow-level';
  alreadyImported: boolean;
  errors: string[];
  statuses: StatusLineReport[];
  fluxStatuses: ReadFluxStatut[];
  counts: { recorded: number; unchanged: number; unknownStatus: number; notFound: number };
}

/**
 * Import of a CPPStatut flow produced by another tool: each CPPFactureStatutUnitaire is recorded on the
 * matching invoice (supplier + number, narrowed by debtor and date), through the workflow when bound
 * (InvoiceWorkflowPort.onChorusProStatus, which may move the state), else as history + cpp_status.
 * Undocumented IdStatut (13–41) are reported, never guessed; a CPPFluxStatuts block concerns a whole flow
 * and is reported as such. The same file imported twice is recorded once.
 */
@Injectable()
export class StatusFlowImportService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly flows: StatusFlowsRepository,
    private readonly schema: CppStatutSchema,
    private readonly store: FileStore,
    private readonly clock: Clock,
    @Optional() private readonly workflow?: InvoiceWorkflowPort,
  ) {}

  async importFile(path: string, actor: string): Promise<StatusImportReport> {
    return this.importContent(await readFile(path), basename(path), actor);
  }

  async importContent(content: Buffer, fileName: string, actor: string): Promise<StatusImportReport> {
    const sha256 = sha256Hex(content);
    const previous = await this.flows.findImportBySha(sha256);
    if (previous?.report) return { ...(previous.report as unknown as StatusImportReport), flowId: previous.id, alreadyImported: true };

    const xml = content.toString('utf8');
    const read = readCppStatut(xml);
    const xsdErrors = read.kind === 'schema-invalid' ? [] : await this.schema.validate(xml);
    const report: StatusImportReport = {
      flowId: null,
      fileName,
      sha256,
      idFlx: read.kind === 'schema-invalid' ? null : (read.envelope.idFlx ?? null),
      result: 'imported',
      alreadyImported: false,
      errors: [],
      statuses: [],
      fluxStatuses: [],
      counts: { recorded: 0, unchanged: 0, unknownStatus: 0, notFound: 0 },
    };
    const stored = await this.store.put(content);
    return this.uow.run(async (em) => {
      const now = this.clock.now();
      if (read.kind === 'schema-invalid' || xsdErrors.length) {
        report.result = 'rejected';
        report.errors = read.kind === 'schema-invalid' ? read.errors : xsdErrors;
      } else if (read.kind === 'flux') {
        report.result = 'flow-level';
        report.fluxStatuses = read.fluxStatuses;
        report.errors = [
          `Bloc de niveau flux (CPPFluxStatuts) : statut(s) ${read.fluxStatuses.map((f) => `${f.idStatut} « ${f.label} » du flux ${f.idFlux}`).join(', ')} — aucun statut de facture`,
        ];
      } else {
        for (const status of read.statuses) report.statuses.push(await this.applyOne(em, status, actor, now, fileName));
      }
      for (const s of report.statuses) {
        if (s.outcome === 'recorded') report.counts.recorded++;
        else if (s.outcome === 'unchanged') report.counts.unchanged++;
        else if (s.outcome === 'unknown-status') report.counts.unknownStatus++;
        else report.counts.notFound++;
      }
      report.flowId = await this.flows.insert(em, {
        direction: 'in',
        fileName,
        idFlx: report.idFlx,
        dtPrd: read.kind === 'schema-invalid' ? null : (read.envelope.dtPrd ?? null),
        sha256,
        storageKey: stored.key,
        size: content.length,
        structureId: null,
        statusCount: report.counts.recorded,
        outboxIds: [],
        filters: null,
        report: report as unknown as Record<string, unknown>,
        createdBy: actor,
        createdAt: now,
      });
      return report;
    });
  }

  private async applyOne(em: EntityManager, s: ReadFactureStatut, actor: string, now: Date, fileName: string): Promise<StatusLineReport> {
    const base = { numOrdre: s.numOrdre, idFacture: s.idFacture, idStatut: s.idStatut, cppStatus: s.cppStatus };
    if (!s.cppStatus) {
      return { ...base, outcome: 'unknown-status', message: `IdStatut ${s.idStatut} non documenté (CPPStatutPivot_V1_19 : 01 à 12) : statut non enregistré` };
    }
    const candidates: Array<{ id: string; cppStatus: string | null; debtorId: string; issueDate: string }> = await em.query(
      `SELECT id, cpp_status AS "cppStatus", debtor_id AS "debtorId", issue_date AS "issueDate"
         FROM invoices WHERE number = $1 AND supplier_id = $2 FOR UPDATE`,
      [s.idFacture, s.supplier.id],
    );
    let matches = candidates.filter((c) => c.debtorId === s.debtor.id);
    if (matches.length > 1 && s.dateFacture) matches = matches.filter((c) => String(c.issueDate).slice(0, 10) === s.dateFacture);
    if (matches.length === 0) {
      return { ...base, outcome: 'invoice-not-found', message: `Facture ${s.idFacture} du fournisseur ${s.supplier.id} pour ${s.debtor.id} inconnue` };
    }
    if (matches.length > 1) return { ...base, outcome: 'ambiguous-invoice', message: `Plusieurs factures ${s.idFacture} : préciser DateFacture` };
    const invoice = matches[0];
    const details = { source: 'CPPStatut', fileName, idStatut: s.idStatut, horodatage: s.timestamp, commentaire: s.comment, complement: s.complement, idMandatDP: s.idMandatDP };
    if (invoice.cppStatus === s.cppStatus) {
      return { ...base, outcome: 'unchanged', invoiceId: invoice.id, message: `Statut ${s.cppStatus} déjà connu` };
    }
    if (this.workflow) {
      await this.workflow.onChorusProStatus(em, invoice.id, s.cppStatus, { actor, details });
    } else {
      await em.query(`UPDATE invoices SET cpp_status = $2, updated_at = $3, row_version = row_version + 1 WHERE id = $1`, [invoice.id, s.cppStatus, now]);
      await em.query(
        `INSERT INTO invoice_history (invoice_id, step, label, actor, at, details) VALUES ($1, 'CPP_STATUS', 'Statut Chorus Pro reçu', $2, $3, $4)`,
        [invoice.id, actor, now, JSON.stringify({ ...details, cppStatus: s.cppStatus, previousCppStatus: invoice.cppStatus })],
      );
    }
    return { ...base, outcome: 'recorded', invoiceId: invoice.id, message: `Statut ${s.cppStatus} enregistré` };
  }
}
