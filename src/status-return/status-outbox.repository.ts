import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The return mode a structure's rows follow: the explicit `structures.return_mode`, else `api` when the
 * structure has a Chorus Pro technical account, else `file`. Rows of invoices without a structure (unknown
 * recipient, rejected) have no account: `file`.
 */
export const EFFECTIVE_MODE_SQL = `coalesce(s.return_mode, CASE WHEN s.cpro_login IS NOT NULL THEN 'api' ELSE 'file' END)`;

/** An outbox row with what the sender and the writer need of its invoice. */
export interface OutboxWork {
  id: number;
  invoiceId: string;
  structureId: string | null;
  targetStatus: string;
  reason: string | null;
  mandateNumber: string | null;
  state: string;
  attempts: number;
  outcomeUnknown: boolean;
  createdAt: Date;
  invoiceNumber: string;
  issueDate: string;
  cproId: string | null;
  cadre: string;
  supplierIdType: string;
  supplierId: string;
  supplierName: string;
  supplierCountry: string | null;
  debtorId: string;
  debtorName: string | null;
  serviceCode: string | null;
  serviceName: string | null;
  structureSiret: string | null;
  structureName: string | null;
}

export interface HistoryRow {
  invoiceId: string;
  step: string;
  label: string;
  actor: string;
  at: Date;
  details: Record<string, unknown>;
}

export interface OutboxView {
  id: number;
  invoiceId: string;
  invoiceNumber: string;
  structureId: string | null;
  targetStatus: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  errorCode: string | null;
  sentVia: string | null;
  statusFlowId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const WORK_COLUMNS = `
  o.id, o.invoice_id AS "invoiceId", o.structure_id AS "structureId", o.target_status AS "targetStatus", o.reason,
  o.mandate_number AS "mandateNumber", o.state, o.attempts, o.outcome_unknown AS "outcomeUnknown", o.created_at AS "createdAt",
  i.number AS "invoiceNumber", i.issue_date AS "issueDate", i.cpro_id AS "cproId", i.cadre,
  i.supplier_id_type AS "supplierIdType", i.supplier_id AS "supplierId", i.supplier_name AS "supplierName",
  i.supplier_country AS "supplierCountry", i.debtor_id AS "debtorId", i.debtor_name AS "debtorName",
  i.service_code AS "serviceCode", i.service_name AS "serviceName", s.siret AS "structureSiret", s.name AS "structureName"`;

/** Rows of one invoice that are not done yet keep the later ones waiting (per-invoice order). */
const NOT_DONE = `('pending', 'sending', 'failed')`;

function normalise(row: OutboxWork): OutboxWork {
  row.id = Number(row.id);
  row.attempts = Number(row.attempts);
  return row;
}

/** SQL of the outbox (status_outbox) and of the generated / imported flows registry (status_flows). */
@Injectable()
export class StatusOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims, for the API sender, the first not-done row of invoices whose structure is in mode `api`, due now:
   * locked with SKIP LOCKED (two senders never take the same row), then marked `sending` under a lease (the
   * call is made outside the transaction; a sender that dies leaves the row to be taken again after the lease).
   */
  async claimForApi(em: EntityManager, now: Date, limit: number, leaseUntil: Date): Promise<OutboxWork[]> {
    const ids: Array<{ id: number }> = await em.query(
      `SELECT o.id FROM status_outbox o
         LEFT JOIN structures s ON s.id = o.structure_id
        WHERE o.state IN ('pending', 'sending') AND o.next_attempt_at <= $1
          AND ${EFFECTIVE_MODE_SQL} = 'api'
          AND NOT EXISTS (SELECT 1 FROM status_outbox p WHERE p.invoice_id = o.invoice_id AND p.id < o.id AND p.state IN ${NOT_DONE})
        ORDER BY o.id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED`,
      [now, limit],
    );
    if (ids.length === 0) return [];
    const list = ids.map((r) => Number(r.id));
    // A row found `sending` lost its sender (lease over): its call may have reached Chorus Pro.
    await em.query(
      `UPDATE status_outbox SET outcome_unknown = outcome_unknown OR state = 'sending', state = 'sending',
              attempts = attempts + 1, next_attempt_at = $2
        WHERE id = ANY($1::bigint[])`,
      [list, leaseUntil],
    );
    const rows: OutboxWork[] = await em.query(
      `SELECT ${WORK_COLUMNS} FROM status_outbox o JOIN invoices i ON i.id = o.invoice_id LEFT JOIN structures s ON s.id = o.structure_id
        WHERE o.id = ANY($1::bigint[]) ORDER BY o.id`,
      [list],
    );
    return rows.map(normalise);
  }

  /** Chorus Pro has the status: done, if this sender still holds the row (same attempt). */
  async markSentByApi(em: EntityManager, id: number, attempt: number, now: Date): Promise<boolean> {
    const rows: unknown = await em.query(
      `UPDATE status_outbox SET state = 'sent', sent_via = 'api', sent_at = $3, last_error = NULL, error_code = NULL,
              outcome_unknown = false
        WHERE id = $1 AND attempts = $2 AND state = 'sending' RETURNING id`,
      [id, attempt, now],
    );
    return returned(rows) === 1;
  }

  /** Transient failure: back to `pending`, due again at `nextAt`. */
  async reschedule(em: EntityManager, id: number, attempt: number, nextAt: Date, error: string, outcomeUnknown: boolean): Promise<void> {
    await em.query(
      `UPDATE status_outbox SET state = 'pending', next_attempt_at = $3, last_error = $4, outcome_unknown = $5
        WHERE id = $1 AND attempts = $2 AND state = 'sending'`,
      [id, attempt, nextAt, error.slice(0, 2000), outcomeUnknown],
    );
  }

  /** A claimed row left unprocessed (run stopped): pending again, due at `now`, the attempt not counted. */
  async release(em: EntityManager, id: number, attempt: number, now: Date): Promise<void> {
    await em.query(
      `UPDATE status_outbox SET state = 'pending', attempts = attempts - 1, next_attempt_at = $3
        WHERE id = $1 AND attempts = $2 AND state = 'sending'`,
      [id, attempt, now],
    );
  }

  /** The row needs the staff: Chorus Pro refused it, or it cannot be written. */
  async markFailed(em: EntityManager, id: number, code: string, message: string, attempt?: number): Promise<boolean> {
    const rows: unknown = await em.query(
      `UPDATE status_outbox SET state = 'failed', error_code = $2, last_error = $3, outcome_unknown = false
        WHERE id = $1 AND state IN ('pending', 'sending') ${attempt === undefined ? '' : 'AND attempts = $4'} RETURNING id`,
      attempt === undefined ? [id, code, message.slice(0, 2000)] : [id, code, message.slice(0, 2000), attempt],
    );
    return returned(rows) === 1;
  }

  /**
   * Pending rows a CPPStatut file may carry, with the rows that keep them waiting (earlier not-done rows of
   * the same invoice), locked until the file is written and the rows marked: a rejection being written
   * cannot be cancelled meanwhile, and two generations never carry the same row.
   */
  async lockForFile(
    em: EntityManager,
    filter: { invoiceId?: string; invoiceNumber?: string; structureIds?: string[] | 'all'; includeUnassigned: boolean; siret?: string },
  ): Promise<OutboxWork[]> {
    const where: string[] = [`o.state IN ${NOT_DONE}`, `${EFFECTIVE_MODE_SQL} = 'file'`];
    const params: unknown[] = [];
    if (filter.invoiceId) {
      params.push(filter.invoiceId);
      where.push(`o.invoice_id = $${params.length}`);
    }
    if (filter.invoiceNumber) {
      params.push(filter.invoiceNumber);
      where.push(`i.number = $${params.length}`);
    }
    if (filter.siret) {
      params.push(filter.siret);
      where.push(`s.siret = $${params.length}`);
    }
    if (filter.structureIds !== undefined && filter.structureIds !== 'all') {
      params.push(filter.structureIds);
      where.push(`(o.structure_id = ANY($${params.length}::uuid[])${filter.includeUnassigned ? ' OR o.structure_id IS NULL' : ''})`);
    } else if (!filter.includeUnassigned) {
      where.push('o.structure_id IS NOT NULL');
    }
    const rows: OutboxWork[] = await em.query(
      `SELECT ${WORK_COLUMNS} FROM status_outbox o JOIN invoices i ON i.id = o.invoice_id LEFT JOIN structures s ON s.id = o.structure_id
        WHERE ${where.join(' AND ')}
        ORDER BY o.invoice_id, o.id
        FOR UPDATE OF o`,
      params,
    );
    return rows.map(normalise);
  }

  async markSentByFile(em: EntityManager, ids: number[], flowId: string, now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const rows: unknown = await em.query(
      `UPDATE status_outbox SET state = 'sent', sent_via = 'file', status_flow_id = $2, sent_at = $3, last_error = NULL, error_code = NULL
        WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING id`,
      [ids, flowId, now],
    );
    return returned(rows);
  }

  async addHistory(em: EntityManager, rows: HistoryRow[]): Promise<void> {
    for (let k = 0; k < rows.length; k += 1000) {
      const slice = rows.slice(k, k + 1000);
      await em.query(
        `INSERT INTO invoice_history (invoice_id, step, label, actor, at, details)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::jsonb[])`,
        [
          slice.map((r) => r.invoiceId),
          slice.map((r) => r.step),
          slice.map((r) => r.label),
          slice.map((r) => r.actor),
          slice.map((r) => r.at.toISOString()),
          slice.map((r) => JSON.stringify(r.details)),
        ],
      );
    }
  }

  async nextIdFlx(em: EntityManager): Promise<number> {
    const rows: Array<{ n: string | number }> = await em.query(`SELECT nextval('status_flow_idflx_seq') AS n`);
    return Number(rows[0].n);
  }

  /** Rows still owed to Chorus Pro, by state and mode (push summary, metrics). */
  async countOpen(): Promise<Array<{ mode: string; state: string; count: number }>> {
    const rows: Array<{ mode: string; state: string; count: string | number }> = await this.dataSource.query(
      `SELECT ${EFFECTIVE_MODE_SQL} AS mode, o.state, count(*) AS count
         FROM status_outbox o LEFT JOIN structures s ON s.id = o.structure_id
        WHERE o.state IN ${NOT_DONE} GROUP BY 1, 2`,
    );
    return rows.map((r) => ({ mode: r.mode, state: r.state, count: Number(r.count) }));
  }

  async list(filter: { state?: string; invoiceId?: string; structureIds: string[] | 'all'; includeUnassigned: boolean; limit: number }): Promise<OutboxView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) {
      params.push(filter.state);
      where.push(`o.state = $${params.length}`);
    }
    if (filter.invoiceId) {
      params.push(filter.invoiceId);
      where.push(`o.invoice_id = $${params.length}`);
    }
    if (filter.structureIds !== 'all') {
      params.push(filter.structureIds);
      where.push(`(o.structure_id = ANY($${params.length}::uuid[])${filter.includeUnassigned ? ' OR o.structure_id IS NULL' : ''})`);
    }
    params.push(filter.limit);
    const rows: OutboxView[] = await this.dataSource.query(
      `SELECT o.id, o.invoice_id AS "invoiceId", i.number AS "invoiceNumber", o.structure_id AS "structureId",
              o.target_status AS "targetStatus", o.state, o.attempts, o.next_attempt_at AS "nextAttemptAt",
              o.last_error AS "lastError", o.error_code AS "errorCode", o.sent_via AS "sentVia",
              o.status_flow_id AS "statusFlowId", o.created_at AS "createdAt", o.sent_at AS "sentAt"
         FROM status_outbox o JOIN invoices i ON i.id = o.invoice_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY o.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
  }

  async findOne(em: EntityManager, id: number): Promise<{ id: number; invoiceId: string; structureId: string | null; state: string } | null> {
    const rows: Array<{ id: number; invoiceId: string; structureId: string | null; state: string }> = await em.query(
      `SELECT id, invoice_id AS "invoiceId", structure_id AS "structureId", state FROM status_outbox WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : null;
  }

  /** A failed row sent again (after the staff fixed the invoice on Chorus Pro's side). */
  async requeue(em: EntityManager, id: number, now: Date): Promise<void> {
    await em.query(
      `UPDATE status_outbox SET state = 'pending', next_attempt_at = $2, error_code = NULL, last_error = NULL
        WHERE id = $1 AND state = 'failed'`,
      [id, now],
    );
  }

  /** A failed row given up (the status was entered on the portal by hand). */
  async abandon(em: EntityManager, id: number): Promise<void> {
    await em.query(`UPDATE status_outbox SET state = 'cancelled' WHERE id = $1 AND state = 'failed'`, [id]);
  }
}

/** UPDATE … RETURNING comes back as [rows, count] from TypeORM's postgres driver. */
export function returned(res: unknown): number {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0].length;
  return Array.isArray(res) ? res.length : 0;
}
