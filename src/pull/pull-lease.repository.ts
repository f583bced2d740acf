import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { PullOutcome } from '@/pull/pull.types';
import { UnitOfWork } from '@/database/unit-of-work';

/**
 * Coordination of pulls between instances sharing one database:
 * - a claim per (structure, run key), inserted ON CONFLICT DO NOTHING: the first instance gets the structure
 *   for this run, the others skip it — each structure is pulled once per run;
 * - a lease on the structure's window row (holder + expiry, renewed while working): no two pulls of one
 *   structure at once (nightly run and a manual `passerelle pull`), and a crashed holder frees it on expiry;
 * - the window end, advanced only when the structure's pull succeeded.
 */
@Injectable()
export class PullLeaseRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Claims the structure for this run. A claim left by a pull that died (no outcome, and its lease expired or its
   * holder — a process of this machine — gone) is taken again, and so is one that found the structure busy: a crash
   * never makes a run skip a structure silently.
   */
  async claim(structureId: string, runKey: string, instanceId: string): Promise<boolean> {
    const current = await this.claimState(structureId, runKey);
    const dead = [current?.instanceId, current?.lockedBy].filter((h): h is string => Boolean(h) && isDeadLocalHolder(h!));
    const rows = await this.uow.run((em) =>
      em.query(
        `INSERT INTO pull_claims (structure_id, run_key, instance_id) VALUES ($1, $2, $3)
         ON CONFLICT (structure_id, run_key) DO UPDATE
           SET instance_id = EXCLUDED.instance_id, claimed_at = now(), finished_at = NULL, outcome = NULL, error = NULL, api_calls = NULL
           WHERE pull_claims.outcome = 'busy'
              OR (pull_claims.outcome IS NULL AND (pull_claims.instance_id = ANY($4::text[])
                  OR (pull_claims.claimed_at < now() - interval '30 seconds'
                      AND NOT EXISTS (SELECT 1 FROM pull_windows w WHERE w.structure_id = $1 AND w.locked_until >= now()))))
         RETURNING structure_id`,
        [structureId, runKey, instanceId, dead],
      ),
    );
    return rows.length > 0;
  }

  /** The run's claim on the structure and the structure's lease, as another instance sees them. */
  async claimState(structureId: string, runKey: string): Promise<ClaimState | null> {
    const rows: Array<{ instance_id: string; outcome: string | null; error: string | null; locked_by: string | null; locked_until: Date | string | null }> =
      await this.uow.dataSource.query(
        `SELECT c.instance_id, c.outcome, c.error, w.locked_by, w.locked_until
           FROM pull_claims c LEFT JOIN pull_windows w ON w.structure_id = c.structure_id
          WHERE c.structure_id = $1 AND c.run_key = $2`,
        [structureId, runKey],
      );
    const r = rows[0];
    if (!r) return null;
    return { instanceId: r.instance_id, outcome: r.outcome, error: r.error, lockedBy: r.locked_by, lockedUntil: r.locked_until ? new Date(r.locked_until) : null };
  }

  /** Who holds the structure's lease, and until when (null when free). */
  async lease(structureId: string): Promise<{ holder: string; until: Date } | null> {
    const rows: Array<{ locked_by: string | null; locked_until: Date | string | null }> = await this.uow.dataSource.query(
      `SELECT locked_by, locked_until FROM pull_windows WHERE structure_id = $1 AND locked_until >= now()`,
      [structureId],
    );
    const r = rows[0];
    return r?.locked_by && r.locked_until ? { holder: r.locked_by, until: new Date(r.locked_until) } : null;
  }

  /** Ends the claim and records the structure's last outcome (`busy` is recorded as skipped, with the reason). */
  async finishClaim(structureId: string, runKey: string, outcome: 'ok' | 'failed' | 'busy', apiCalls: number, error: string | null): Promise<void> {
    await this.uow.run((em) =>
      em.query(
        `WITH c AS (
           UPDATE pull_claims SET finished_at = now(), outcome = $3, api_calls = $4, error = $5 WHERE structure_id = $1 AND run_key = $2
           RETURNING structure_id, instance_id)
         INSERT INTO pull_outcomes (structure_id, outcome, message, run_key, instance_id, api_calls, at)
         SELECT structure_id, CASE WHEN $3 = 'busy' THEN 'skipped' ELSE $3 END, $5, $2, instance_id, $4, now() FROM c
         ON CONFLICT (structure_id) DO UPDATE
           SET outcome = EXCLUDED.outcome, message = EXCLUDED.message, run_key = EXCLUDED.run_key, instance_id = EXCLUDED.instance_id,
               api_calls = EXCLUDED.api_calls, at = EXCLUDED.at`,
        [structureId, runKey, outcome, apiCalls, error],
      ),
    );
  }

  /** The last outcome of each structure's pull (API, admin page, /metrics). */
  async lastOutcomes(structureIds: string[] | 'all'): Promise<PullOutcome[]> {
    const rows: Array<{ siret: string; name: string; outcome: PullOutcome['outcome']; message: string | null; at: Date | string; run_key: string; api_calls: number }> =
      await this.uow.dataSource.query(
        `SELECT s.siret, s.name, o.outcome, o.message, o.at, o.run_key, o.api_calls
           FROM pull_outcomes o JOIN structures s ON s.id = o.structure_id
          WHERE $1::boolean OR o.structure_id = ANY($2::uuid[])
          ORDER BY s.siret`,
        [structureIds === 'all', structureIds === 'all' ? [] : structureIds],
      );
    return rows.map((r) => ({ siret: r.siret, name: r.name, outcome: r.outcome, message: r.message, at: new Date(r.at), runKey: r.run_key, apiCalls: Number(r.api_calls) }));
  }

  /** Takes (or renews) the structure's lease; null when another holder's lease is still valid. */
  async lock(structureId: string, holder: string, ttlSeconds: number): Promise<{ windowEnd: Date | null } | null> {
    const current = await this.lease(structureId);
    // A lease whose holder is a process of this machine that no longer exists (kill -9) is taken over at once.
    const dead = current && current.holder !== holder && isDeadLocalHolder(current.holder) ? [current.holder] : [];
    const rows: Array<{ window_end: Date | string | null }> = await this.uow.run((em) =>
      em.query(
        `INSERT INTO pull_windows (structure_id, locked_by, locked_until) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (structure_id) DO UPDATE SET locked_by = EXCLUDED.locked_by, locked_until = EXCLUDED.locked_until
           WHERE pull_windows.locked_until IS NULL OR pull_windows.locked_until < now() OR pull_windows.locked_by = EXCLUDED.locked_by
              OR pull_windows.locked_by = ANY($4::text[])
         RETURNING window_end`,
        [structureId, holder, ttlSeconds, dead],
      ),
    );
    if (rows.length === 0) return null;
    const end = rows[0].window_end;
    return { windowEnd: end ? new Date(end) : null };
  }

  async unlock(structureId: string, holder: string): Promise<void> {
    await this.uow.run((em) =>
      em.query(`UPDATE pull_windows SET locked_by = NULL, locked_until = NULL WHERE structure_id = $1 AND locked_by = $2`, [structureId, holder]),
    );
  }

  /** The pull succeeded up to `windowEnd`: the next one starts there (minus the overlap). */
  async advance(structureId: string, holder: string, windowEnd: Date): Promise<void> {
    await this.uow.run((em) =>
      em.query(
        `UPDATE pull_windows SET window_end = $3, last_success_at = now(), last_error = NULL WHERE structure_id = $1 AND locked_by = $2`,
        [structureId, holder, windowEnd],
      ),
    );
  }

  async recordFailure(structureId: string, holder: string, message: string): Promise<void> {
    await this.uow.run((em) =>
      em.query(`UPDATE pull_windows SET last_error = $3 WHERE structure_id = $1 AND locked_by = $2`, [structureId, holder, message.slice(0, 2000)]),
    );
  }

  async windowEnd(structureId: string): Promise<Date | null> {
    const rows: Array<{ window_end: Date | string | null }> = await this.uow.dataSource.query(
      `SELECT window_end FROM pull_windows WHERE structure_id = $1`,
      [structureId],
    );
    return rows[0]?.window_end ? new Date(rows[0].window_end) : null;
  }
}

export interface ClaimState {
  instanceId: string;
  outcome: string | null;
  error: string | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
}

/**
 * `host:pid:random` (PullService.instanceId) of a process of this machine that no longer runs. A holder on another
 * machine is never judged dead here: its lease expiring says so.
 */
export function isDeadLocalHolder(holder: string): boolean {
  const parts = holder.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts.slice(0, -2).join(':') !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
