import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { forEachLimit } from '@/common/pipeline/for-each-limit';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { PullLeaseRepository } from '@/pull/pull-lease.repository';
import { emptyPullReport, PullOptions, PullReport } from '@/pull/pull.types';
import { emptyStructureResult, StructurePuller } from '@/pull/structure-puller';
import { StructuresService, StructureWithAccount } from '@/structures/structures.service';
import { StructureSyncService } from '@/structures/structure-sync.service';

const LEASE_SECONDS = 300;
/** How often an instance looks again at a structure another instance claimed for the same run. */
const CLAIM_POLL_MS = 2_000;
const OUTCOME_LABELS: Record<string, string> = { ok: 'réussie', failed: 'en échec', busy: 'structure occupée' };

/**
 * The pull use case (« mode service »): for each structure having a technical account, the invoices whose
 * Chorus Pro status changed since the end of its last successful window (minus an overlap). One structure's
 * failure does not stop the others; its window stays where it was, so the next run resumes without loss, and
 * what the failed run already stored is recognised (IdCPRO) instead of duplicated.
 */
@Injectable()
export class PullService {
  private readonly logger = new Logger('Pull');
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly structures: StructuresService,
    private readonly leases: PullLeaseRepository,
    private readonly puller: StructurePuller,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly structureSync: StructureSyncService,
    private readonly uow: UnitOfWork,
  ) {}

  async run(options: PullOptions = {}): Promise<PullReport> {
    const report = emptyPullReport();
    const runKey = options.runKey ?? `manual-${randomUUID()}`;
    const list = await this.structures.listWithTechnicalAccount(options.siret);
    if (options.siret && list.length === 0) {
      throw new NotFoundError('TECHNICAL_ACCOUNT_NOT_FOUND', `Aucun compte technique Chorus Pro pour la structure ${options.siret} (passerelle structures set-account)`);
    }
    const to = this.clock.now();
    // A few structures at once: one structure's calls wait on Chorus Pro's latency while another's flows are stored;
    // the quota is shared, so together they still keep to the rate. pullOne never throws (a failure is reported).
    // One at a time on the embedded database: its single connection would mix the structures' transactions.
    const concurrency = this.uow.isEmbedded ? 1 : this.config.chorusPro.structureConcurrency;
    const elsewhere: StructureWithAccount[] = [];
    await forEachLimit(list, concurrency, async (structure) => {
      if (!(await this.leases.claim(structure.id, runKey, this.instanceId))) elsewhere.push(structure);
      else await this.lockAndPull(structure, to, runKey, options, report);
    });
    // Claimed by another instance for this run: wait for its outcome, and take the structure over if that pull died
    // (its lease expires, or it was a process of this machine that is gone) — never a silent skip.
    for (const structure of elsewhere) {
      for (;;) {
        const state = await this.leases.claimState(structure.id, runKey);
        if (state?.outcome) {
          report.skipped++;
          const message = `relevée pour cette relève par ${state.instanceId} (résultat : ${OUTCOME_LABELS[state.outcome] ?? state.outcome}${state.error ? ` — ${state.error}` : ''})`;
          report.skippedStructures.push({ siret: structure.siret, reason: 'elsewhere', outcome: state.outcome, message });
          break;
        }
        if (await this.leases.claim(structure.id, runKey, this.instanceId)) {
          await this.lockAndPull(structure, to, runKey, options, report);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
      }
    }
    this.logger.log(
      `Relève Chorus Pro ${runKey} : ${report.structures} structure(s), ${report.apiCalls} appel(s), ${report.invoices.created} facture(s) créée(s), ${report.invoices.updated} mise(s) à jour, ${report.errors.length} erreur(s)`,
    );
    return report;
  }

  private async lockAndPull(structure: StructureWithAccount, to: Date, runKey: string, options: PullOptions, report: PullReport): Promise<void> {
    const lease = await this.leases.lock(structure.id, this.instanceId, LEASE_SECONDS);
    if (!lease) {
      const held = await this.leases.lease(structure.id);
      const message = `structure en cours de relève par un autre processus${held ? ` (${held.holder}, bail jusqu’à ${held.until.toISOString()})` : ''} : non relevée`;
      report.skipped++;
      report.skippedStructures.push({ siret: structure.siret, reason: 'busy', message });
      await this.leases.finishClaim(structure.id, runKey, 'busy', 0, message);
      return;
    }
    report.structures++;
    await this.pullOne(structure, lease.windowEnd, to, runKey, options, report);
  }

  private async pullOne(
    structure: StructureWithAccount,
    windowEnd: Date | null,
    to: Date,
    runKey: string,
    options: PullOptions,
    report: PullReport,
  ): Promise<void> {
    const { pullOverlapMinutes, initialLookbackDays } = this.config.chorusPro;
    const from =
      options.since ?? (windowEnd ? new Date(windowEnd.getTime() - pullOverlapMinutes * 60_000) : new Date(to.getTime() - initialLookbackDays * 86_400_000));
    const heartbeat = setInterval(() => void this.leases.lock(structure.id, this.instanceId, LEASE_SECONDS).catch(() => undefined), (LEASE_SECONDS / 3) * 1000);
    const result = emptyStructureResult();
    try {
      const account = await this.structures.getTechnicalAccount(structure.siret);
      if (!account) throw new DomainError('TECHNICAL_ACCOUNT_NOT_FOUND', `Compte technique absent pour ${structure.siret}`);
      // Issue 15: services and « obligatoire » settings as Chorus Pro has them now, before any invoice is checked. The
      // search, the downloads and the reading of the flows go on meanwhile (they check nothing), storing waits for them; on
      // the embedded database, whose single connection the sync's transaction holds, one after the other.
      const settingsRead = this.structureSync.syncBeforePull(structure.siret, account, () => result.apiCalls++).then((synced) => {
        if (synced.error) result.errors.push({ siret: structure.siret, code: synced.error.code, message: `Paramétrage non relu dans Chorus Pro : ${synced.error.message}` });
      });
      settingsRead.catch(() => undefined); // awaited below
      if (this.uow.isEmbedded) await settingsRead;
      await this.puller.pull(structure.siret, account, { from, to }, result, options.onProgress, settingsRead);
      await settingsRead;
      if (result.blocking.length > 0) {
        const message = `${result.blocking.length} statut(s) ou flux non enregistré(s) : fenêtre conservée pour la prochaine relève`;
        await this.leases.recordFailure(structure.id, this.instanceId, message);
        await this.leases.finishClaim(structure.id, runKey, 'failed', result.apiCalls, message);
        return;
      }
      await this.leases.advance(structure.id, this.instanceId, to);
      await this.leases.finishClaim(structure.id, runKey, 'ok', result.apiCalls, null);
    } catch (err) {
      const e = err as Error;
      const code = err instanceof DomainError ? err.code : 'PULL_FAILED';
      this.logger.error(`Relève de ${structure.siret} en échec : ${e.message}`);
      result.blocking.push({ siret: structure.siret, code, message: e.message });
      await this.leases.recordFailure(structure.id, this.instanceId, e.message).catch(() => undefined);
      await this.leases.finishClaim(structure.id, runKey, 'failed', result.apiCalls, e.message).catch(() => undefined);
    } finally {
      report.apiCalls += result.apiCalls;
      for (const k of Object.keys(report.invoices) as Array<keyof PullReport['invoices']>) report.invoices[k] += result.invoices[k];
      report.errors.push(...result.errors, ...result.blocking);
      if (result.worksHeld) report.worksHeld = (report.worksHeld ?? 0) + result.worksHeld;
      report.timings = {
        importMs: (report.timings?.importMs ?? 0) + result.timings.importMs,
        statusMs: (report.timings?.statusMs ?? 0) + result.timings.statusMs,
      };
      clearInterval(heartbeat);
      await this.leases.unlock(structure.id, this.instanceId).catch(() => undefined);
    }
  }
}
