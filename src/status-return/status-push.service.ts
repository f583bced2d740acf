import { Injectable, Logger } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import {
  ChorusProAccountError,
  ChorusProHttpError,
  ChorusProNotConfiguredError,
  ChorusProQuotaExceededError,
  ChorusProUnavailableError,
} from '@/chorus-pro/chorus-pro.errors';
import { ChorusProCallContext, CODE_RETOUR_BAD_TRANSITION, TraiterFactureRecueResult } from '@/chorus-pro/chorus-pro.types';
import { Clock } from '@/clock/clock.port';
import { codePointLength, sliceCodePoints } from '@/common/text/code-points';
import { MAX_REASON_LENGTH } from '@/invoices/reasons.service';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructuresService } from '@/structures/structures.service';
import { CPP_STATUS_LABELS } from '@/status-return/cpp-statut.codes';
import { errorHistory } from '@/status-return/status-flow-writer.service';
import { OutboxWork, StatusOutboxRepository } from '@/status-return/status-outbox.repository';

export interface PushSummary {
  sent: number;
  alreadyThere: number;
  failed: number;
  /** Rows of structures in mode api still owed to Chorus Pro after this run (backoff, next run). */
  pending: number;
}

type RowOutcome = 'sent' | 'alreadyThere' | 'failed' | 'retry' | 'released';

/** Statuses the sender may set on its own to reach the one asked (« statuts intermédiaires »). */
const INTERMEDIATES = new Set(['SERVICE_FAIT']);
const ACTOR = 'Passerelle (retour des statuts)';

class RunStop extends Error {}

/**
 * Mode `api`: sends the outbox to Chorus Pro with traiter/recue, one row per invoice at a time, in
 * (invoice, id) order. Rows are claimed under a lease (no two senders take the same row), the call is made
 * outside any transaction, and the answer is recorded with the row's history in one transaction.
 *
 * - 20002 (transition refused): Chorus Pro's history says whether the invoice is already there (done); if an
 *   intermediate status is needed (SERVICE_FAIT before MANDATEE in some cadres), recuperer/etats/traitement
 *   gives the way, walked one call at a time; otherwise the row fails, visible to the staff.
 * - transient failures (network, timeout, 429, 5xx, outage): the row goes back to pending with a backoff of
 *   its own — other invoices go on; after `breakerFailures` in a row the run stops (an outage is not hammered).
 * - a call whose outcome is unknown (timeout, lost sender) is checked against Chorus Pro's history before
 *   sending again: a status is never sent twice for the same row.
 */
@Injectable()
export class StatusPushService {
  private readonly logger = new Logger('StatusPush');
  private running: Promise<PushSummary> | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: StatusOutboxRepository,
    private readonly api: ChorusProApi,
    private readonly structures: StructuresService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** One run (cron or on demand); a run asked while one is going joins it. */
  push(): Promise<PushSummary> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<PushSummary> {
    const summary: PushSummary = { sent: 0, alreadyThere: 0, failed: 0, pending: 0 };
    const { batchSize, concurrency, leaseSeconds, breakerFailures } = this.config.statusReturn;
    const accounts = new Map<string, Promise<ChorusProCallContext | null>>();
    const queue: OutboxWork[] = [];
    let inFlight = 0;
    let exhausted = false;
    let refilling: Promise<number> | null = null;
    let transientInARow = 0;
    let stopped: string | null = null;
    const waiting: Array<() => void> = [];

    // The next batch is claimed while the last rows of the current one are in flight: the calls never wait for
    // the slowest of a batch (the API's rate is the limit, not the batches).
    const refill = (): Promise<number> =>
      (refilling ??= (async () => {
        const now = this.clock.now();
        const rows = await this.uow.run((em) => this.outbox.claimForApi(em, now, batchSize, new Date(now.getTime() + leaseSeconds * 1000)));
        queue.push(...rows);
        return rows.length;
      })().finally(() => {
        refilling = null;
      }));

    const take = async (): Promise<OutboxWork | null> => {
      for (;;) {
        if (stopped) return null;
        if (queue.length) {
          if (queue.length <= concurrency && !exhausted) void refill().catch(() => undefined);
          return queue.shift() as OutboxWork;
        }
        if (exhausted) return null;
        const claimed = await refill();
        if (claimed > 0 || queue.length) continue;
        // Nothing due now; rows in flight may free the next row of their invoice: wait for them, then look again.
        if (inFlight === 0) {
          exhausted = true;
          return null;
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    };

    const worker = async () => {
      for (let row = await take(); row; row = await take()) {
        inFlight++;
        let outcome: RowOutcome;
        try {
          outcome = await this.processRow(row, accounts);
        } catch (err) {
          if (!(err instanceof RunStop)) throw err;
          stopped = err.message;
          outcome = 'released';
          await this.release(row);
        } finally {
          inFlight--;
          if (inFlight === 0) for (const wake of waiting.splice(0)) wake();
        }
        if (outcome === 'retry') {
          if (++transientInARow >= breakerFailures) stopped = `${transientInARow} échecs transitoires consécutifs : Chorus Pro semble indisponible`;
        } else if (outcome !== 'released') {
          transientInARow = 0;
          summary[outcome]++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await (refilling as Promise<number> | null)?.catch(() => 0);
    // Claimed but not processed (run stopped): back to pending, the attempt not counted.
    for (const row of queue.splice(0)) await this.release(row);
    if (stopped) this.logger.warn(`Envoi des statuts interrompu : ${stopped} ; reprise au prochain passage`);
    summary.pending = (await this.outbox.countOpen()).filter((c) => c.mode === 'api' && c.state !== 'failed').reduce((n, c) => n + c.count, 0);
    return summary;
  }

  private async processRow(row: OutboxWork, accounts: Map<string, Promise<ChorusProCallContext | null>>): Promise<RowOutcome> {
    const idFacture = Number(row.cproId);
    if (!row.cproId || !Number.isSafeInteger(idFacture)) {
      return this.fail(row, 'NO_CPRO_ID', "Facture sans identifiant Chorus Pro (IdCPRO) : statut à transmettre par fichier CPPStatut");
    }
    const siret = row.structureSiret;
    if (!siret) return this.fail(row, 'NO_TECHNICAL_ACCOUNT', 'Facture sans structure : pas de compte technique Chorus Pro');
    if (!accounts.has(siret)) {
      accounts.set(
        siret,
        this.structures.getTechnicalAccount(siret).then((account) => (account ? { account } : null)),
      );
    }
    const ctx = await accounts.get(siret);
    if (!ctx) return this.fail(row, 'NO_TECHNICAL_ACCOUNT', `Pas de compte technique Chorus Pro pour ${siret} (structures set-account)`);

    try {
      if (row.outcomeUnknown) {
        // The previous call may have been applied: look before sending again.
        const history = await this.api.consulterHistorique(ctx, { idFacture, nbResultatsMaximum: 20 });
        if (history.statutCourantCode === row.targetStatus) return await this.done(row, 'alreadyThere', { checkedAfter: 'outcome-unknown' });
      }
      const answer = await this.traiter(ctx, row, idFacture, row.targetStatus);
      if (answer.accepted) return await this.done(row, 'sent', {});
      if (answer.codeRetour === CODE_RETOUR_BAD_TRANSITION) return await this.onRefused(ctx, row, idFacture, answer.libelle);
      return await this.fail(row, `CPP_${answer.codeRetour}`, `Chorus Pro refuse le statut ${row.targetStatus} (code ${answer.codeRetour}) : ${answer.libelle}`);
    } catch (err) {
      return this.onError(row, err);
    }
  }

  private traiter(ctx: ChorusProCallContext, row: OutboxWork, idFacture: number, status: string): Promise<TraiterFactureRecueResult> {
    const target = status === row.targetStatus;
    return this.api.traiterFactureRecue(ctx, {
      idFacture,
      nouveauStatut: status,
      // motif with REJETEE / SUSPENDUE (and A_RECYCLER), numeroDPMandat with MANDATEE (traiter/recue).
      ...(target && row.reason ? { motif: this.motif(row) } : {}),
      ...(target && row.mandateNumber ? { numeroDPMandat: row.mandateNumber } : {}),
    });
  }

  /**
   * The motif as Chorus Pro takes it: 255 characters counted in code points, as the action counted them when it was
   * given (composeReason) — an emoji is one character, never a cut surrogate pair. A longer text cannot come from the
   * actions; if one is found (a row written by hand), it is cut on a character boundary and the log says so.
   */
  private motif(row: OutboxWork): string {
    const reason = row.reason ?? '';
    if (codePointLength(reason) <= MAX_REASON_LENGTH) return reason;
    this.logger.warn(`Motif de ${codePointLength(reason)} caractères coupé à ${MAX_REASON_LENGTH} pour Chorus Pro (ligne d’outbox ${row.id})`);
    return sliceCodePoints(reason, MAX_REASON_LENGTH);
  }

  /** codeRetour 20002: already there, reachable through intermediate statuses, or refused for good. */
  private async onRefused(ctx: ChorusProCallContext, row: OutboxWork, idFacture: number, libelle: string): Promise<RowOutcome> {
    const history = await this.api.consulterHistorique(ctx, { idFacture, nbResultatsMaximum: 20 });
    const current = history.statutCourantCode;
    if (current === row.targetStatus) return this.done(row, 'alreadyThere', { cppStatus: current });
    const path = await this.intermediatePath(ctx, current, row.targetStatus, row.cadre);
    if (path) {
      for (const step of path) {
        const answer = await this.traiter(ctx, row, idFacture, step);
        if (!answer.accepted) {
          return this.fail(row, `CPP_${answer.codeRetour}`, `Chorus Pro refuse le statut intermédiaire ${step} (code ${answer.codeRetour}) : ${answer.libelle}`);
        }
        await this.uow.run((em) =>
          this.outbox.addHistory(em, [
            {
              invoiceId: row.invoiceId,
              step: 'STATUS_SENT',
              label: `Statut intermédiaire ${CPP_STATUS_LABELS[step] ?? step} transmis à Chorus Pro`,
              actor: ACTOR,
              at: this.clock.now(),
              details: { outboxId: row.id, status: step, intermediateFor: row.targetStatus, via: 'api' },
            },
          ]),
        );
      }
      const answer = await this.traiter(ctx, row, idFacture, row.targetStatus);
      if (answer.accepted) return this.done(row, 'sent', { intermediates: path });
      return this.fail(row, `CPP_${answer.codeRetour}`, `Chorus Pro refuse le statut ${row.targetStatus} après ${path.join(', ')} (code ${answer.codeRetour}) : ${answer.libelle}`);
    }
    return this.fail(
      row,
      `CPP_${CODE_RETOUR_BAD_TRANSITION}`,
      `Chorus Pro refuse le statut ${row.targetStatus} depuis ${current} (code ${CODE_RETOUR_BAD_TRANSITION}) : ${libelle}`,
    );
  }

  /** The shortest way current → … → target through allowed intermediates (at most two), asked to Chorus Pro. */
  private async intermediatePath(ctx: ChorusProCallContext, current: string, target: string, cadre: string): Promise<string[] | null> {
    let frontier: Array<{ status: string; path: string[] }> = [{ status: current, path: [] }];
    const seen = new Set([current]);
    for (let depth = 0; depth < 3 && frontier.length; depth++) {
      const nextFrontier: typeof frontier = [];
      for (const node of frontier) {
        const answer = await this.api.recupererEtatsTraitement(ctx, { statutCourant: node.status, cadreFacturation: cadre });
        const possible = answer.listeStatutsPossiblesPourTraitement.map((s) => s.statutPossiblePourTraitement);
        if (possible.includes(target)) return node.path.length ? node.path : null;
        for (const s of possible) {
          if (INTERMEDIATES.has(s) && !seen.has(s)) {
            seen.add(s);
            nextFrontier.push({ status: s, path: [...node.path, s] });
          }
        }
      }
      frontier = nextFrontier;
    }
    return null;
  }

  private async onError(row: OutboxWork, err: unknown): Promise<RowOutcome> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ChorusProQuotaExceededError || err instanceof ChorusProNotConfiguredError) {
      await this.retry(row, message, row.outcomeUnknown);
      throw new RunStop(message);
    }
    if (err instanceof ChorusProAccountError) return this.fail(row, 'CPP_ACCOUNT_REFUSED', message);
    if (err instanceof ChorusProHttpError && err.status >= 400 && err.status < 500) return this.fail(row, `HTTP_${err.status}`, message);
    // 429 and 503 are refused before any processing; a timeout, a reset or another 5xx may have been applied.
    const status = err instanceof ChorusProUnavailableError ? err.status : undefined;
    const unknown = row.outcomeUnknown || !(status === 429 || status === 503);
    await this.retry(row, message, unknown);
    return 'retry';
  }

  private async done(row: OutboxWork, outcome: 'sent' | 'alreadyThere', details: Record<string, unknown>): Promise<RowOutcome> {
    const recorded = await this.uow.run(async (em) => {
      const now = this.clock.now();
      if (!(await this.outbox.markSentByApi(em, row.id, row.attempts, now))) return false;
      const label = CPP_STATUS_LABELS[row.targetStatus] ?? row.targetStatus;
      await this.outbox.addHistory(em, [
        {
          invoiceId: row.invoiceId,
          step: 'STATUS_SENT',
          label: outcome === 'sent' ? `Statut ${label} transmis à Chorus Pro` : `Statut ${label} déjà présent sur Chorus Pro`,
          actor: ACTOR,
          at: now,
          details: { outboxId: row.id, targetStatus: row.targetStatus, via: 'api', outcome, ...details },
        },
      ]);
      return true;
    });
    return recorded ? outcome : 'released';
  }

  private async fail(row: OutboxWork, code: string, message: string): Promise<RowOutcome> {
    const recorded = await this.uow.run(async (em) => {
      if (!(await this.outbox.markFailed(em, row.id, code, message, row.attempts))) return false;
      await this.outbox.addHistory(em, [errorHistory(row, message, this.clock.now(), ACTOR, code)]);
      return true;
    });
    return recorded ? 'failed' : 'released';
  }

  private async retry(row: OutboxWork, message: string, outcomeUnknown: boolean): Promise<void> {
    const { retryBaseSeconds, retryMaxSeconds } = this.config.statusReturn;
    const backoff = Math.min(retryMaxSeconds, retryBaseSeconds * 2 ** Math.max(0, row.attempts - 1));
    // Jitter on the upper half: rows failed together during an outage do not all come back in the same second.
    const delayMs = (backoff / 2 + (Math.random() * backoff) / 2) * 1000;
    const nextAt = new Date(this.clock.now().getTime() + delayMs);
    await this.uow.run((em) => this.outbox.reschedule(em, row.id, row.attempts, nextAt, message, outcomeUnknown));
  }

  /** A claimed row this run will not process (run stopped): back to pending, due now, attempt not counted. */
  private async release(row: OutboxWork): Promise<void> {
    await this.uow.run((em) => this.outbox.release(em, row.id, row.attempts, this.clock.now()));
  }
}
