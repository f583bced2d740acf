import { DataSource } from 'typeorm';
import { DemoInvoiceDates } from '@/demo/demo-dates';

/**
 * The demo's own reads and writes on the invoices it imported from fixtures/pivot (nothing else is touched).
 * Moving calendar dates is not a state change: no transition, so no history or outbox row.
 */
export class DemoRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The invoices of the given flows (raw SHA-256, in fixture order), each with its place in its flow. */
  async invoicesOfFlows(sha256s: readonly string[]): Promise<DemoInvoiceDates[]> {
    const rows: Array<{ id: string; sha256: string; position: number; receptionDate: string }> = await this.dataSource.query(
      `SELECT i.id, f.sha256, (row_number() OVER (PARTITION BY i.flow_id ORDER BY i.num_ordre))::int - 1 AS position,
              to_char(i.reception_date, 'YYYY-MM-DD') AS "receptionDate"
         FROM invoices i JOIN flows f ON f.id = i.flow_id
        WHERE f.sha256 = ANY($1::text[])`,
      [sha256s],
    );
    return rows.map((r) => ({ id: r.id, flowIndex: sha256s.indexOf(r.sha256), position: r.position, receptionDate: r.receptionDate }));
  }

  /**
   * Moves every date of each invoice by its number of days. The reception instant (the lists' sort key) is
   * put on the reception day at 08:00 local time, one minute apart in the flow's order.
   */
  async shiftDates(shifts: ReadonlyArray<{ id: string; days: number }>, timeZone: string): Promise<void> {
    if (!shifts.length) return;
    await this.dataSource.query(
      `UPDATE invoices i
          SET issue_date = i.issue_date + s.days,
              delivery_date = i.delivery_date + s.days,
              reception_date = i.reception_date + s.days,
              moe_date = i.moe_date + s.days,
              due_date = i.due_date + s.days,
              suspended_since = i.suspended_since + make_interval(days => s.days),
              received_at = (((i.reception_date + s.days) + time '08:00') AT TIME ZONE $3) + make_interval(mins => i.num_ordre)
         FROM unnest($1::uuid[], $2::int[]) AS s(id, days)
        WHERE i.id = s.id`,
      [shifts.map((s) => s.id), shifts.map((s) => s.days), timeZone],
    );
  }
}
