import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { In } from 'typeorm';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProTooLargeError } from '@/chorus-pro/chorus-pro.errors';
import { ChorusProCallContext, FactureRecipiendaire, TechnicalAccount, TypeDemandePaiement } from '@/chorus-pro/chorus-pro.types';
import { DomainError } from '@/common/errors/domain.error';
import { describeError } from '@/common/errors/error-description';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { IngestionService } from '@/ingestion/ingestion.service';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { planDownloadGroups } from '@/pull/download-groups';
import { PullError, PullProgress } from '@/pull/pull.types';

export interface StructurePullResult {
  apiCalls: number;
  invoices: { created: number; updated: number; duplicates: number; withAnomalies: number };
  /** Problems with single invoices (bad pivot, too large): reported, the window still advances. */
  errors: PullError[];
  /** Problems that must be retried (status not recorded): the window does not advance. */
  blocking: PullError[];
  /** Where the time went (benchmark): waiting for the import, recording statuses. */
  timings: { importMs: number; statusMs: number };
}

export function emptyStructureResult(): StructurePullResult {
  return { apiCalls: 0, invoices: { created: 0, updated: 0, duplicates: 0, withAnomalies: 0 }, errors: [], blocking: [], timings: { importMs: 0, statusMs: 0 } };
}

interface Downloaded {
  path: string | null;
  ids: number[];
}

const TYPES: TypeDemandePaiement[] = ['FACTURE', 'FACTURE_TRAVAUX'];
const ACTOR = 'Chorus Pro';

/**
 * Pulls one structure for one window: searches the invoices whose status changed (FACTURE and FACTURE_TRAVAUX,
 * every page), downloads the unknown ones as PIVOT in groups sized from `taille` (a 413 splits the group),
 * imports each group through the inbox pipeline (source 'api'), then hands every status that differs from
 * the stored one to the invoice workflow (one transaction per invoice, with its history step).
 * Downloads run ahead of the import, a few at a time, so the API is used at its rate while the database works.
 */
@Injectable()
export class StructurePuller {
  private readonly logger = new Logger('Pull');

  constructor(
    private readonly api: ChorusProApi,
    private readonly ingestion: IngestionService,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    @Optional() @Inject(InvoiceWorkflowPort) private readonly workflow: InvoiceWorkflowPort | null,
  ) {}

  async pull(
    siret: string,
    account: TechnicalAccount,
    window: { from: Date; to: Date },
    /** Filled as the pull goes, so that a failure still tells what was done (calls, imports). */
    result: StructurePullResult = emptyStructureResult(),
    onProgress?: (e: PullProgress) => void,
  ): Promise<StructurePullResult> {
    const ctx: ChorusProCallContext = { account, onCall: () => result.apiCalls++ };
    onProgress?.({ siret, phase: 'search', done: 0, total: 0 });
    const entries = await this.search(ctx, window);
    const total = entries.length;
    let done = 0;

    const known = await this.knownByCproId(entries.map((e) => String(e.idFacture)));
    const fresh = entries.filter((e) => !known.has(String(e.idFacture)));
    for (const entry of entries) {
      const invoice = known.get(String(entry.idFacture));
      if (!invoice) continue;
      if (await this.applyStatus(siret, invoice, entry, result)) result.invoices.updated++;
      onProgress?.({ siret, phase: 'status', done: ++done, total });
    }

    const groups = planDownloadGroups(fresh, this.config.chorusPro.groupMaxBytes, this.config.chorusPro.groupMaxInvoices);
    await this.downloadAndImport(siret, ctx, groups, result, (n) => onProgress?.({ siret, phase: 'download', done: (done += n), total }));

    // Newly imported invoices get the status the search reported (recorded by the workflow).
    const imported = await this.knownByCproId(fresh.map((e) => String(e.idFacture)));
    for (const entry of fresh) {
      const invoice = imported.get(String(entry.idFacture));
      if (invoice) await this.applyStatus(siret, invoice, entry, result);
    }
    onProgress?.({ siret, phase: 'done', done: total, total });
    return result;
  }

  private async search(ctx: ChorusProCallContext, window: { from: Date; to: Date }): Promise<FactureRecipiendaire[]> {
    const byId = new Map<number, FactureRecipiendaire>();
    const pageSize = this.config.chorusPro.pageSize;
    for (const type of TYPES) {
      const request = (page: number) =>
        this.api.rechercherFacturesRecipiendaire(ctx, {
          typeDemandePaiement: type,
          periodeDateHeureEtatCourantDu: window.from.toISOString(),
          periodeDateHeureEtatCourantAu: window.to.toISOString(),
          recupererTaille: true,
          paramRecherche: { pageResultatDemandee: page, nbResultatsParPage: pageSize, triColonne: 'IdFacture', triSens: 'Ascendant' },
        });
      const first = await request(1);
      const pages = [first];
      // The other pages are independent: asked together, the shared quota spaces them out.
      const count = first.pages ?? (first.listeFactures.length === pageSize ? 2 : 1);
      const rest = await Promise.all(Array.from({ length: Math.max(0, count - 1) }, (_, i) => request(i + 2)));
      pages.push(...rest);
      for (const page of pages) {
        for (const entry of page.listeFactures) {
          const previous = byId.get(entry.idFacture);
          if (!previous || (entry.dateHeureEtatCourant ?? '') >= (previous.dateHeureEtatCourant ?? '')) byId.set(entry.idFacture, entry);
        }
      }
    }
    return [...byId.values()].sort((a, b) => a.idFacture - b.idFacture);
  }

  private async knownByCproId(cproIds: string[]): Promise<Map<string, { id: string; cppStatus: string | null }>> {
    const map = new Map<string, { id: string; cppStatus: string | null }>();
    for (let i = 0; i < cproIds.length; i += 1000) {
      const rows = await this.uow.dataSource.getRepository(InvoiceEntity).find({
        select: { id: true, cproId: true, cppStatus: true },
        where: { cproId: In(cproIds.slice(i, i + 1000)) },
      });
      for (const r of rows) if (r.cproId) map.set(r.cproId, { id: r.id, cppStatus: r.cppStatus });
    }
    return map;
  }

  /** True when the status changed and was handed to the workflow. */
  private async applyStatus(
    siret: string,
    invoice: { id: string; cppStatus: string | null },
    entry: FactureRecipiendaire,
    result: StructurePullResult,
  ): Promise<boolean> {
    if (invoice.cppStatus === entry.statut) return false;
    const started = Date.now();
    try {
      return await this.recordStatus(siret, invoice, entry, result);
    } finally {
      result.timings.statusMs += Date.now() - started;
    }
  }

  private async recordStatus(
    siret: string,
    invoice: { id: string; cppStatus: string | null },
    entry: FactureRecipiendaire,
    result: StructurePullResult,
  ): Promise<boolean> {
    if (!this.workflow) {
      result.blocking.push({ siret, code: 'WORKFLOW_UNAVAILABLE', message: 'Aucun workflow de facture lié : statut Chorus Pro non enregistré', invoice: String(entry.idFacture) });
      return false;
    }
    const workflow = this.workflow;
    try {
      await this.uow.run((em) =>
        workflow.onChorusProStatus(em, invoice.id, entry.statut, {
          actor: ACTOR,
          details: { idFacture: entry.idFacture, dateHeureEtatCourant: entry.dateHeureEtatCourant, commentaire: entry.commentaireEtatCourant ?? null },
        }),
      );
      invoice.cppStatus = entry.statut;
      return true;
    } catch (err) {
      const e = err as Error;
      result.blocking.push({ siret, code: err instanceof DomainError ? err.code : 'STATUS_UPDATE_FAILED', message: e.message, invoice: String(entry.idFacture) });
      return false;
    }
  }

  private async downloadAndImport(
    siret: string,
    ctx: ChorusProCallContext,
    groups: FactureRecipiendaire[][],
    result: StructurePullResult,
    progressed: (n: number) => void,
  ): Promise<void> {
    if (groups.length === 0) return;
    const dir = join(this.config.dataDir, 'tmp', 'pull');
    await mkdir(dir, { recursive: true });
    const { downloadConcurrency, groupMaxBytes } = this.config.chorusPro;
    const sizeOf = (g: FactureRecipiendaire[]) => g.reduce((n, e) => n + (e.taille ?? 0), 0);
    const inFlight: Array<{ bytes: number; promise: Promise<Downloaded[]> }> = [];
    let next = 0;
    // Bounded by count and by bytes: a few 80 MB groups in memory at once would be too much.
    const launch = () => {
      while (next < groups.length && inFlight.length < downloadConcurrency) {
        const bytes = sizeOf(groups[next]);
        const pending = inFlight.reduce((n, f) => n + f.bytes, 0);
        if (inFlight.length > 0 && pending + bytes > 2 * groupMaxBytes) break;
        const group = groups[next++];
        const promise = this.downloadGroup(siret, ctx, group.map((e) => e.idFacture), dir, result);
        promise.catch(() => undefined); // observed when its turn comes
        inFlight.push({ bytes, promise });
      }
    };
    launch();
    try {
      while (inFlight.length > 0) {
        const files = await (inFlight.shift() as { promise: Promise<Downloaded[]> }).promise;
        launch();
        for (const file of files) {
          if (file.path) await this.importFile(siret, file.path, result);
          progressed(file.ids.length);
        }
      }
    } catch (err) {
      // A download failed for good: wait for the others and remove what they wrote, then fail the structure.
      const rest = await Promise.allSettled(inFlight.map((f) => f.promise));
      for (const r of rest) if (r.status === 'fulfilled') for (const f of r.value) if (f.path) await rm(f.path, { force: true });
      throw err;
    }
  }

  /** One telecharger/groupe, split in halves on a 413 until it fits; a single invoice too large is reported. */
  private async downloadGroup(siret: string, ctx: ChorusProCallContext, ids: number[], dir: string, result: StructurePullResult): Promise<Downloaded[]> {
    try {
      const answer = await this.api.telechargerGroupe(ctx, { listeFacture: ids.map((idFacture) => ({ idFacture })), format: 'PIVOT' });
      const path = join(dir, `cpp-${siret}-${ids[0]}-${randomUUID()}.zip`);
      await writeFile(path, Buffer.from(answer.fichierResultat ?? '', 'base64'));
      return [{ path, ids }];
    } catch (err) {
      if (!(err instanceof ChorusProTooLargeError)) throw err;
      if (ids.length === 1) {
        result.errors.push({ siret, code: 'INVOICE_TOO_LARGE', message: `Facture ${ids[0]} trop volumineuse pour être téléchargée (> 120 Mo)`, invoice: String(ids[0]) });
        return [{ path: null, ids }];
      }
      const half = Math.ceil(ids.length / 2);
      this.logger.warn(`Groupe de ${ids.length} factures trop volumineux (413) : découpage en deux`);
      return [...(await this.downloadGroup(siret, ctx, ids.slice(0, half), dir, result)), ...(await this.downloadGroup(siret, ctx, ids.slice(half), dir, result))];
    }
  }

  private async importFile(siret: string, path: string, result: StructurePullResult): Promise<void> {
    const started = Date.now();
    try {
      const report = await this.ingestion.importPaths([path], { source: 'api', attributeTo: [siret] });
      for (const k of Object.keys(result.invoices) as Array<keyof StructurePullResult['invoices']>) result.invoices[k] += report.invoices[k];
      for (const e of report.errors) result.errors.push({ siret, code: e.code, message: e.message, invoice: e.invoice, file: e.file });
    } catch (err) {
      // One file that cannot be imported does not stop the others; the window stays (blocking) so it is fetched again.
      result.blocking.push({ siret, code: 'FLOW_IMPORT_FAILED', message: `Flux non importé : ${describeError(err).message}`, file: basename(path) });
    } finally {
      result.timings.importMs += Date.now() - started;
      await rm(path, { force: true });
    }
  }
}
