import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Gapless numbering (mandates per budget and year, PES bordereaux and titres …): the counter row is
 * incremented inside the CALLER's transaction. The row lock taken by the upsert serialises concurrent
 * allocations of the same scope until commit, and a rollback gives the number back: no gap, no duplicate.
 * Table `sequences (scope, year, last)` (migration 1700000004000).
 */
@Injectable()
export class SequenceService {
  /** Next number (1, 2, …) of `scope` for `year`. Must be called inside `UnitOfWork.run`. */
  async next(em: EntityManager, scope: string, year: number): Promise<number> {
    const rows: Array<{ last: number }> = await em.query(
      `INSERT INTO sequences (scope, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (scope, year) DO UPDATE SET last = sequences.last + 1
       RETURNING last`,
      [scope, year],
    );
    return Number(rows[0].last);
  }

  /** Last number given for `scope` and `year` (0 when none), without allocating. */
  async current(em: EntityManager, scope: string, year: number): Promise<number> {
    const rows: Array<{ last: number }> = await em.query(`SELECT last FROM sequences WHERE scope = $1 AND year = $2`, [scope, year]);
    return rows.length ? Number(rows[0].last) : 0;
  }
}
