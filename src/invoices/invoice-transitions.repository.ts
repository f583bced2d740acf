import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** What the workflow reads of an invoice before deciding. */
export interface InvoiceForWorkflow {
  id: string;
  status: string;
  cppStatus: string | null;
  structureId: string | null;
  anomalyCodes: string[];
  rowVersion: number;
  dueDate: string | null;
  suspendedSince: Date | null;
  number: string;
  type: string;
  cadre: string;
  issueDate: string;
  receptionDate: string;
  netAmount: string;
  supplierId: string;
  supplierName: string;
  bankAccount: string | null;
  bankHolder: string | null;
  /** « Comptable sous Hélios » of the invoice's structure (true when none): see outboxStatus in the state machine. */
  heliosComptable: boolean;
}

export interface HistoryStep {
  invoiceId: string;
  step: string;
  label: string;
  actor: string;
  at: Date;
  fromStatus: string | null;
  toStatus: string | null;
  flowId?: string | null;
  details?: Record<string, unknown> | null;
}

export interface HistoryView {
  id: number;
  step: string;
  label: string;
  actor: string;
  at: Date;
  fromStatus: string | null;
  toStatus: string | null;
  flowId: string | null;
  details: Record<string, unknown> | null;
}

const WORKFLOW_SELECT = `SELECT id, status, cpp_status AS "cppStatus", structure_id AS "structureId", anomaly_codes AS "anomalyCodes",
       row_version AS "rowVersion", due_date AS "dueDate", suspended_since AS "suspendedSince", number, type, cadre,
       issue_date AS "issueDate", reception_date AS "receptionDate", net_amount AS "netAmount",
       supplier_id AS "supplierId", supplier_name AS "supplierName", bank_account AS "bankAccount", bank_holder AS "bankHolder",
       coalesce((SELECT s.helios_comptable FROM structures s WHERE s.id = invoices.structure_id), true) AS "heliosComptable"
  FROM invoices`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** SQL of the workflow: invoice state under optimistic lock, history steps, outbox rows. */
@Injectable()
export class InvoiceTransitionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(em: EntityManager, id: string): Promise<InvoiceForWorkflow | null> {
    if (!isUuid(id)) return null;
    const rows: InvoiceForWorkflow[] = await em.query(`${WORKFLOW_SELECT} WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The invoices of `ids` that exist (any order). */
  async loadMany(em: EntityManager, ids: string[]): Promise<InvoiceForWorkflow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return em.query(`${WORKFLOW_SELECT} WHERE id = ANY($1::uuid[])`, [valid]);
  }

  /**
   * Only `cpp_status` changes, for many invoices, each under its own optimistic lock (row_version): returns the ids
   * updated, so the caller sees which ones somebody changed meanwhile.
   */
  async updateCppStatuses(em: EntityManager, changes: Array<{ invoice: InvoiceForWorkflow; cppStatus: string }>, now: Date): Promise<Set<string>> {
    if (changes.length === 0) return new Set();
    const res: unknown = await em.query(
      `UPDATE invoices i SET cpp_status = c.cpp_status, updated_at = $4, row_version = i.row_version + 1
         FROM unnest($1::uuid[], $2::int[], $3::varchar[]) AS c(id, row_version, cpp_status)
        WHERE i.id = c.id AND i.row_version = c.row_version RETURNING i.id`,
      [changes.map((c) => c.invoice.id), changes.map((c) => c.invoice.rowVersion), changes.map((c) => c.cppStatus), now],
    );
    return new Set((returnedRows(res) as Array<{ id: string }>).map((r) => r.id));
  }

  /** History steps written together (no id returned: no outbox row points at them). */
  async addHistories(em: EntityManager, steps: HistoryStep[]): Promise<void> {
    if (steps.length === 0) return;
    const col = <K extends keyof HistoryStep>(k: K) => steps.map((s) => s[k] ?? null);
    await em.query(
      `INSERT INTO invoice_history (invoice_id, step, label, actor, at, from_status, to_status, flow_id, details)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::varchar[], $7::varchar[], $8::uuid[], $9::jsonb[])`,
      [col('invoiceId'), col('step'), col('label'), col('actor'), col('at'), col('fromStatus'), col('toStatus'), col('flowId'),
        steps.map((s) => (s.details ? JSON.stringify(s.details) : null))],
    );
  }

  /**
   * Moves the invoice only if nobody changed it since it was read (row_version): on PostgreSQL the second of
   * two concurrent updates waits for the first, then finds the version changed and updates nothing.
   */
  async update(
    em: EntityManager,
    invoice: InvoiceForWorkflow,
    change: { status: string; dueDate: string | null; suspendedSince: Date | null; cppStatus: string | null; now: Date },
  ): Promise<boolean> {
    const res: unknown = await em.query(
      `UPDATE invoices SET status = $3, due_date = $4, suspended_since = $5, cpp_status = $6, updated_at = $7,
              row_version = row_version + 1
        WHERE id = $1 AND row_version = $2 RETURNING row_version`,
      [invoice.id, invoice.rowVersion, change.status, change.dueDate, change.suspendedSince, change.cppStatus, change.now],
    );
    return returnedRows(res).length === 1;
  }

  async addHistory(em: EntityManager, step: HistoryStep): Promise<number> {
    const rows: Array<{ id: number }> = await em.query(
      `INSERT INTO invoice_history (invoice_id, step, label, actor, at, from_status, to_status, flow_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [step.invoiceId, step.step, step.label, step.actor, step.at, step.fromStatus, step.toStatus, step.flowId ?? null, step.details ? JSON.stringify(step.details) : null],
    );
    return Number(rows[0].id);
  }

  async addOutbox(
    em: EntityManager,
    row: { invoiceId: string; structureId: string | null; targetStatus: string; reason: string | null; mandateNumber: string | null; historyId: number; now: Date },
  ): Promise<void> {
    await em.query(
      `INSERT INTO status_outbox (invoice_id, structure_id, target_status, reason, mandate_number, history_id, created_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [row.invoiceId, row.structureId, row.targetStatus, row.reason, row.mandateNumber, row.historyId, row.now],
    );
  }

  /** The REJETEE still waiting in the outbox, locked so the sender cannot take it meanwhile. */
  async pendingRejection(em: EntityManager, invoiceId: string): Promise<number | null> {
    const rows: Array<{ id: number }> = await em.query(
      `SELECT id FROM status_outbox WHERE invoice_id = $1 AND target_status = 'REJETEE' AND state = 'pending'
        ORDER BY id DESC LIMIT 1 FOR UPDATE`,
      [invoiceId],
    );
    return rows.length ? Number(rows[0].id) : null;
  }

  /** When the invoice was first suspended (history step of the suspend rule), null if never: R2192-27 allows one. */
  async firstStep(em: EntityManager, invoiceId: string, step: string): Promise<Date | null> {
    const rows: Array<{ at: Date }> = await em.query(
      `SELECT at FROM invoice_history WHERE invoice_id = $1 AND step = $2 ORDER BY id LIMIT 1`,
      [invoiceId, step],
    );
    return rows.length ? new Date(rows[0].at) : null;
  }

  async cancelOutbox(em: EntityManager, id: number): Promise<void> {
    await em.query(`UPDATE status_outbox SET state = 'cancelled' WHERE id = $1 AND state = 'pending'`, [id]);
  }

  async history(invoiceId: string): Promise<HistoryView[]> {
    return this.dataSource.query(
      `SELECT id, step, label, actor, at, from_status AS "fromStatus", to_status AS "toStatus", flow_id AS "flowId", details
         FROM invoice_history WHERE invoice_id = $1 ORDER BY id`,
      [invoiceId],
    );
  }

  async structureOf(id: string): Promise<{ structureId: string | null } | null> {
    if (!isUuid(id)) return null;
    const rows: Array<{ structureId: string | null }> = await this.dataSource.query(
      `SELECT structure_id AS "structureId" FROM invoices WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}

/** UPDATE … RETURNING comes back as [rows, count] from TypeORM's postgres driver. */
function returnedRows(res: unknown): unknown[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0];
  return Array.isArray(res) ? res : [];
}
