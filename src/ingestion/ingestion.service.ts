import { promises as fs } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { ReadAhead } from '@/common/pipeline/read-ahead';
import { describeError } from '@/common/errors/error-description';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowBatchImportService } from '@/ingestion/flow-batch-import.service';
import { FlowImportService, PreparedFlow } from '@/ingestion/flow-import.service';
import { FlowReaderService } from '@/ingestion/flow-reader.service';
import { scanRecipientIds } from '@/ingestion/flow-recipients.scan';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { expandFlowInputs, expandZipInMemory, FlowInput, FlowInputProblem, ZipInMemory } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { emptyReport, ImportOptions, ImportReport, mergeReports } from '@/ingestion/ingestion.types';
import { FileStore } from '@/storage/file-store.port';
import { StructuresService } from '@/structures/structures.service';

/**
 * Small flows stored together in one transaction, at most (FlowBatchImportService); their invoices also stay within
 * `ingestion.batchSize`. The nightly pull's one-invoice flows then share a commit instead of paying one each.
 */
const FLOWS_PER_TRANSACTION = 100;
/**
 * Flows read ahead of the one being stored, at most (READ_AHEAD_BYTES bounds them too): the next transactions' flows
 * are read while one is stored. Ten transactions' worth: with two ahead, the reader threads ran dry whenever a
 * transaction took longer than usual, and the main thread then waited for them (pull bench: 10.8 s → 8.8 s for 5,000
 * one-invoice flows). What a flow read ahead holds is its invoices, a few KB.
 */
const READ_AHEAD = 10 * FLOWS_PER_TRANSACTION;
/**
 * Beyond one flow read ahead, flow files in flight stay under this many bytes: two bulk flows of ~30 MB, so the reader
 * thread always has the next one to start while the main thread stores. What a flow read ahead holds in memory is its
 * invoices (a few MB per thousand), not its file: attachments are streamed to the store.
 */
const READ_AHEAD_BYTES = 64 * 1024 * 1024;

/**
 * Small ZIP entries of the pull's downloads held in memory at once, at most (FlowInput.content: no temp file written,
 * read back and removed per flow); beyond, entries go to temp files as before, so a fast download cannot fill memory.
 */
const IN_MEMORY_FLOWS_BYTES = 64 * 1024 * 1024;

type FlowsAhead = ReadAhead<FlowInput, PreparedFlow>;

/** Bytes of flow contents held in memory (FlowInput.content) by one import, released as flows are stored. */
interface MemoryHeld {
  bytes: number;
}

@Injectable()
export class IngestionService {
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly flows: FlowImportService,
    private readonly reader: FlowReaderService,
    private readonly batches: FlowBatchImportService,
    private readonly structures: StructuresService,
    private readonly store: FileStore,
    private readonly config: AppConfig,
    private readonly repository: IngestionRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Imports files, directories or ZIPs of CPPFacturePivot flows (same code for CLI, inbox and API pull). */
  async importPaths(paths: string[], options: ImportOptions): Promise<ImportReport> {
    const report = emptyReport();
    const { inputs, problems } = await expandFlowInputs(paths, this.store, this.config.ingestion.maxFlowBytes);
    addProblems(report, problems);
    const ahead = this.readAhead(inputs);
    await this.consume(ahead, options, this.loadRecipients(), report);
    return report;
  }

  /**
   * Gets the reading ready (reader threads started) for an import that will start soon: the pull calls it before its
   * search, whose seconds of API calls then hide the threads' start-up.
   */
  prepareReading(): void {
    this.reader.warmUp();
  }

  /**
   * Imports files as they arrive (the pull: each downloaded group's ZIP, on disk or in memory), through the same pipeline as importPaths: the
   * flows of the next files are read while those of the previous ones are stored, with no pause between files. A file
   * of the feed may be removed once the feed asks for the next one (its flows are extracted by then). When the feed
   * fails, what it gave is still stored, then its error is thrown; `report` tells what was stored either way.
   */
  async importFeed(feed: AsyncIterable<string | ZipInMemory>, options: ImportOptions, report: ImportReport = emptyReport()): Promise<ImportReport> {
    const ahead = this.readAhead();
    const memory: MemoryHeld = { bytes: 0 };
    const producer = (async () => {
      try {
        for await (const file of feed) {
          const room = Math.max(0, IN_MEMORY_FLOWS_BYTES - memory.bytes);
          const maxFlowBytes = this.config.ingestion.maxFlowBytes;
          const { inputs, problems } =
            typeof file === 'string' ? await expandFlowInputs([file], this.store, maxFlowBytes, room) : await expandZipInMemory(file, this.store, maxFlowBytes, room);
          for (const input of inputs) memory.bytes += input.content?.length ?? 0;
          addProblems(report, problems);
          try {
            ahead.push(...inputs);
          } catch (err) {
            await removeTemporary(inputs, memory); // the import stopped: nobody will read them
            throw err;
          }
        }
      } finally {
        ahead.close();
      }
    })();
    producer.catch(() => undefined); // awaited below
    // Flows are downloaded and read meanwhile: only storing needs the recipients' settings.
    const recipients = Promise.resolve(options.beforeStoring).then(() => this.loadRecipients());
    try {
      await this.consume(ahead, options, recipients, report, memory);
    } catch (err) {
      await producer.catch(() => undefined);
      throw err;
    }
    await producer;
    return report;
  }

  /**
   * Pipelined: the next flows are read (reader thread: XML, base64, unzip, files) while the current ones are stored
   * (mostly waits on PostgreSQL); large flows stay one ahead, bounded by READ_AHEAD_BYTES of flow files in flight.
   */
  private readAhead(inputs?: FlowInput[]): FlowsAhead {
    return new ReadAhead((input: FlowInput) => this.flows.prepare(input), {
      count: READ_AHEAD,
      bytes: READ_AHEAD_BYTES,
      sizeOf: async (input) => input.size ?? (await fs.stat(input.path).catch(() => null))?.size ?? 0,
    }, inputs);
  }

  /**
   * Stores the flows in order: small ones together (one transaction per batch), the others one at a time. Storing
   * stays sequential, so duplicates across flows, crash-resume and the « déjà importé » check behave as if the flows
   * were imported one after the other.
   */
  private async consume(
    ahead: FlowsAhead,
    options: ImportOptions,
    /** Awaited before the first flow is stored (not before the first is read); rejected, nothing is stored. */
    settings: Promise<Map<string, RecipientSettings>>,
    report: ImportReport,
    memory?: MemoryHeld,
  ): Promise<void> {
    const batchSize = this.config.ingestion.batchSize;
    const fits = (p: PreparedFlow, taken: PreparedFlow[]) =>
      FlowBatchImportService.batchable(taken[0], batchSize) &&
      FlowBatchImportService.batchable(p, batchSize) &&
      taken.reduce((n, t) => n + t.read.invoices.length, 0) + p.read.invoices.length <= batchSize;
    let done = 0;
    try {
      const recipients = await settings;
      for (;;) {
        const batch = await ahead.takeBatch(FLOWS_PER_TRANSACTION, fits);
        if (batch.length === 0) break;
        try {
          await this.storeBatch(batch.map((b) => b.value), options, recipients, report);
        } finally {
          await removeTemporary(batch.map((b) => b.item), memory);
        }
        for (const b of batch) options.onFlowDone?.(b.item.fileName, ++done, done + ahead.remaining);
      }
    } catch (err) {
      // Storing failed (database or disk down, settings refused): the flows read ahead are not stored, drop their pending files.
      await ahead.abandon(async (prepared, input) => {
        await prepared.discardFiles();
        await removeTemporary([input], memory);
      });
      await removeTemporary(ahead.unstarted(), memory);
      throw err;
    }
  }

  /** Flows stored together; when their transaction fails, one by one (only the culprit fails, its neighbours are stored). */
  private async storeBatch(batch: PreparedFlow[], options: ImportOptions, recipients: Map<string, RecipientSettings>, report: ImportReport): Promise<void> {
    let reports: Array<ImportReport | null> = batch.map(() => null);
    if (batch.length > 1) {
      try {
        reports = await this.batches.store(batch, {
          source: options.source,
          recipients,
          defaultDelay: this.config.invoices.paymentDelayDays,
          attributeTo: options.attributeTo ?? [],
          chorusProStatus: options.chorusProStatus,
        });
      } catch (err) {
        this.logger.warn(`Lot de ${batch.length} flux rejoué flux par flux : ${(err as Error).message}`);
      }
    }
    for (const [i, prepared] of batch.entries()) {
      const stored = reports[i] ?? (await this.storeOne(prepared, options, recipients));
      mergeReports(report, stored);
    }
  }

  /**
   * One flow stored; the database refusing this flow's data (a value the checks let through: SQLSTATE 22xxx, 23xxx)
   * is reported for this file and the next files go on — one file never stops the others. A failure of the database
   * or the disk itself is thrown (nothing else could be stored either).
   */
  private async storeOne(prepared: PreparedFlow, options: ImportOptions, recipients: Map<string, RecipientSettings>): Promise<ImportReport> {
    let stored: ImportReport;
    try {
      stored = await this.flows.storePrepared(prepared, options.source, recipients, this.config.invoices.paymentDelayDays);
    } catch (err) {
      const described = describeError(err);
      if (described.kind !== 'bad_request' && described.kind !== 'conflict') throw err;
      this.logger.error(`Flux ${prepared.input.fileName} non enregistré : ${described.technical ?? described.message}`);
      const report = emptyReport();
      report.flows.rejected++;
      report.errors.push({ file: prepared.input.fileName, invoice: null, code: 'FLOW_NOT_STORED', message: `Flux non enregistré : ${described.message}` });
      return report;
    }
    await this.attribute(prepared, stored, options, recipients);
    return stored;
  }

  /**
   * Who may see the flow beyond the recipients of its stored invoices (written with them): the structures of
   * `attributeTo`, and for a rejected or partly unreadable file the declared structures its raw bytes name as recipient.
   * A flow attributed to nobody is seen by administrators only (flows.service.ts).
   */
  private async attribute(prepared: PreparedFlow, stored: ImportReport, options: ImportOptions, recipients: Map<string, RecipientSettings>): Promise<void> {
    if (!prepared.raw.ok) return; // no flow row: nothing kept of a file too large or unreadable
    const doubtful = stored.flows.rejected > 0 || stored.flows.partial > 0;
    const sirets = [...(options.attributeTo ?? [])];
    if (doubtful) sirets.push(...(await scanRecipientIds(prepared.input.content ?? prepared.input.path).catch(() => [] as string[])));
    const structureIds = sirets.map((siret) => recipients.get(siret)?.id).filter((id): id is string => Boolean(id));
    if (structureIds.length === 0) return;
    const flow = await this.repository.findFlowBySha(prepared.raw.stored.sha256);
    if (flow) await this.uow.run((em) => this.repository.attributeFlow(em, flow.id, structureIds));
  }

  /** Number of flow files the paths hold (for progress bars). */
  async countFlows(paths: string[]): Promise<number> {
    let n = 0;
    const walk = async (p: string): Promise<void> => {
      const st = await fs.stat(p).catch(() => null);
      if (!st) return;
      if (st.isDirectory()) for (const name of await fs.readdir(p)) await walk(`${p}/${name}`);
      else n++;
    };
    for (const p of paths) await walk(p);
    return n;
  }

  private async loadRecipients(): Promise<Map<string, RecipientSettings>> {
    const map = new Map<string, RecipientSettings>();
    // Through the structures module's service, not its repository (a module reaches another by its public service).
    for (const s of await this.structures.list()) {
      map.set(s.siret, {
        id: s.id,
        siret: s.siret,
        serviceRequired: s.serviceRequired,
        engagementRequired: s.engagementRequired,
        engagementOrServiceRequired: s.engagementOrServiceRequired,
        paymentDelayDays: s.paymentDelayDays,
        services: new Map(s.services.map((x) => [x.code, { label: x.label, active: x.active }])),
      });
    }
    return map;
  }
}

function addProblems(report: ImportReport, problems: FlowInputProblem[]): void {
  for (const p of problems) {
    report.flows.rejected++;
    report.errors.push({ file: p.fileName, invoice: null, code: p.code, message: p.message });
  }
}

/** Temp files extracted from a ZIP, once stored (or abandoned); contents held in memory are let go. */
async function removeTemporary(inputs: FlowInput[], memory?: MemoryHeld): Promise<void> {
  for (const input of inputs) {
    if (!input.content) continue;
    if (memory) memory.bytes -= input.content.length;
    input.content = undefined;
  }
  await Promise.all(inputs.filter((i) => i.temporary).map((i) => fs.rm(i.path, { force: true })));
}
