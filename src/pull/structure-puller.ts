import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProTooLargeError } from '@/chorus-pro/chorus-pro.errors';
import { ChorusProCallContext, FactureRecipiendaire, TechnicalAccount, TypeDemandePaiement } from '@/chorus-pro/chorus-pro.types';
import { ReadAhead } from '@/common/pipeline/read-ahead';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { IngestionService } from '@/ingestion/ingestion.service';
import { ZipInMemory } from '@/ingestion/flow-sources';
import { emptyReport } from '@/ingestion/ingestion.types';
import { PullPlan } from '@/pull/pull-plan';
import { FirstStatuses } from '@/pull/first-statuses';
import { PullStatusRecorder, statusSeen } from '@/pull/pull-status.recorder';
import { PullError, PullProgress } from '@/pull/pull.types';
import { RecipientInvoiceSearch } from '@/pull/recipient-search';
import { WorksInvoiceSearch, WorksSearchResult } from '@/pull/works-search';

export interface StructurePullResult {
  apiCalls: number;
  invoices: { created: number; updated: number; duplicates: number; withAnomalies: number };
  /** Problems with single invoices (bad pivot, too large): reported, the window still advances. */
  errors: PullError[];
  /** Problems that must be retried (status not recorded, flow refused by the database): the window does not advance. */
  blocking: PullError[];
  /** Where the time went (benchmark): waiting for the import, recording statuses. */
  timings: { importMs: number; statusMs: number };
  /** Works invoices left uncreated: Chorus Pro still holds them as SUSPENDUE or A_RECYCLER on the works side. */
  worksHeld?: number;
}

export function emptyStructureResult(): StructurePullResult {
  return { apiCalls: 0, invoices: { created: 0, updated: 0, duplicates: 0, withAnomalies: 0 }, errors: [], blocking: [], timings: { importMs: 0, statusMs: 0 } };
}

interface Downloaded {
  /** The group's ZIP: in memory when small, else a temp file; null when nothing could be downloaded. */
  file: string | ZipInMemory | null;
  ids: number[];
}

/**
 * A downloaded group up to this size is imported from memory (no file written then read back by the main thread,
 * whose reads queue in libuv's pool behind the reader threads' fsyncs); larger ones go to a temp file. The downloads
 * read ahead are bounded in bytes (2 × groupMaxBytes), and so is what they hold in memory.
 */
const IN_MEMORY_GROUP_BYTES = 16 * 1024 * 1024;

/**
 * Import errors after which nothing of the flow is kept, pulled again next time: a flow the database refused (see
 * IngestionService.storeOne), a downloaded group whose ZIP cannot be read (none of its invoices was stored).
 */
const RETRIED_FLOW_ERRORS: ReadonlySet<string> = new Set(['FLOW_NOT_STORED', 'ZIP_UNREADABLE']);

/** What the plan holds back from a FACTURE page: nothing (only works invoices are held on the works side). */
const NONE_HELD: ReadonlySet<number> = new Set();

/**
 * Pulls one structure for one window: searches the invoices whose status changed (FACTURE and FACTURE_TRAVAUX,
 * every page), downloads the unknown ones as PIVOT in groups sized from `taille` (a 413 splits the group),
 * imports them through the inbox pipeline (source 'api', one import feed for the structure, many one-invoice flows per
 * transaction), then hands every status that differs from the stored one to the invoice workflow (PullStatusRecorder).
 * Downloads run ahead of the import, so the API is used at its rate while the database works.
 */
@Injectable()
export class StructurePuller {
  private readonly logger = new Logger('Pull');

  constructor(
    private readonly api: ChorusProApi,
    private readonly ingestion: IngestionService,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly statuses: PullStatusRecorder,
    private readonly works: WorksInvoiceSearch,
    private readonly recipients: RecipientInvoiceSearch,
  ) {}

  async pull(
    siret: string,
    account: TechnicalAccount,
    window: { from: Date; to: Date },
    /** Filled as the pull goes, so that a failure still tells what was done (calls, imports). */
    result: StructurePullResult = emptyStructureResult(),
    onProgress?: (e: PullProgress) => void,
    /** What storing waits for (the structure’s settings read from Chorus Pro); the search, downloads and reading do not. */
    beforeStoring: Promise<unknown> = Promise.resolve(),
  ): Promise<StructurePullResult> {
    const ctx: ChorusProCallContext = { account, onCall: () => result.apiCalls++ };
    onProgress?.({ siret, phase: 'search', done: 0, total: 0 });
    // The reader threads start while the search runs, not when the first group arrives (their start-up is ~0.2 s).
    this.ingestion.prepareReading();
    // Works invoices too (facturesTravaux, MOE/MOA): those Chorus Pro still holds on the works side are not created.
    const worksSearch = this.works.search(ctx, window);
    worksSearch.catch(() => undefined); // awaited by the works pages, then below
    const plan = new PullPlan(this.config.chorusPro.groupMaxBytes, this.config.chorusPro.groupMaxInvoices, (ids) => this.knownByCproId(ids));
    const total = () => plan.latest.size;
    let done = 0;
    const firstStatuses = new FirstStatuses({
      lookup: (ids) => this.knownByCproId(ids),
      record: (found) => this.timed(result, 'statusMs', () => this.statuses.record(siret, found, result.blocking)),
      whileImporting: !this.uow.isEmbedded,
    });
    const downloads = await this.downloads(siret, ctx, result);
    // The import starts with the first group (none: no import at all), while the next pages are still being asked for.
    let importing: Promise<void> | undefined;
    const push = (groups: FactureRecipiendaire[][]) => {
      if (groups.length === 0) return;
      importing ??= this.downloadAndImport(siret, downloads, result, beforeStoring, (cproId) => plan.fresh.get(Number(cproId)), {
        downloaded: (group) => {
          firstStatuses.downloaded(group);
          onProgress?.({ siret, phase: 'download', done, total: total() });
        },
        stored: () => {
          onProgress?.({ siret, phase: 'store', done: ++done, total: total() });
          firstStatuses.stored();
        },
      });
      importing.catch(() => undefined); // awaited below
      downloads.push(...groups); // throws once the import stopped (failed): the search stops too
    };
    // Pages go into the plan one at a time, in the order they are ready.
    let planning: Promise<unknown> = Promise.resolve();
    const add = (entries: FactureRecipiendaire[], held: ReadonlySet<number>): Promise<void> => {
      const added = planning.then(async () => {
        const page = await plan.add(entries, held);
        firstStatuses.add(page.fresh);
        push(page.groups);
      });
      planning = added.catch(() => undefined);
      return added;
    };
    // Only a works invoice can be held on the works side: the FACTURE pages are planned (and downloaded) without
    // waiting for the works search; the FACTURE_TRAVAUX pages wait for it.
    const addPage = async (entries: FactureRecipiendaire[], type: TypeDemandePaiement) =>
      add(entries, type === 'FACTURE' ? NONE_HELD : (await worksSearch).held);
    let searchError: { error: unknown } | undefined;
    let works: WorksSearchResult | undefined;
    try {
      await this.recipients.pages(ctx, window, addPage);
      works = await worksSearch;
      // The works invoices the recipient search does not see yet (still in the MOE/MOA circuit, not held).
      await add(this.works.unseen(plan.latest, works), works.held);
      push(plan.flush());
    } catch (error) {
      searchError = { error };
    } finally {
      downloads.close();
    }
    result.worksHeld = works?.held.size ?? 0;

    // Statuses of the invoices stored before: alongside the import on PostgreSQL, after it on the embedded database
    // (whose single connection the import's transactions hold).
    const known = searchError ? [] : [...plan.changes.values()];
    const recordKnown = async () => {
      result.invoices.updated += await this.timed(result, 'statusMs', () => this.statuses.record(siret, known, result.blocking));
      done += known.length;
      onProgress?.({ siret, phase: 'status', done, total: total() });
    };
    const knownRecorded = this.uow.isEmbedded ? undefined : recordKnown();
    knownRecorded?.catch(() => undefined);
    try {
      await importing;
    } finally {
      await firstStatuses.finish();
      await knownRecorded;
    }
    if (searchError) throw searchError.error;
    if (!knownRecorded) await recordKnown();
    if (works) await this.works.record(works);
    onProgress?.({ siret, phase: 'done', done: total(), total: total() });
    return result;
  }

  private async knownByCproId(cproIds: string[]): Promise<Map<string, { id: string; cppStatus: string | null }>> {
    const map = new Map<string, { id: string; cppStatus: string | null }>();
    for (let i = 0; i < cproIds.length; i += 1000) {
      // One array parameter, not In() of 1,000: TypeORM's handling of that many parameters cost more than the query.
      const rows: Array<{ id: string; cproId: string | null; cppStatus: string | null }> = await this.uow.dataSource.query(
        `SELECT id, cpro_id AS "cproId", cpp_status AS "cppStatus" FROM invoices WHERE cpro_id = ANY($1::varchar[])`,
        [cproIds.slice(i, i + 1000)],
      );
      for (const r of rows) if (r.cproId) map.set(r.cproId, { id: r.id, cppStatus: r.cppStatus });
    }
    return map;
  }

  private async timed<T>(result: StructurePullResult, key: keyof StructurePullResult['timings'], work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      result.timings[key] += Date.now() - started;
    }
  }

  /**
   * Downloads run ahead of the import (ReadAhead, as many in flight as the quota's slots of one second, bounded in
   * bytes), fed with groups as the search pages arrive.
   */
  private async downloads(siret: string, ctx: ChorusProCallContext, result: StructurePullResult): Promise<ReadAhead<FactureRecipiendaire[], Downloaded[]>> {
    const dir = join(this.config.dataDir, 'tmp', 'pull');
    await mkdir(dir, { recursive: true });
    const { downloadConcurrency, groupMaxBytes } = this.config.chorusPro;
    return new ReadAhead((group: FactureRecipiendaire[]) => this.downloadGroup(siret, ctx, group.map((e) => e.idFacture), dir, result), {
      count: downloadConcurrency,
      bytes: 2 * groupMaxBytes,
      sizeOf: (g) => g.reduce((n, e) => n + (e.taille ?? 0), 0),
    });
  }

  /**
   * The downloaded groups' flows go to ONE import feed for the whole structure: the reader thread reads the next
   * group's flows while the previous ones are stored, many flows per transaction, without a pause between groups. A
   * download failing for good stops the feed: what was downloaded before is still stored, the structure's pull fails.
   */
  private async downloadAndImport(
    siret: string,
    downloads: ReadAhead<FactureRecipiendaire[], Downloaded[]>,
    result: StructurePullResult,
    beforeStoring: Promise<unknown>,
    /** The search's entry of an invoice to create: its status is written with it (see ImportOptions.chorusProStatus). */
    entryOf: (cproId: string) => FactureRecipiendaire | undefined,
    progress: { downloaded: (group: FactureRecipiendaire[]) => void; stored: () => void },
  ): Promise<void> {
    const remove = (d: Downloaded) => (typeof d.file === 'string' ? rm(d.file, { force: true }) : undefined);
    async function* files(): AsyncGenerator<string | ZipInMemory> {
      try {
        for (;;) {
          const next = await downloads.take();
          if (!next) return;
          progress.downloaded(next.item);
          for (const download of next.value) {
            if (!download.file) continue;
            yield download.file; // asked again once its flows are extracted: the ZIP can go
            await remove(download);
          }
        }
      } finally {
        // Stopped early (a download or the import failed): the downloads in flight are waited for and their files removed.
        await downloads.abandon(async (done) => {
          await Promise.all(done.map(remove));
        });
      }
    }
    const report = emptyReport();
    try {
      await this.timed(result, 'importMs', () =>
        this.ingestion.importFeed(
          files(),
          {
            source: 'api',
            attributeTo: [siret],
            // The settings could not be read for a reason that stops the pull (account refused …): nothing is stored.
            beforeStoring,
            onFlowDone: () => progress.stored(),
            chorusProStatus: (cproId) => {
              const entry = entryOf(cproId);
              return entry && statusSeen(entry);
            },
          },
          report,
        ),
      );
    } finally {
      for (const k of Object.keys(result.invoices) as Array<keyof StructurePullResult['invoices']>) result.invoices[k] += report.invoices[k];
      for (const e of report.errors) {
        const error = { siret, code: e.code, message: e.message, invoice: e.invoice, file: e.file };
        // A flow the database refused is not stored at all (no flow row): the window stays, so the next pull downloads
        // it again instead of going past an invoice nobody has (« impossible to lose an invoice »).
        if (RETRIED_FLOW_ERRORS.has(e.code)) result.blocking.push(error);
        else result.errors.push(error);
      }
    }
  }

  /** One telecharger/groupe, split in halves on a 413 until it fits; a single invoice too large is reported. */
  private async downloadGroup(siret: string, ctx: ChorusProCallContext, ids: number[], dir: string, result: StructurePullResult): Promise<Downloaded[]> {
    try {
      const answer = await this.api.telechargerGroupe(ctx, { listeFacture: ids.map((idFacture) => ({ idFacture })), format: 'PIVOT' });
      const name = `cpp-${siret}-${ids[0]}-${randomUUID()}.zip`;
      const bytes = Buffer.from(answer.fichierResultat ?? '', 'base64');
      if (bytes.length <= IN_MEMORY_GROUP_BYTES) return [{ file: { name, bytes }, ids }];
      const path = join(dir, name);
      await writeFile(path, bytes);
      return [{ file: path, ids }];
    } catch (err) {
      if (!(err instanceof ChorusProTooLargeError)) throw err;
      if (ids.length === 1) {
        result.errors.push({ siret, code: 'INVOICE_TOO_LARGE', message: `Facture ${ids[0]} trop volumineuse pour être téléchargée (> 120 Mo)`, invoice: String(ids[0]) });
        return [{ file: null, ids }];
      }
      const half = Math.ceil(ids.length / 2);
      this.logger.warn(`Groupe de ${ids.length} factures trop volumineux (413) : découpage en deux`);
      return [...(await this.downloadGroup(siret, ctx, ids.slice(0, half), dir, result)), ...(await this.downloadGroup(siret, ctx, ids.slice(half), dir, result))];
    }
  }
}
