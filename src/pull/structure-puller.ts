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
import { planDownloadGroups } from '@/pull/download-groups';
import { PullStatusRecorder } from '@/pull/pull-status.recorder';
import { PullError, PullProgress } from '@/pull/pull.types';
import { WorksInvoiceSearch } from '@/pull/works-search';

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

const TYPES: TypeDemandePaiement[] = ['FACTURE', 'FACTURE_TRAVAUX'];
/** Import errors after which nothing of the flow is kept (see IngestionService.storeOne): pulled again next time. */
const RETRIED_FLOW_ERRORS: ReadonlySet<string> = new Set(['FLOW_NOT_STORED']);
/** Flows stored between two rounds of first statuses (see firstStatuses). */
const STATUS_ROUND = 200;

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
    // Works invoices too (facturesTravaux, MOE/MOA): those Chorus Pro still holds on the works side are not created.
    const [works, recipient] = await Promise.all([this.works.search(ctx, window), this.search(ctx, window)]);
    const entries = this.works.merge(recipient, works);
    result.worksHeld = works.held.size;
    const total = entries.length;
    let done = 0;

    const known = await this.knownByCproId(entries.map((e) => String(e.idFacture)));
    const fresh = entries.filter((e) => !known.has(String(e.idFacture)) && !works.held.has(e.idFacture));
    const changes = entries.flatMap((entry) => {
      const invoice = known.get(String(entry.idFacture));
      return invoice ? [{ invoice, entry }] : [];
    });
    result.invoices.updated += await this.timed(result, 'statusMs', () => this.statuses.record(siret, changes, result.blocking));
    done += changes.length;
    onProgress?.({ siret, phase: 'status', done, total });

    const groups = planDownloadGroups(fresh, this.config.chorusPro.groupMaxBytes, this.config.chorusPro.groupMaxInvoices);
    const firstStatuses = this.firstStatuses(siret, fresh, result);
    try {
      await this.downloadAndImport(siret, ctx, groups, result, {
        downloaded: () => onProgress?.({ siret, phase: 'download', done, total }),
        stored: () => {
          onProgress?.({ siret, phase: 'store', done: ++done, total });
          firstStatuses.stored();
        },
      });
    } finally {
      await firstStatuses.finish();
    }
    await this.works.record(works);
    onProgress?.({ siret, phase: 'done', done: total, total });
    return result;
  }

  private async search(ctx: ChorusProCallContext, window: { from: Date; to: Date }): Promise<FactureRecipiendaire[]> {
    const byId = new Map<number, FactureRecipiendaire>();
    const pageSize = this.config.chorusPro.pageSize;
    // Both types at once, and every page after the first together: the shared quota spaces the calls out.
    const perType = await Promise.all(TYPES.map((type) => this.searchType(ctx, window, type, pageSize)));
    for (const pages of perType) {
      for (const page of pages) {
        for (const entry of page.listeFactures) {
          const previous = byId.get(entry.idFacture);
          if (!previous || (entry.dateHeureEtatCourant ?? '') >= (previous.dateHeureEtatCourant ?? '')) byId.set(entry.idFacture, entry);
        }
      }
    }
    return [...byId.values()].sort((a, b) => a.idFacture - b.idFacture);
  }

  private async searchType(ctx: ChorusProCallContext, window: { from: Date; to: Date }, type: TypeDemandePaiement, pageSize: number) {
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
    return pages;
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

  /**
   * Newly imported invoices get the status the search reported (recorded by the workflow). On PostgreSQL this runs
   * while the import goes on, every STATUS_ROUND flows stored (the import waits on its reader threads, the database has
   * room); on the embedded database, whose single connection the import's transactions hold, once the import ended.
   */
  private firstStatuses(siret: string, fresh: FactureRecipiendaire[], result: StructurePullResult): { stored: () => void; finish: () => Promise<void> } {
    let pending = fresh;
    let sinceRound = 0;
    let rounds: Promise<void> = Promise.resolve();
    const round = () =>
      (rounds = rounds.then(async () => {
        const imported = await this.knownByCproId(pending.map((e) => String(e.idFacture)));
        const found = pending.flatMap((entry) => {
          const invoice = imported.get(String(entry.idFacture));
          return invoice ? [{ invoice, entry }] : [];
        });
        pending = pending.filter((e) => !imported.has(String(e.idFacture)));
        await this.timed(result, 'statusMs', () => this.statuses.record(siret, found, result.blocking));
      }));
    return {
      stored: () => {
        if (this.uow.isEmbedded || ++sinceRound < STATUS_ROUND) return;
        sinceRound = 0;
        void round().catch(() => undefined); // its failure is seen by finish
      },
      finish: async () => {
        await rounds;
        await round();
      },
    };
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
   * bytes), and their flows go to ONE import feed for the whole structure: the reader thread reads the next group's
   * flows while the previous ones are stored, many flows per transaction, without a pause between groups. A download
   * failing for good stops the feed: what was downloaded before is still stored, the structure's pull fails.
   */
  private async downloadAndImport(
    siret: string,
    ctx: ChorusProCallContext,
    groups: FactureRecipiendaire[][],
    result: StructurePullResult,
    progress: { downloaded: () => void; stored: () => void },
  ): Promise<void> {
    if (groups.length === 0) return;
    const dir = join(this.config.dataDir, 'tmp', 'pull');
    await mkdir(dir, { recursive: true });
    const { downloadConcurrency, groupMaxBytes } = this.config.chorusPro;
    const downloads = new ReadAhead(
      (group: FactureRecipiendaire[]) => this.downloadGroup(siret, ctx, group.map((e) => e.idFacture), dir, result),
      { count: downloadConcurrency, bytes: 2 * groupMaxBytes, sizeOf: (g) => g.reduce((n, e) => n + (e.taille ?? 0), 0) },
      groups,
    );
    const remove = (d: Downloaded) => (typeof d.file === 'string' ? rm(d.file, { force: true }) : undefined);
    async function* files(): AsyncGenerator<string | ZipInMemory> {
      try {
        for (;;) {
          const next = await downloads.take();
          if (!next) return;
          progress.downloaded();
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
        this.ingestion.importFeed(files(), { source: 'api', attributeTo: [siret], onFlowDone: () => progress.stored() }, report),
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
