import { createReadStream } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowSource } from '@/flows/flow.entity';
import { FlowInput } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { InvoiceBatchWriter } from '@/ingestion/invoice-batch.writer';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { emptyReport, ImportReport } from '@/ingestion/ingestion.types';
import { MetricsService } from '@/metrics/metrics.service';
import { PivotReader } from '@/pivot/pivot.reader';
import { PivotEnvelope, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { FileStore, FileTooLargeError, ObjectWriter, StoredObject } from '@/storage/file-store.port';

/**
 * 1 MB reads instead of 64 KB: each read waits in libuv's thread-pool queue behind the attachments' writes and
 * fsyncs, so fewer, larger reads keep the parser fed. Memory stays bounded (two such chunks per flow in flight).
 */
const READ_OPTIONS = { highWaterMark: 1024 * 1024 };

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

  async importFlow(input: FlowInput, source: FlowSource, recipients: Map<string, RecipientSettings>, defaultDelay: number): Promise<ImportReport> {
    return this.storePrepared(await this.prepare(input), source, recipients, defaultDelay);
  }

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
    // Raw copy concurrently with the parse below (gzip runs on libuv's thread pool).
    const rawPromise = this.store.put(createReadStream(input.path, READ_OPTIONS), { compress: true, maxBytes: limit }).then(
      (stored) => ({ ok: true as const, stored }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const read = await this.readAll(input.path, files);
    const raw = await rawPromise;
    let filesReady: Promise<void>;
    if (raw.ok && !read.flowError) {
      filesReady = files.commit();
      filesReady.catch(() => undefined); // awaited by storePrepared; a failure is reported there
    } else {
      await files.discard();
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

    const existing = await this.repository.findFlowBySha(raw.sha256);
    if (existing && existing.status !== 'processing') {
      report.flows.alreadyImported++;
      this.metrics.flows.inc({ result: 'already_imported', source });
      return report;
    }

    const now = this.clock.now();
    const envelope = read.envelope;
    const flow =
      existing ??
      (await this.uow.run((em) =>
        this.repository.insertFlow(em, {
          sha256: raw.sha256,
          fileName: input.fileName,
          source,
          size: raw.size,
          storageKey: raw.key,
          status: 'processing',
          version: envelope?.version ?? null,
          idFlx: envelope?.idFlx ?? null,
          dtPrd: envelope?.dtPrd ?? null,
          senderId: envelope?.sender?.id ?? null,
          senderLabel: envelope?.sender?.label ?? null,
          receiverId: envelope?.receiver?.id ?? null,
          receiverLabel: envelope?.receiver?.label ?? null,
          envelope: envelope ? (envelope as unknown as Record<string, unknown>) : null,
          receivedAt: now,
        }),
      ));

    if (read.flowError) {
      await this.uow.run((em) =>
        this.repository.updateFlow(em, flow.id, {
          status: 'rejected',
          errorCode: read.flowError!.code,
          errorMessage: read.flowError!.message,
          completedAt: this.clock.now(),
        }),
      );
      report.flows.rejected++;
      report.errors.push({ file: input.fileName, invoice: null, code: read.flowError.code, message: read.flowError.message });
      this.metrics.flows.inc({ result: 'rejected', source });
      prepared.stopTimer();
      return report;
    }

    // The attachments must be durable before any invoice referencing them commits (see prepare).
    await prepared.filesReady;
    const alreadyStored = existing ? await this.repository.storedNumOrdres(flow.id) : new Set<number>();
    const todo = read.invoices.filter((i) => !alreadyStored.has(i.numOrdre));
    const batchSize = this.config.ingestion.batchSize;
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

    const partial = read.invoiceErrors.length > 0;
    await this.uow.run(async (em) => {
      await this.repository.clearFlowErrors(em, flow.id);
      const errorRows: Array<Partial<FlowErrorEntity>> = [
        ...read.invoiceErrors.map((e) => ({
          flowId: flow.id,
          numOrdre: e.numOrdre ?? null,
          invoiceNumber: e.number ?? null,
          recipientSiret: null,
          code: e.code,
          message: e.message,
        })),
        ...report.errors
          .filter((e) => e.code === 'DUPLICATE_INVOICE')
          .map((e) => ({ flowId: flow.id, numOrdre: null, invoiceNumber: e.invoice, recipientSiret: null, code: e.code, message: e.message })),
      ];
      await this.repository.insertMany(em, FlowErrorEntity, errorRows);
      await this.repository.linkCreditNotes(em, flow.id);
      const count: Array<{ n: number }> = await em.query('SELECT count(*)::int AS n FROM invoices WHERE flow_id = $1', [flow.id]);
      await this.repository.updateFlow(em, flow.id, {
        status: partial ? 'partial' : 'integrated',
        invoiceCount: Number(count[0].n),
        errorCode: partial ? 'INVOICE_UNREADABLE' : null,
        errorMessage: partial ? `${read.invoiceErrors.length} facture(s) illisible(s) dans le flux` : null,
        completedAt: this.clock.now(),
      });
    });
    for (const e of read.invoiceErrors) {
      report.errors.push({ file: input.fileName, invoice: e.number ?? null, code: e.code, message: e.message });
    }
    if (partial) report.flows.partial++;
    else report.flows.integrated++;
    this.metrics.flows.inc({ result: partial ? 'partial' : 'integrated', source });
    prepared.stopTimer();
    return report;
  }

  /** Reads the whole flow before storing anything: a flow ending in an error stores no invoice. */
  private async readAll(path: string, attachments: ObjectWriter): Promise<ReadResult> {
    const out: ReadResult = { invoices: [], invoiceErrors: [] };
    try {
      for await (const event of this.reader.read(createReadStream(path, READ_OPTIONS), {
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
