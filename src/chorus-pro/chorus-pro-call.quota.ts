import { Injectable } from '@nestjs/common';
import { ChorusProQuotaExceededError } from '@/chorus-pro/chorus-pro.errors';
import { sleep } from '@/chorus-pro/piste-token.provider';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { localDate } from '@/common/time/local-date';

/** Permission to send one call to Chorus Pro (port): waits for a free slot, throws when the day's quota is spent. */
export abstract class ChorusProCallQuota {
  abstract acquire(): Promise<void>;
  /** Calls counted today (timezone of the configuration), across every instance. */
  abstract todayCount(): Promise<number>;
}

/**
 * Quotas of the PISTE application (20 calls/s, 1,000,000/day in production) shared by every instance through
 * PostgreSQL — works on PGlite too. Tables are this module's own (migration 1700000003000), not business data.
 *
 * Time is cut in slots of 1/limit second (50 ms at 20/s), one call per slot: each call reserves the first free
 * slot from now on with an atomic capped upsert (a taken slot sends the caller to the next one, so waiting
 * callers queue up in order without polling), then waits for its slot's start. Calls thus leave evenly
 * spaced: at most `limit` (+1 at a slot's edge) in any second, sliding or calendar, which whatever limiter Chorus Pro runs
 * accepts — a burst of 20 at a second's edge followed by 20 more would not. The clock is the database's,
 * common to all instances.
 */
@Injectable()
export class PgCallQuota extends ChorusProCallQuota {
  private acquisitions = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
  ) {
    super();
  }

  async acquire(): Promise<void> {
    const perSecond = this.config.chorusPro.callsPerSecond;
    const slotMs = 1000 / perSecond;
    let minSlot = 0;
    for (let tries = 0; tries < 100_000; tries++) {
      const startedAt = Date.now();
      const reserved = await this.uow.run(async (em) => {
        const rows: Array<{ slot: number | string; now_ms: number; count: number | null }> = await em.query(
          `WITH t AS (
             SELECT greatest(floor(extract(epoch FROM clock_timestamp()) * 1000 / $2::float8)::bigint, $1::bigint) AS s,
                    (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms
           ), ins AS (
             INSERT INTO chorus_pro_call_slots (slot, count) SELECT s, 1 FROM t
             ON CONFLICT (slot) DO NOTHING
             RETURNING slot, count
           )
           SELECT t.s AS slot, t.now_ms AS now_ms, ins.count AS count FROM t LEFT JOIN ins ON ins.slot = t.s`,
          [minSlot, slotMs],
        );
        const row = rows[0];
        const slot = Number(row.slot);
        if (row.count === null || row.count === undefined) return { slot, nowMs: Number(row.now_ms), taken: false };
        const day = dayIn(this.config.timezone, (slot * slotMs) / 1000);
        const daily: Array<{ count: number }> = await em.query(
          `INSERT INTO chorus_pro_call_days (day, count) VALUES ($1, 1)
           ON CONFLICT (day) DO UPDATE SET count = chorus_pro_call_days.count + 1 WHERE chorus_pro_call_days.count < $2
           RETURNING count`,
          [day, this.config.chorusPro.callsPerDay],
        );
        if (daily.length === 0) throw new ChorusProQuotaExceededError(this.config.chorusPro.callsPerDay);
        return { slot, nowMs: Number(row.now_ms), taken: true };
      });
      if (!reserved.taken) {
        minSlot = reserved.slot + 1;
        continue;
      }
      const waitMs = reserved.slot * slotMs - reserved.nowMs - (Date.now() - startedAt) / 2;
      if (++this.acquisitions % 1000 === 0) void this.purge(reserved.slot - Math.ceil(3_600_000 / slotMs)).catch(() => undefined);
      if (waitMs > 0) await sleep(waitMs);
      return;
    }
    throw new Error('Chorus Pro : aucune place libre dans le quota par seconde');
  }

  async todayCount(): Promise<number> {
    const day = dayIn(this.config.timezone, Date.now() / 1000);
    const rows: Array<{ count: number }> = await this.uow.dataSource.query(`SELECT count FROM chorus_pro_call_days WHERE day = $1`, [day]);
    return rows.length ? Number(rows[0].count) : 0;
  }

  /** Slot rows are only useful for a moment; the daily rows are kept (history of use). */
  private async purge(beforeSlot: number): Promise<void> {
    await this.uow.run((em) => em.query(`DELETE FROM chorus_pro_call_slots WHERE slot < $1`, [beforeSlot]));
  }
}

/** The calendar day ('YYYY-MM-DD') of an epoch second in `timezone`. */
export function dayIn(timezone: string, epochSeconds: number): string {
  return localDate(new Date(epochSeconds * 1000), timezone);
}
