import { Injectable } from '@nestjs/common';
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

  async claim(structureId: string, runKey: string, instanceId: string): Promise<boolean> {
    const rows = await this.uow.run((em) =>
      em.query(
        `INSERT INTO pull_claims (structure_id, run_key, instance_id) VALUES ($1, $2, $3)
         ON CONFLICT (structure_id, run_key) DO NOTHING RETURNING structure_id`,
        [structureId, runKey, instanceId],
      ),
    );
    return rows.length > 0;
  }

  async finishClaim(structureId: string, runKey: string, outcome: 'ok' | 'failed' | 'busy', apiCalls: number, error: string | null): Promise<void> {
    await this.uow.run((em) =>
      em.query(`UPDATE pull_claims SET finished_at = now(), outcome = $3, api_calls = $4, error = $5 WHERE structure_id = $1 AND run_key = $2`, [
        structureId,
        runKey,
        outcome,
        apiCalls,
        error,
      ]),
    );
  }

  /** Takes (or renews) the structure's lease; null when another holder's lease is still valid. */
  async lock(structureId: string, holder: string, ttlSeconds: number): Promise<{ windowEnd: Date | null } | null> {
    const rows: Array<{ window_end: Date | string | null }> = await this.uow.run((em) =>
      em.query(
        `INSERT INTO pull_windows (structure_id, locked_by, locked_until) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (structure_id) DO UPDATE SET locked_by = EXCLUDED.locked_by, locked_until = EXCLUDED.locked_until
           WHERE pull_windows.locked_until IS NULL OR pull_windows.locked_until < now() OR pull_windows.locked_by = EXCLUDED.locked_by
         RETURNING window_end`,
        [structureId, holder, ttlSeconds],
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
