import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@/clock/clock.port';
import { FlowEntity, FlowSource } from '@/flows/flow.entity';
import { checkInvoice, RecipientSettings } from '@/ingestion/invoice.checks';
import { attachmentRow, buildInvoiceRows, InvoiceRows, validationRows } from '@/ingestion/invoice-rows.builder';
import { IngestionRepository, KnownInvoice, validationKey } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportOptions, ImportReport } from '@/ingestion/ingestion.types';
import { InvoiceWorkflowPort } from '@/invoices/invoice-workflow.port';
import { MetricsService } from '@/metrics/metrics.service';
import { PivotInvoice } from '@/pivot/pivot.types';

export const ACTOR_BY_SOURCE: Record<FlowSource, string> = {
  inbox: 'Chorus Pro (dépôt)',
  cli: 'Chorus Pro (import manuel)',
  api: 'Chorus Pro (API)',
  upload: 'Chorus Pro (téléversement)',
};

/** What a batch needs to know about its flow. */
export interface BatchContext {
  flow: FlowEntity;
  source: FlowSource;
  recipients: Map<string, RecipientSettings>;
  defaultDelay: number;
  fileName: string;
  receivedAt: Date;
  /** See ImportOptions.chorusProStatus. */
  chorusProStatus?: ImportOptions['chorusProStatus'];
}

// Chorus Pro re-sends a suspended invoice once the supplier completed it (pivot V2_02 `Renvoi`).
const isCompletedResend = (renvoi?: string) => Boolean(renvoi && /^compl[ée]t[ée]e$/i.test(renvoi.trim()));

/**
 * Stores one batch of read invoices inside the caller's transaction: duplicates are reported (or, for a
 * `Renvoi=Complétée`, complete the known invoice), new invoices are checked and written with all their rows.
 */
@Injectable()
export class InvoiceBatchWriter {
  constructor(
    private readonly repository: IngestionRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    @Optional() private readonly workflow?: InvoiceWorkflowPort,
  ) {}

  async storeBatch(em: EntityManager, batch: PivotInvoice[], ctx: BatchContext): Promise<ImportReport> {
    return (await this.storeFlows(em, [{ invoices: batch, ctx }]))[0];
  }

  /**
   * The invoices of several flows in one go (the pull's one-invoice flows, stored together): one look-up of known
   * invoices, one INSERT per table, one attribution statement. One report per flow, in order; duplicates across the
   * flows are found as if the flows were stored one after the other.
   */
  async storeFlows(em: EntityManager, parts: Array<{ invoices: PivotInvoice[]; ctx: BatchContext }>): Promise<ImportReport[]> {
    const all = parts.flatMap((p) => p.invoices);
    const known = await this.repository.findKnown(
      em,
      all.map((i) => i.cproId?.trim()).filter((x): x is string => Boolean(x)),
      all.map((i) => ({ supplierId: i.supplier.id.trim(), number: i.number.trim(), year: Number(i.issueDate.slice(0, 4)) })),
    );
    const byCpro = new Map(known.filter((k) => k.cproId).map((k) => [k.cproId!, k]));
    const byKey = new Map(known.map((k) => [dupKey(k.supplierId, k.number, k.invoiceYear), k]));
    const fresh: InvoiceRows[] = [];
    const links: Array<{ flowId: string; structureId: string }> = [];
    const reports: ImportReport[] = [];
    for (const { invoices, ctx } of parts) {
      const report = emptyReport();
      reports.push(report);
      const actor = ACTOR_BY_SOURCE[ctx.source];
      for (const inv of invoices) {
        const recipientId = ctx.recipients.get(inv.debtor.id.trim())?.id;
        // The flow is visible to the structures its invoices are addressed to, duplicates and re-sends included.
        if (recipientId) links.push({ flowId: ctx.flow.id, structureId: recipientId });
        const key = dupKey(inv.supplier.id.trim(), inv.number.trim(), Number(inv.issueDate.slice(0, 4)));
        const match = (inv.cproId && byCpro.get(inv.cproId.trim())) || byKey.get(key);
        if (match) {
          if (isCompletedResend(inv.renvoi)) {
            if (await this.applyCompletedResend(em, match, inv, ctx, actor)) report.invoices.updated++;
          } else {
            report.invoices.duplicates++;
            report.errors.push({
              file: ctx.fileName,
              invoice: inv.number,
              code: 'DUPLICATE_INVOICE',
              message: `Facture ${inv.number} du fournisseur ${inv.supplier.id} déjà reçue${match.cproId ? ` (IdCPRO ${match.cproId})` : ''} : ignorée`,
            });
          }
          continue;
        }
        const recipient = ctx.recipients.get(inv.debtor.id.trim()) ?? null;
        const anomalies = checkInvoice(inv, recipient);
        const rows = buildInvoiceRows({
          invoice: inv,
          flowId: ctx.flow.id,
          structureId: recipient?.id ?? null,
          paymentDelayDays: recipient?.paymentDelayDays ?? ctx.defaultDelay,
          anomalies,
          receivedAt: ctx.receivedAt,
          actor,
          fileName: ctx.fileName,
        });
        this.withFirstStatus(rows, ctx);
        fresh.push(rows);
        // Same invoice twice in one batch: the second is a duplicate of the first.
        const pseudo: KnownInvoice = { id: rows.invoice.id!, cproId: rows.invoice.cproId ?? null, supplierId: rows.invoice.supplierId!, number: rows.invoice.number!, invoiceYear: rows.invoice.invoiceYear!, status: 'A_TRAITER' };
        if (pseudo.cproId) byCpro.set(pseudo.cproId, pseudo);
        byKey.set(key, pseudo);
        report.invoices.created++;
        if (anomalies.length > 0) report.invoices.withAnomalies++;
        for (const a of anomalies) this.metrics.anomalies.inc({ code: a.code });
      }
    }
    await this.repository.insertInvoiceRows(em, fresh);
    await this.repository.attributeFlows(em, links);
    const total = (k: keyof ImportReport['invoices']) => reports.reduce((n, r) => n + r.invoices[k], 0);
    this.metrics.invoices.inc({ result: 'created' }, total('created'));
    this.metrics.invoices.inc({ result: 'duplicate' }, total('duplicates'));
    this.metrics.invoices.inc({ result: 'updated' }, total('updated'));
    return reports;
  }

  /** The status the search gave the new invoice, with it when the workflow says so (no UPDATE right after). */
  private withFirstStatus(rows: InvoiceRows, ctx: BatchContext): void {
    const cproId = rows.invoice.cproId;
    const seen = cproId ? ctx.chorusProStatus?.(cproId) : undefined;
    if (!seen || !this.workflow) return;
    const first = this.workflow.firstChorusProStatus({ status: rows.invoice.status! }, seen, this.clock.now());
    if (!first) return;
    rows.invoice.cppStatus = first.cppStatus;
    rows.history.push({ ...first.step, invoiceId: rows.invoice.id });
  }

  /** `Renvoi=Complétée`: new attachments and a history step; the workflow decides the state (SUSPENDUE → A_TRAITER). */
  private async applyCompletedResend(
    em: EntityManager,
    known: KnownInvoice,
    inv: PivotInvoice,
    ctx: { flow: FlowEntity; fileName: string },
    actor: string,
  ): Promise<boolean> {
    // Idempotent: a resumed import of the same flow applies it once; validation steps already recorded (the re-sent
    // flow carries the whole cycle again) are not inserted twice.
    if (await this.repository.resendApplied(em, known.id, ctx.flow.id)) return false;
    const recorded = await this.repository.validationKeys(em, known.id);
    const have = await this.repository.attachmentShas(em, known.id);
    const added = inv.attachments.filter((a) => !have.has(a.content?.sha256 ?? `#${a.numOrdre}`));
    const unreadable = added.filter((a) => a.error);
    await this.repository.insertChildRows(em, {
      attachments: added.map((a) => attachmentRow(known.id, ctx.flow.id, a)),
      validations: validationRows(known.id, ctx.flow.id, inv).filter((v) => !recorded.has(validationKey(v.statusDate!, v.statusCode!, v.complement, v.comment))),
      anomalies: unreadable.map((a) => ({
        invoiceId: known.id,
        code: 'ATTACHMENT_UNREADABLE',
        message: `Pièce jointe « ${a.name} » illisible : ${a.error!.message}`,
      })),
    });
    await this.repository.addAnomalyCodes(em, known.id, unreadable.length > 0 ? ['ATTACHMENT_UNREADABLE'] : []);
    await this.repository.insertChildRows(em, {
      history: [
        {
          invoiceId: known.id,
          step: 'RENVOI_COMPLETEE',
          label: 'Lecture flux (renvoi complété)',
          actor,
          at: this.clock.now(),
          flowId: ctx.flow.id,
          details: { file: ctx.fileName, addedAttachments: added.map((a) => a.name) },
        },
      ],
    });
    if (this.workflow) {
      await this.workflow.onChorusProStatus(em, known.id, 'COMPLETEE', { actor, flowId: ctx.flow.id, details: { file: ctx.fileName } });
    } else {
      await em.query(`UPDATE invoices SET cpp_status = 'COMPLETEE', updated_at = now() WHERE id = $1`, [known.id]);
    }
    return true;
  }
}

function dupKey(supplierId: string, number: string, year: number): string {
  return `${supplierId}\u0000${number}\u0000${year}`;
}
