import { promises as fs } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@/common/errors/error-description';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { FlowImportService, PreparedFlow } from '@/ingestion/flow-import.service';
import { scanRecipientIds } from '@/ingestion/flow-recipients.scan';
import { IngestionRepository } from '@/ingestion/ingestion.repository';
import { expandFlowInputs } from '@/ingestion/flow-sources';
import { RecipientSettings } from '@/ingestion/invoice.checks';
import { emptyReport, ImportOptions, ImportReport, mergeReports } from '@/ingestion/ingestion.types';
import { FileStore } from '@/storage/file-store.port';
import { StructuresRepository } from '@/structures/structures.repository';

/** Flows read ahead of the one being stored, at most. */
const READ_AHEAD = 4;
/**
 * Beyond one flow read ahead, flow files in flight stay under this many bytes: two bulk flows of ~30 MB, so the reader
 * thread always has the next one to start while the main thread stores. What a flow read ahead holds in memory is its
 * invoices (a few MB per thousand), not its file: attachments are streamed to the store.
 */
const READ_AHEAD_BYTES = 64 * 1024 * 1024;

@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);

  constructor(
    private readonly flows: FlowImportService,
    private readonly structures: StructuresRepository,
    private readonly store: FileStore,
    private readonly config: AppConfig,
    private readonly repository: IngestionRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Imports files, directories or ZIPs of CPPFacturePivot flows (same code for CLI, inbox and API pull). */
  async importPaths(paths: string[], options: ImportOptions): Promise<ImportReport> {
    const report = emptyReport();
    const { inputs, problems } = await expandFlowInputs(paths, this.store, this.config.ingestion.maxFlowBytes);
    for (const p of problems) {
      report.flows.rejected++;
      report.errors.push({ file: p.fileName, invoice: null, code: p.code, message: p.message });
    }
    const recipients = await this.loadRecipients();
    // Pipelined: the next flows are read (Node's CPU: XML, base64, unzip, files) while flow N is stored (mostly waits on
    // PostgreSQL). Small flows (the nightly pull: one invoice each) are read up to READ_AHEAD at once, so that the
    // fsyncs of their raw copies and attachments overlap instead of queueing one flow after the other; large flows
    // stay one ahead, bounded by READ_AHEAD_BYTES of flow files in flight (memory). Storing stays strictly sequential
    // and in order, so duplicates across flows, crash-resume and the "already imported" check behave as if the flows
    // were imported one after the other.
    const ahead: Array<{ prepared: Promise<PreparedFlow>; bytes: number }> = [];
    let scheduled = 0;
    let bytesAhead = 0;
    const fill = async (): Promise<void> => {
      while (scheduled < inputs.length && ahead.length < READ_AHEAD && (ahead.length === 0 || bytesAhead < READ_AHEAD_BYTES)) {
        const input = inputs[scheduled++];
        const bytes = (await fs.stat(input.path).catch(() => null))?.size ?? 0;
        const prepared = this.flows.prepare(input);
        prepared.catch(() => undefined); // awaited in order below
        ahead.push({ prepared, bytes });
        bytesAhead += bytes;
      }
    };
    try {
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        await fill();
        const head = ahead.shift()!;
        bytesAhead -= head.bytes;
        const prepared = await head.prepared;
        await fill();
        try {
          const stored = await this.storeOne(prepared, options, recipients);
          await this.attribute(prepared, stored, options, recipients);
          mergeReports(report, stored);
        } finally {
          if (input.temporary) await fs.rm(input.path, { force: true });
        }
        options.onFlowDone?.(input.fileName, i + 1, inputs.length);
      }
    } catch (err) {
      // Storing failed (database or disk down): the flows read ahead are not stored, drop their pending files, and the
      // flows extracted from a ZIP that will not be imported now.
      await Promise.all(ahead.map((a) => a.prepared.then((p) => p.discardFiles(), () => undefined)));
      await Promise.all(inputs.filter((i) => i.temporary).map((i) => fs.rm(i.path, { force: true })));
      throw err;
    }
    return report;
  }

  /**
   * One flow stored; the database refusing this flow's data (a value the checks let through: SQLSTATE 22xxx, 23xxx)
   * is reported for this file and the next files go on — one file never stops the others. A failure of the database
   * or the disk itself is thrown (nothing else could be stored either).
   */
  private async storeOne(prepared: PreparedFlow, options: ImportOptions, recipients: Map<string, RecipientSettings>): Promise<ImportReport> {
    try {
      return await this.flows.storePrepared(prepared, options.source, recipients, this.config.invoices.paymentDelayDays);
    } catch (err) {
      const described = describeError(err);
      if (described.kind !== 'bad_request' && described.kind !== 'conflict') throw err;
      this.logger.error(`Flux ${prepared.input.fileName} non enregistré : ${described.technical ?? described.message}`);
      const report = emptyReport();
      report.flows.rejected++;
      report.errors.push({ file: prepared.input.fileName, invoice: null, code: 'FLOW_NOT_STORED', message: `Flux non enregistré : ${described.message}` });
      return report;
    }
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
    if (doubtful) sirets.push(...(await scanRecipientIds(prepared.input.path).catch(() => [] as string[])));
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
    for (const s of await this.structures.findAll()) {
      map.set(s.siret, {
        id: s.id,
        siret: s.siret,
        serviceRequired: s.serviceRequired,
        engagementRequired: s.engagementRequired,
        paymentDelayDays: s.paymentDelayDays,
        services: new Map((s.services ?? []).map((x) => [x.code, { label: x.label, active: x.active }])),
      });
    }
    return map;
  }
}
