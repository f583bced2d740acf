import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowSource } from '@/flows/flow.entity';
import { FlowImportService, PreparedFlow } from '@/ingestion/flow-import.service';
import { flowErrorRows, flowRowOf, mayLinkOrigin, mergeCounts, outcome } from '@/ingestion/flow-rows';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { InvoiceBatchWriter } from '@/ingestion/invoice-batch.writer';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportOptions, ImportReport } from '@/ingestion/ingestion.types';

/**
 * Several small flows stored in ONE transaction (the nightly pull: telecharger/groupe gives one pivot file per
 * invoice, and a transaction per flow made its commit the cost of every invoice). Each flow keeps its own row and raw
 * copy, its own invoices, errors and attribution; only the commit is shared.
 *
 * Only flows that would take the one-transaction path of FlowImportService alone are stored here (see `batchable`):
 * new, readable, no unreadable invoice, one batch of invoices at most. Everything else, and every flow of a batch that
 * failed, goes through FlowImportService one flow at a time (the caller's fallback): a bad flow never blocks its
 * neighbours. The transaction is all or nothing, so a crash (kill -9) leaves either every flow of the batch or none,
 * and the next import stores what is missing, once.
 */
@Injectable()
export class FlowBatchImportService {
  constructor(
    private readonly repository: IngestionRepository,
    private readonly writer: InvoiceBatchWriter,
    private readonly flows: FlowImportService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Whether a prepared flow may be stored with others. */
  static batchable(prepared: PreparedFlow, batchSize: number): boolean {
    // A flow known by its SHA-256 (prepare read nothing of it) takes the one-flow path: « déjà importé / rejeté ».
    return !prepared.known && prepared.raw.ok && !prepared.read.flowError && prepared.read.invoiceErrors.length === 0 && prepared.read.invoices.length <= batchSize;
  }

  /**
   * Stores the flows together. Per flow, in order: its report, or null for a flow whose SHA-256 was already stored (or
   * met twice in the batch), left to the one-flow path (« déjà importé », « déjà rejeté »…). Throws when the transaction
   * fails: nothing of the batch is stored then, and the caller imports the flows one by one.
   */
  async store(
    batch: PreparedFlow[],
    options: { source: FlowSource; recipients: Map<string, RecipientSettings>; defaultDelay: number; attributeTo: string[]; chorusProStatus?: ImportOptions['chorusProStatus'] },
  ): Promise<Array<ImportReport | null>> {
    const { source, recipients, defaultDelay } = options;
    // The attachments and raw copies must be durable before any row pointing at them commits.
    await Promise.all(batch.map((p) => p.filesReady));
    const now = this.clock.now();
    const attributeTo = options.attributeTo.map((siret) => recipients.get(siret)?.id).filter((id): id is string => Boolean(id));
    const reports = await this.uow.run(async (em) => {
      const rows = batch.map((p) => {
        if (!p.raw.ok) throw new Error('flux sans copie brute : non groupable');
        // Inserted with the final status and the count expected; corrected below when some invoices are duplicates.
        return { id: randomUUID(), ...flowRowOf(p, p.raw.stored, source, now, 'integrated'), ...outcome(p.read, p.read.invoices.length, now) };
      });
      const inserted = await this.repository.insertFlowsIfNew(em, rows);
      const parts = batch.flatMap((p, i) => {
        const flow = inserted.get(rows[i].sha256!);
        // Known before, or a SHA-256 met twice in the batch (the first one owns the row): left to the one-flow path.
        if (!flow || flow.id !== rows[i].id) return [];
        return [{ index: i, invoices: p.read.invoices, ctx: { flow, source, recipients, defaultDelay, fileName: p.input.fileName, receivedAt: now, chorusProStatus: options.chorusProStatus } }];
      });
      const stored = await this.writer.storeFlows(em, parts);
      const out: Array<ImportReport | null> = batch.map(() => null);
      const errors: Array<Partial<FlowErrorEntity>> = [];
      for (const [k, part] of parts.entries()) {
        const report = stored[k];
        out[part.index] = report;
        errors.push(...flowErrorRows(part.ctx.flow.id, batch[part.index].read, report));
        if (report.invoices.created !== part.invoices.length) await this.repository.updateFlow(em, part.ctx.flow.id, { invoiceCount: report.invoices.created });
      }
      await this.repository.insertMany(em, FlowErrorEntity, errors);
      const flowIds = parts.map((p) => p.ctx.flow.id);
      await this.repository.linkCreditNotes(em, flowIds, { creditNotes: parts.some((p) => p.invoices.some(mayLinkOrigin)) });
      await this.repository.attributeFlows(em, flowIds.flatMap((flowId) => attributeTo.map((structureId) => ({ flowId, structureId }))));
      return out;
    });
    return reports.map((report, i) => {
      if (!report) return null;
      const merged = emptyReport();
      mergeCounts(merged, report);
      return this.flows.completed(batch[i], merged, source);
    });
  }
}
