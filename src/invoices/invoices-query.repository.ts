import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { InvoiceScope } from '@/users/principal';
import { BadRequestError } from '@/common/errors/domain.error';
import { isCalendarDate, isUuid } from '@/common/http/validators';
import { INVOICE_STATUSES } from '@/invoices/invoice-state.machine';

export interface InvoiceFilters {
  status?: string[];
  structure?: string; // SIRET or structure id
  serviceCode?: string;
  supplier?: string; // supplier identifier, or part of its name
  number?: string;
  receivedFrom?: string; // reception date (YYYY-MM-DD), inclusive
  receivedTo?: string;
  amountMin?: string; // net à payer
  amountMax?: string;
  anomaly?: string; // an anomaly code, or '*' for any
  dueBefore?: string; // due date ≤ (dueWithinDays)
  flowId?: string;
  /** Screen tab of « Intégration des flux » (see LIST_TABS). */
  tab?: ListTab;
}

/**
 * The three lists of Corail's « Intégration des flux »: à créer (to process), déjà créées (recorded or
 * further), en anomalie ou rejetées (a problem to look at, including to-process invoices with anomalies).
 */
export const LIST_TABS = {
  'a-creer': { statuses: ['A_TRAITER'], orAnomalies: false },
  creees: { statuses: ['FACTUREE', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT'], orAnomalies: false },
  anomalies: { statuses: ['REJETEE', 'SUSPENDUE', 'A_RECYCLER'], orAnomalies: true },
} as const;
export type ListTab = keyof typeof LIST_TABS;

/**
 * Sort orders of the lists, each keyset-paged on (keys…, id) and backed by an index: invoices_reception_idx and
 * invoices_status_reception_idx (migration 1700000013000), invoices_status_due_key_idx and
 * invoices_status_net_amount_idx (migration 1700000007000).
 * « Réception » sorts by the reception date the lists show (DateReception), then by the instant the flow was read:
 * sorting by the import instant alone listed a 11/03 invoice imported late before a 12/03 one imported early.
 * Invoices without a due date sort last (coalesce to the far future, the same expression as the index).
 */
const DUE_KEY = `coalesce(i.due_date, DATE '9999-12-31')`;
type SortKey = { expr: string; cast: 'timestamptz' | 'date' | 'numeric'; text: string };
const RECEPTION: SortKey = { expr: 'i.reception_date', cast: 'date', text: `to_char(i.reception_date, 'YYYY-MM-DD')` };
// Microsecond ISO text: a millisecond cursor would skip invoices of one flow sharing a received_at.
const RECEIVED: SortKey = { expr: 'i.received_at', cast: 'timestamptz', text: `to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` };
const DUE: SortKey = { expr: DUE_KEY, cast: 'date', text: `to_char(${DUE_KEY}, 'YYYY-MM-DD')` };
const NET: SortKey = { expr: 'i.net_amount', cast: 'numeric', text: 'i.net_amount::text' };
export const LIST_SORTS = {
  received_desc: { keys: [RECEPTION, RECEIVED], dir: 'DESC' },
  received_asc: { keys: [RECEPTION, RECEIVED], dir: 'ASC' },
  due_asc: { keys: [DUE], dir: 'ASC' },
  due_desc: { keys: [DUE], dir: 'DESC' },
  amount_desc: { keys: [NET], dir: 'DESC' },
  amount_asc: { keys: [NET], dir: 'ASC' },
} as const satisfies Record<string, { keys: readonly SortKey[]; dir: 'ASC' | 'DESC' }>;
export type ListSort = keyof typeof LIST_SORTS;

/**
 * Why an invoice is rejected, suspended or sent back (« Rejet : Cette facture ne nous est pas destinée »): the motif of
 * the history step that put it in its current state (invoice_history_invoice_idx; 50 rows a page).
 */
const LAST_REASON = `CASE WHEN i.status IN ('REJETEE', 'SUSPENDUE', 'A_RECYCLER') THEN (
    SELECT h.details->>'reason' FROM invoice_history h
     WHERE h.invoice_id = i.id AND h.to_status = i.status ORDER BY h.id DESC LIMIT 1) END`;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListRow {
  id: string;
  number: string;
  supplier_id: string;
  supplier_name: string;
  debtor_id: string;
  structure_id: string | null;
  service_code: string | null;
  type: string;
  cadre: string;
  status: string;
  cpp_status: string | null;
  net_amount: string;
  amount_ttc: string;
  amount_ht: string;
  anomaly_codes: string[];
  attachment_count: number;
  reception_date: string;
  issue_date: string;
  due_date: string | null;
  suspended_since: Date | null;
  received_at: Date;
  flow_id: string;
  sort_key?: string;
  last_reason?: string | null;
}

// Keyset pagination on (sort keys, id): stable and index-backed at 100,000+ invoices. A cursor names its sort, so a
// cursor made for another order starts the list over.
const KEY_SEPARATOR = '~';

function encodeCursor(sort: ListSort, row: ListRow): string {
  return Buffer.from(`${sort}|${String(row.sort_key)}|${row.id}`).toString('base64url');
}

// As encodeCursor writes them: anything else was not made by this service.
const KEY_FORMATS: Record<SortKey['cast'], (v: string) => boolean> = {
  timestamptz: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => isCalendarDate(v),
  numeric: (v) => /^-?\d{1,30}(\.\d{1,6})?$/.test(v),
};

function decodeCursor(cursor: string, sort: ListSort): { keys: string[]; id: string } | null {
  const [cursorSort, key, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // A cursor only continues the sort it was made for.
  if (cursorSort !== sort || !key || !id || rest.length || !isUuid(id)) return null;
  const keys = key.split(KEY_SEPARATOR);
  const defs = LIST_SORTS[sort].keys;
  if (keys.length !== defs.length || !defs.every((d, k) => KEY_FORMATS[d.cast](keys[k]))) return null;
  return { keys, id };
}

/** A list query as the repository runs it: the bench times the same SQL raw and prints its plan. */
export interface ListQuery {
  sql: string;
  params: unknown[];
}

// Past this many structures, branching per structure reads more index entries than the status indexes do.
const MAX_STRUCTURE_BRANCHES = 32;

const LIST_COLUMNS = `i.id, i.number, i.supplier_id, i.supplier_name, i.debtor_id, i.structure_id, i.service_code, i.type, i.cadre,
             i.status, i.cpp_status, i.net_amount, i.amount_ttc, i.amount_ht, i.anomaly_codes, i.attachment_count,
             i.reception_date, i.issue_date, i.due_date, i.suspended_since, i.received_at, i.flow_id`;

@Injectable()
export class InvoicesQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: InvoiceScope, f: InvoiceFilters, limit: number, cursor?: string, sort: ListSort = 'received_desc'): Promise<Page<ListRow>> {
    const q = this.listQuery(scope, f, limit, cursor, sort);
    const rows: ListRow[] = await this.dataSource.query(q.sql, q.params);
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? encodeCursor(sort, items[items.length - 1]) : null };
  }

  /**
   * One page (limit + 1 rows: the extra one only says « there is more »; never a count) at any table size. An index
   * range scan cannot return `structure_id = ANY(…) AND status = ANY(…)` in sort order, so the page is read per
   * branch — one (structure, status) pair, or one status when every structure is in scope — each branch an ordered
   * scan of invoices_structure_status_*_idx (migration 1700000015800) or invoices_status_* stopping after limit + 1
   * rows, and the branches' rows are merged. The row predicates are the same as a single WHERE would be.
   */
  listQuery(scope: InvoiceScope, f: InvoiceFilters, limit: number, cursor?: string, sort: ListSort = 'received_desc'): ListQuery {
    const order = LIST_SORTS[sort] ?? LIST_SORTS.received_desc;
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scoped = scope.structureIds !== 'all' ? p(scope.structureIds) : null;
    const siret = f.structure && /^\d{14}$/.test(f.structure) ? p(f.structure) : null;
    const structureId = f.structure && !siret ? p(f.structure) : null;
    if (siret) where.push(`i.debtor_id = ${siret}`);
    if (structureId) where.push(`i.structure_id = ${structureId}::uuid`);
    if (f.serviceCode) where.push(`i.service_code = ${p(f.serviceCode)}`);
    if (f.supplier) {
      const a = p(f.supplier);
      const b = p(`%${f.supplier.replace(/[%_\\]/g, '\\$&')}%`);
      where.push(`(i.supplier_id = ${a} OR i.supplier_name ILIKE ${b})`);
    }
    if (f.number) where.push(`i.number = ${p(f.number)}`);
    if (f.receivedFrom) where.push(`i.reception_date >= ${p(f.receivedFrom)}::date`);
    if (f.receivedTo) where.push(`i.reception_date <= ${p(f.receivedTo)}::date`);
    if (f.amountMin) where.push(`i.net_amount >= ${p(f.amountMin)}::numeric`);
    if (f.amountMax) where.push(`i.net_amount <= ${p(f.amountMax)}::numeric`);
    if (f.anomaly === '*') where.push(`cardinality(i.anomaly_codes) > 0`);
    else if (f.anomaly) where.push(`${p(f.anomaly)} = ANY(i.anomaly_codes)`);
    if (f.dueBefore) where.push(`i.due_date <= ${p(f.dueBefore)}::date AND i.suspended_since IS NULL`);
    if (f.flowId) where.push(`i.flow_id = ${p(f.flowId)}::uuid`);
    // The status filter and the tab are the branches' statuses; the anomalies tab also lists to-process invoices having
    // an anomaly. No `status = ANY(…)` in a branch: on PostgreSQL ≤ 16 an array condition on an index's second column
    // makes the scan unordered (a sort of the whole branch instead of its first rows).
    const tab = f.tab ? LIST_TABS[f.tab] : undefined;
    if (tab?.orAnomalies) where.push(`(i.status <> 'A_TRAITER' OR cardinality(i.anomaly_codes) > 0)`);
    if (cursor) {
      const c = decodeCursor(cursor, sort);
      if (!c) throw new BadRequestError('INVALID_CURSOR', 'Curseur de page invalide, ou fait pour un autre tri : repartez de la première page');
      const cmp = order.dir === 'DESC' ? '<' : '>';
      const exprs = order.keys.map((k) => k.expr).join(', ');
      const values = order.keys.map((k, n) => `${p(c.keys[n])}::${k.cast}`).join(', ');
      where.push(`(${exprs}, i.id) ${cmp} (${values}, ${p(c.id)}::uuid)`);
    }

    // The branches: statuses the predicates allow, and structures in scope (those of the SIRET filtered on, when one
    // is: structure_id is the structure of the debtor's SIRET, set at import by invoice-batch.writer.ts).
    let statuses: string[] = [...INVOICE_STATUSES];
    if (tab) statuses = statuses.filter((s) => (tab.statuses as readonly string[]).includes(s) || (tab.orAnomalies && s === 'A_TRAITER'));
    if (f.status?.length) statuses = statuses.filter((s) => f.status!.includes(s));
    const st = p(statuses);
    const branches: Array<{ from: string; on: string }> = [];
    const perStructure =
      structureId !== null || siret !== null || (scope.structureIds !== 'all' && scope.structureIds.length <= MAX_STRUCTURE_BRANCHES);
    if (perStructure) {
      const inScope = scoped ? `s.id = ANY(${scoped}::uuid[])` : 'TRUE';
      const ids = structureId
        ? `(SELECT s.id FROM structures s WHERE s.id = ${structureId}::uuid AND ${inScope})`
        : siret
          ? `(SELECT s.id FROM structures s WHERE s.siret = ${siret} AND ${inScope})`
          : `unnest(${scoped}::uuid[])`;
      branches.push({ from: `${ids} AS b(structure_id) CROSS JOIN unnest(${st}::varchar[]) AS bs(status)`, on: `i.structure_id = b.structure_id AND i.status = bs.status` });
      if (scope.includeUnassigned && !structureId) branches.push({ from: `unnest(${st}::varchar[]) AS bs(status)`, on: `i.structure_id IS NULL AND i.status = bs.status` });
    } else {
      // Every structure, or too many to branch on: one branch a status (invoices_status_* indexes), scope as a filter.
      const mine = scoped ? `i.structure_id = ANY(${scoped}::uuid[])` : null;
      const inScope = mine && scope.includeUnassigned ? `(${mine} OR i.structure_id IS NULL)` : mine;
      branches.push({ from: `unnest(${st}::varchar[]) AS bs(status)`, on: `i.status = bs.status${inScope ? ` AND ${inScope}` : ''}` });
    }

    const n = p(limit + 1);
    const keys = order.keys.map((k, j) => `${k.expr} AS k${j}`).join(', ');
    const sortKey = order.keys.map((k) => k.text).join(` || '${KEY_SEPARATOR}' || `);
    const branchSql = (b: { from: string; on: string }) => `
        SELECT x.* FROM ${b.from} CROSS JOIN LATERAL (
          SELECT ${LIST_COLUMNS}, ${keys}, ${sortKey} AS sort_key
            FROM invoices i
           WHERE ${[b.on, ...where].join(' AND ')}
           ORDER BY ${order.keys.map((k) => `${k.expr} ${order.dir}`).join(', ')}, i.id ${order.dir}
           LIMIT ${n}) x`;
    const sql = `
      SELECT i.*, ${LAST_REASON} AS last_reason FROM (${branches.map(branchSql).join('\n        UNION ALL')}
      ) i
       ORDER BY ${order.keys.map((_, j) => `i.k${j} ${order.dir}`).join(', ')}, i.id ${order.dir}
       LIMIT ${n}`;
    return { sql, params };
  }

  findInvoice(id: string): Promise<InvoiceEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(InvoiceEntity).findOne({ where: { id } });
  }

  async details(id: string) {
    const m = this.dataSource.manager;
    const [lines, vats, attachments, anomalies, validations, history] = await Promise.all([
      m.find(InvoiceLineEntity, { where: { invoiceId: id }, order: { numOrdre: 'ASC' } }),
      m.find(InvoiceVatEntity, { where: { invoiceId: id }, order: { rate: 'ASC' } }),
      m.find(InvoiceAttachmentEntity, { where: { invoiceId: id }, order: { createdAt: 'ASC', numOrdre: 'ASC' } }),
      m.find(InvoiceAnomalyEntity, { where: { invoiceId: id }, order: { createdAt: 'ASC' } }),
      m.find(InvoiceValidationEntity, { where: { invoiceId: id }, order: { statusDate: 'ASC' } }),
      this.history(id),
    ]);
    return { lines, vats, attachments, anomalies, validations, history };
  }

  history(invoiceId: string): Promise<InvoiceHistoryEntity[]> {
    return this.dataSource.manager.find(InvoiceHistoryEntity, { where: { invoiceId }, order: { id: 'ASC' } });
  }

  findAttachment(invoiceId: string, attachmentId: string): Promise<InvoiceAttachmentEntity | null> {
    if (!isUuid(attachmentId)) return Promise.resolve(null);
    return this.dataSource.manager.findOne(InvoiceAttachmentEntity, { where: { id: attachmentId, invoiceId } });
  }
}
