import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@/config/app.config';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity, FlowSource } from '@/flows/flow.entity';
import { FlowInput } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { InvoiceBatchWriter } from '@/ingestion/invoice-batch.writer';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportReport, mergeReports } from '@/ingestion/ingestion.types';
import { MetricsService } from '@/metrics/metrics.service';
import { PivotReader } from '@/pivot/pivot.reader';
import { PivotEnvelope, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { FileStore, FileTooLargeError, ObjectWriter, StoredObject } from '@/storage/file-store.port';

/**
 * 1 MB reads instead of 64 KB: each read waits in libuv's thread-pool queue behind the attachments' writes and
 * fsyncs, so fewer, larger reads keep the parser fed. Memory stays bounded (two such chunks per flow in flight).
 */
const READ_OPTIONS = { highWaterMark: 1024 * 1024 };
/** Flows up to this size are read whole into memory once (see prepare). */
const SMALL_FLOW_BYTES = 1024 * 1024;

type ReadError = { numOrdre?: number; number?: string; code: string; message: string };

interface ReadResult {
  envelope?: PivotEnvelope;
  invoices: PivotInvoice[];
  invoiceErrors: ReadError[];
  flowError?: PivotFlowError;
}

/** A flow read and its files written, nothing in the database yet (see FlowImportService.prepare). */
export interface PreparedFlow {
  input: FlowInput;
  raw: { ok: true; stored: StoredObject } | { ok: false; error: unknown };
  read: ReadResult;
  /** Resolves once the flow's attachments are durable under their keys (rejects on a storage failure). */
  filesReady: Promise<void>;
  /** Drops the attachments not yet made durable (the flow will not be stored). */
  discardFiles: () => Promise<void>;
  stopTimer: () => void;
}

/**
 * Imports one flow file: keep the raw file (gzip, SHA-256), read it as a stream, check and store each
 * invoice. Nothing of a flow that is not a readable pivot is stored as invoices; a bad invoice never blocks
 * the good ones; re-importing the same file changes nothing; a crashed run is completed by re-running it.
 *
 * Two phases, so that a caller can read flow N+1 while flow N is written: `prepare` touches no table (raw copy,
 * streaming read, attachments written to a file batch), `store` does every database read and write.
 */
@Injectable()
export class FlowImportService {
  private readonly logger = new Logger(FlowImportService.name);
  private readonly reader = new PivotReader();

  constructor(
    private readonly repository: IngestionRepository,
    private readonly writer: InvoiceBatchWriter,
    private readonly uow: UnitOfWork,
    private readonly store: FileStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Raw copy and streaming read of one flow; no database access, so it may run while another flow is being stored.
   * Attachments go to a file batch: they are made durable together (fsync of the files in parallel, renames, fsync of
   * their directories) as soon as the flow is known to be readable, and `storePrepared` waits for that BEFORE its
   * first invoice transaction — so a committed invoice never points at a file a crash could lose. A flow that is
   * rejected leaves no attachment behind.
   */
  async prepare(input: FlowInput): Promise<PreparedFlow> {
    const stopTimer = this.metrics.ingestSeconds.startTimer();
    const limit = this.config.ingestion.maxFlowBytes;
    const files = this.store.batch();
    const rawOptions = { compress: true, maxBytes: limit };
    const settle = (p: Promise<StoredObject>): Promise<PreparedFlow['raw']> =>
      p.then(
        (stored) => ({ ok: true as const, stored }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    // Raw copy concurrently with the parse below (gzip runs on libuv's thread pool), in the attachments' batch: one
    // commit fsyncs the raw copy and the attachments together, and their directories once each.
    // A small flow (the nightly pull: one invoice each) is read once into memory, for both the raw copy and the parse:
    // half the file operations, and the raw copy goes through the batch's in-memory path (no stream, handle kept).
    const whole = await readIfSmall(input.path, SMALL_FLOW_BYTES);
    const open = (): Readable => (whole ? Readable.from([whole]) : createReadStream(input.path, READ_OPTIONS));
    const rawPromise = settle(files.put(whole ?? open(), rawOptions));
    const read = await this.readAll(open(), files);
    let raw = await rawPromise;
    let filesReady: Promise<void>;
    if (raw.ok && !read.flowError) {
      filesReady = files.commit();
      filesReady.catch(() => undefined); // awaited by storePrepared; a failure is reported there
    } else {
      await files.discard();
      // An unreadable flow keeps its raw copy (the rejected flow row points at it), not its attachments: stored again
      // on its own — rare, so the second read and gzip do not matter.
      if (raw.ok) raw = await settle(this.store.put(whole ?? open(), rawOptions));
      filesReady = Promise.resolve();
    }
    return { input, raw, read, filesReady, discardFiles: () => files.discard(), stopTimer };
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
    const limit = this.config.ingestion.maxFlowBytes;
    if (!prepared.raw.ok) {
      const err = prepared.raw.error;
      const code = err instanceof FileTooLargeError ? 'FLOW_TOO_LARGE' : 'FLOW_UNREADABLE';
      const message =
        err instanceof FileTooLargeError
          ? `Flux refusé : taille supérieure à la limite de ${limit} octets`
          : `Flux illisible : ${(err as Error).message}`;
      report.flows.rejected++;
      report.errors.push({ file: input.fileName, invoice: null, code, message });
      this.metrics.flows.inc({ result: 'rejected', source });
      return report;
    }
    const raw = prepared.raw.stored;

    const now = this.clock.now();
    const envelope = read.envelope;
    const flowRow = (status: FlowEntity['status']): Partial<FlowEntity> => ({
      sha256: raw.sha256,
      fileName: input.fileName,
      source,
      size: raw.size,
      storageKey: raw.key,
      status,
      version: envelope?.version ?? null,
      idFlx: envelope?.idFlx ?? null,
      dtPrd: envelope?.dtPrd ?? null,
      senderId: envelope?.sender?.id ?? null,
      senderLabel: envelope?.sender?.label ?? null,
      receiverId: envelope?.receiver?.id ?? null,
      receiverLabel: envelope?.receiver?.label ?? null,
      envelope: envelope ? (envelope as unknown as Record<string, unknown>) : null,
      receivedAt: now,
    });
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
    if (existing && existing.status !== 'processing') {
      report.flows.alreadyImported++;
      this.metrics.flows.inc({ result: 'already_imported', source });
      return report;
    }

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

  /** Flow errors, credit-note links and the flow's final status, inside the caller's transaction. */
  private async finalize(em: EntityManager, flowId: string, read: ReadResult, report: ImportReport): Promise<void> {
    await this.repository.clearFlowErrors(em, flowId);
    await this.repository.insertMany(em, FlowErrorEntity, flowErrorRows(flowId, read, report));
    await this.repository.linkCreditNotes(em, flowId);
    const count: Array<{ n: number }> = await em.query('SELECT count(*)::int AS n FROM invoices WHERE flow_id = $1', [flowId]);
    await this.repository.updateFlow(em, flowId, { status: read.invoiceErrors.length > 0 ? 'partial' : 'integrated', ...outcome(read, Number(count[0].n), this.clock.now()) });
  }

  /** Report and metrics of a flow whose invoices are stored. */
  private completed(prepared: PreparedFlow, report: ImportReport, source: FlowSource): ImportReport {
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

  /** Reads the whole flow before storing anything: a flow ending in an error stores no invoice. */
  private async readAll(input: Readable, attachments: ObjectWriter): Promise<ReadResult> {
    const out: ReadResult = { invoices: [], invoiceErrors: [] };
    try {
      for await (const event of this.reader.read(input, {
        store: this.store,
        attachments,
        maxFlowBytes: this.config.ingestion.maxFlowBytes,
        maxAttachmentBytes: this.config.ingestion.maxAttachmentBytes,
      })) {
        if (event.kind === 'envelope') out.envelope = event.envelope;
        else if (event.kind === 'invoice') out.invoices.push(event.invoice);
        else out.invoiceErrors.push({ numOrdre: event.numOrdre, number: event.number, code: event.code, message: event.message });
      }
    } catch (err) {
      if (err instanceof PivotFlowError) out.flowError = err;
      else out.flowError = new PivotFlowError('MALFORMED_XML', `Flux illisible : ${(err as Error).message}`);
    }
    return out;
  }
}

/** Final columns of a flow whose invoices are stored. */
function outcome(read: ReadResult, invoiceCount: number, completedAt: Date): Partial<FlowEntity> {
  const partial = read.invoiceErrors.length > 0;
  return {
    invoiceCount,
    errorCode: partial ? 'INVOICE_UNREADABLE' : null,
    errorMessage: partial ? `${read.invoiceErrors.length} facture(s) illisible(s) dans le flux` : null,
    completedAt,
  };
}

/** Unreadable invoices and duplicates, kept on the flow. */
function flowErrorRows(flowId: string, read: ReadResult, report: ImportReport): Array<Partial<FlowErrorEntity>> {
  return [
    ...read.invoiceErrors.map((e) => ({
      flowId,
      numOrdre: e.numOrdre ?? null,
      invoiceNumber: e.number ?? null,
      recipientSiret: null,
      code: e.code,
      message: e.message,
    })),
    ...report.errors
      .filter((e) => e.code === 'DUPLICATE_INVOICE')
      .map((e) => ({ flowId, numOrdre: null, invoiceNumber: e.invoice, recipientSiret: null, code: e.code, message: e.message })),
  ];
}

/** A credit note that may name its origin invoice (superset of the rows `linkCreditNotes` looks at on that side). */
const mayLinkOrigin = (inv: PivotInvoice): boolean => inv.type === '381' && Boolean(inv.originInvoiceNumber);

/** The whole file when it holds at most `limit` bytes (one open, fstat, read, close), otherwise undefined. */
async function readIfSmall(path: string, limit: number): Promise<Buffer | undefined> {
  try {
    const handle = await fs.open(path, 'r');
    try {
      const { size } = await handle.stat();
      return size <= limit ? await handle.readFile() : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // the streaming path reports the problem, as before
  }
}

function mergeCounts(into: ImportReport, from: ImportReport): void {
  into.invoices.created += from.invoices.created;
  into.invoices.updated += from.invoices.updated;
  into.invoices.duplicates += from.invoices.duplicates;
  into.invoices.withAnomalies += from.invoices.withAnomalies;
  into.errors.push(...from.errors);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505' || /duplicate key|unique/i.test(String((err as Error)?.message));
}
