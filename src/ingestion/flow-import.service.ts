import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@/config/app.config';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity, FlowSource } from '@/flows/flow.entity';
import { FlowReading, ReadResult } from '@/ingestion/flow-reader';
import { FlowReaderService } from '@/ingestion/flow-reader.service';
import { FlowInput } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { InvoiceBatchWriter } from '@/ingestion/invoice-batch.writer';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportReport, mergeReports } from '@/ingestion/ingestion.types';
import { MetricsService } from '@/metrics/metrics.service';
import { flowErrorRows, flowRowOf, isUniqueViolation, mayLinkOrigin, mergeCounts, outcome } from '@/ingestion/flow-rows';

/** A flow read and its files written, nothing in the database yet (see FlowImportService.prepare). */
export interface PreparedFlow extends FlowReading {
  input: FlowInput;
  stopTimer: () => void;
  /** The flow's SHA-256 is already recorded (imported or rejected): nothing was read nor written for it. */
  known?: FlowEntity;
}

/**
 * Imports one flow file: keep the raw file (gzip, SHA-256), read it as a stream, check and store each
 * invoice. Nothing of a flow that is not a readable pivot is stored as invoices; a bad invoice never blocks
 * the good ones; re-importing the same file changes nothing; a crashed run is completed by re-running it.
 *
 * Two phases, so that a caller can read flow N+1 while flow N is written: `prepare` touches no table (raw copy,
 * streaming read, attachments written to a file batch: FlowReader), `storePrepared` does every database read and write.
 */
@Injectable()
export class FlowImportService {
  private readonly logger = new Logger(FlowImportService.name);

  constructor(
    private readonly repository: IngestionRepository,
    private readonly writer: InvoiceBatchWriter,
    private readonly uow: UnitOfWork,
    private readonly reader: FlowReaderService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Raw copy and streaming read of one flow (FlowReader, in the reader thread when there is one); no database access,
   * so it may run while another flow is being stored. `storePrepared` waits for the flow's files to be durable BEFORE
   * its first invoice transaction.
   */
  async prepare(input: FlowInput): Promise<PreparedFlow> {
    const stopTimer = this.metrics.ingestSeconds.startTimer();
    // A flow whose bytes are known is neither copied nor read again: re-reading it wrote a new pack of its attachments
    // at every scan (20 known flows: +410 MB). Only a flow left 'processing' by a crash is read again, to be completed.
    const sha256 = input.sha256 ?? (await sha256File(input.path).catch(() => undefined));
    const known = sha256 ? await this.repository.findFlowBySha(sha256) : null;
    if (known && known.status !== 'processing') {
      const stored = { key: known.storageKey, sha256: known.sha256, size: Number(known.size) };
      return { raw: { ok: true, stored }, read: { invoices: [], invoiceErrors: [] }, filesReady: Promise.resolve(), discardFiles: async () => undefined, input, stopTimer, known };
    }
    try {
      return { ...(await this.reader.read(input)), input, stopTimer };
    } catch (err) {
      stopTimer();
      throw err;
    }
  }

  /** Every database step of one prepared flow; flows must be stored one at a time, in order. */
  async storePrepared(
    prepared: PreparedFlow,
    source: FlowSource,
    recipients: Map<string, RecipientSettings>,
    defaultDelay: number,
  ): Promise<ImportReport> {
    const { input, read } = prepared;
    const report = emptyReport();
    if (!prepared.raw.ok) {
      const { code, message } = prepared.raw;
      report.flows.rejected++;
      report.errors.push({ file: input.fileName, invoice: null, code, message });
      this.metrics.flows.inc({ result: 'rejected', source });
      return report;
    }
    const raw = prepared.raw.stored;
    if (prepared.known) {
      prepared.stopTimer();
      return this.knownFlow(prepared.known, input.fileName, source, report);
    }

    const now = this.clock.now();
    const flowRow = (status: FlowEntity['status']): Partial<FlowEntity> => flowRowOf(prepared, raw, source, now, status);
    const batchSize = this.config.ingestion.batchSize;

    if (!read.flowError && read.invoices.length <= batchSize) {
      // A new flow holding one batch at most (the nightly pull: one invoice per flow): flow row, invoices and
      // finalisation in ONE transaction — one WAL flush instead of three. A crash leaves nothing of the flow, so
      // re-importing it does everything again; the 'processing' resume below only serves multi-batch flows.
      await prepared.filesReady;
      const single = emptyReport();
      try {
        const stored = await this.uow.run(async (em) => {
          // Inserted with its final status (known from the read) and the count expected, corrected below when some
          // invoices turn out to be duplicates: no DELETE of flow errors, count(*) nor UPDATE for the common case.
          const partial = read.invoiceErrors.length > 0;
          // ON CONFLICT DO NOTHING: no separate look-up by SHA-256 for a new flow; a known one is handled below.
          const flow = await this.repository.insertFlowIfNew(em, { ...flowRow(partial ? 'partial' : 'integrated'), ...outcome(read, read.invoices.length, this.clock.now()) });
          if (!flow) return false;
          const ctx = { flow, source, recipients, defaultDelay, fileName: input.fileName, receivedAt: flow.receivedAt ?? now };
          if (read.invoices.length > 0) mergeCounts(single, await this.writer.storeBatch(em, read.invoices, ctx));
          await this.repository.insertMany(em, FlowErrorEntity, flowErrorRows(flow.id, read, single));
          await this.repository.linkCreditNotes(em, flow.id, { creditNotes: read.invoices.some(mayLinkOrigin) });
          if (single.invoices.created !== read.invoices.length) {
            await this.repository.updateFlow(em, flow.id, { invoiceCount: single.invoices.created });
          }
          return true;
        });
        if (stored) return this.completed(prepared, mergeReports(report, single), source);
      } catch (err) {
        // A constraint hit (a concurrent import of the same invoice): nothing was committed, the general path below
        // inserts the flow again and retries invoice by invoice.
        if (!isUniqueViolation(err)) throw err;
        this.logger.warn(`Flux rejoué par lots (${input.fileName}) : ${(err as Error).message}`);
      }
    }

    const existing = await this.repository.findFlowBySha(raw.sha256);
    // Known since `prepare` (the same bytes twice in one run): its files are dropped by the caller's store gc.
    if (existing && existing.status !== 'processing') return this.knownFlow(existing, input.fileName, source, report);

    if (!existing && read.flowError) {
      // A new unreadable flow: one transaction records it rejected (no 'processing' step: nothing to resume).
      const flowError = read.flowError;
      await this.uow.run((em) =>
        this.repository.insertFlow(em, { ...flowRow('rejected'), errorCode: flowError.code, errorMessage: flowError.message, completedAt: this.clock.now() }),
      );
      return this.rejected(prepared, report, source);
    }

    const flow = existing ?? (await this.uow.run((em) => this.repository.insertFlow(em, flowRow('processing'))));

    if (read.flowError) {
      await this.uow.run((em) =>
        this.repository.updateFlow(em, flow.id, {
          status: 'rejected',
          errorCode: read.flowError!.code,
          errorMessage: read.flowError!.message,
          completedAt: this.clock.now(),
        }),
      );
      return this.rejected(prepared, report, source);
    }

    // The attachments must be durable before any invoice referencing them commits (see prepare).
    await prepared.filesReady;
    const alreadyStored = existing ? await this.repository.storedNumOrdres(flow.id) : new Set<number>();
    const todo = read.invoices.filter((i) => !alreadyStored.has(i.numOrdre));
    const ctx = { flow, source, recipients, defaultDelay, fileName: input.fileName, receivedAt: flow.receivedAt ?? now };
    for (let i = 0; i < todo.length; i += batchSize) {
      const batch = todo.slice(i, i + batchSize);
      try {
        const r = await this.uow.run((em) => this.writer.storeBatch(em, batch, ctx));
        mergeCounts(report, r);
      } catch (err) {
        // A constraint hit (a concurrent import of the same invoice): retry one by one so that only the
        // culprit is affected.
        this.logger.warn(`Lot rejoué facture par facture (${input.fileName}) : ${(err as Error).message}`);
        for (const one of batch) {
          try {
            mergeCounts(report, await this.uow.run((em) => this.writer.storeBatch(em, [one], ctx)));
          } catch (e) {
            if (isUniqueViolation(e)) {
              report.invoices.duplicates++;
              continue;
            }
            throw e;
          }
        }
      }
    }

    await this.uow.run((em) => this.finalize(em, flow.id, read, report));
    return this.completed(prepared, report, source);
  }

  /** « Déjà importé », or « Déjà rejeté » with the reason (nothing of a rejected flow was imported). */
  private knownFlow(existing: FlowEntity, fileName: string, source: FlowSource, report: ImportReport): ImportReport {
    if (existing.status === 'rejected') {
      report.flows.alreadyRejected++;
      report.errors.push({ file: fileName, invoice: null, code: 'FLOW_ALREADY_REJECTED', message: alreadyRejectedMessage(existing) });
      this.metrics.flows.inc({ result: 'already_rejected', source });
      return report;
    }
    report.flows.alreadyImported++;
    this.metrics.flows.inc({ result: 'already_imported', source });
    return report;
  }

  /** Flow errors, credit-note links and the flow's final status, inside the caller's transaction. */
  private async finalize(em: EntityManager, flowId: string, read: ReadResult, report: ImportReport): Promise<void> {
    await this.repository.clearFlowErrors(em, flowId);
    await this.repository.insertMany(em, FlowErrorEntity, flowErrorRows(flowId, read, report));
    await this.repository.linkCreditNotes(em, flowId);
    const count: Array<{ n: number }> = await em.query('SELECT count(*)::int AS n FROM invoices WHERE flow_id = $1', [flowId]);
    await this.repository.updateFlow(em, flowId, { status: read.invoiceErrors.length > 0 ? 'partial' : 'integrated', ...outcome(read, Number(count[0].n), this.clock.now()) });
  }

  /** Report and metrics of a flow whose invoices are stored (also for flows stored together). */
  completed(prepared: PreparedFlow, report: ImportReport, source: FlowSource): ImportReport {
    const { read, input } = prepared;
    const partial = read.invoiceErrors.length > 0;
    for (const e of read.invoiceErrors) {
      report.errors.push({ file: input.fileName, invoice: e.number ?? null, code: e.code, message: e.message });
    }
    if (partial) report.flows.partial++;
    else report.flows.integrated++;
    this.metrics.flows.inc({ result: partial ? 'partial' : 'integrated', source });
    prepared.stopTimer();
    return report;
  }

  /** Report and metrics of a flow that is not a readable pivot. */
  private rejected(prepared: PreparedFlow, report: ImportReport, source: FlowSource): ImportReport {
    const flowError = prepared.read.flowError!;
    report.flows.rejected++;
    report.errors.push({ file: prepared.input.fileName, invoice: null, code: flowError.code, message: flowError.message });
    this.metrics.flows.inc({ result: 'rejected', source });
    prepared.stopTimer();
    return report;
  }
}

/** « Déjà rejeté : motif… » for a file sent again after its rejection. */
export function alreadyRejectedMessage(flow: Pick<FlowEntity, 'errorMessage'>): string {
  return `Déjà rejeté : ${flow.errorMessage ?? 'flux illisible'}`;
}

/** SHA-256 of a file, streamed (the flow's key in `flows.sha256`). */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
