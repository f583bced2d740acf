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
 * Sort orders of the lists, each keyset-paged on (key, id) and backed by an index: invoices_received_idx
 * (both directions), invoices_due_key_idx and invoices_net_amount_idx (migration 1700000007000).
 * Invoices without a due date sort last (coalesce to the far future, the same expression as the index).
 */
const DUE_KEY = `coalesce(i.due_date, DATE '9999-12-31')`;
// Microsecond ISO text: a millisecond cursor would skip invoices of one flow sharing a received_at.
const RECEIVED_KEY = `to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
export const LIST_SORTS = {
  received_desc: { expr: 'i.received_at', dir: 'DESC', cast: 'timestamptz' },
  received_asc: { expr: 'i.received_at', dir: 'ASC', cast: 'timestamptz' },
  due_asc: { expr: DUE_KEY, dir: 'ASC', cast: 'date' },
  due_desc: { expr: DUE_KEY, dir: 'DESC', cast: 'date' },
  amount_desc: { expr: 'i.net_amount', dir: 'DESC', cast: 'numeric' },
  amount_asc: { expr: 'i.net_amount', dir: 'ASC', cast: 'numeric' },
} as const;
export type ListSort = keyof typeof LIST_SORTS;

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
}

// Keyset pagination on (sort key, id): stable and index-backed at 100,000+ invoices. The default cursor
// (received_at, newest first) keeps its historical form « ISO|id »; other sorts prefix their name.
function encodeCursor(sort: ListSort, row: ListRow): string {
  const key = String(row.sort_key);
  const raw = sort === 'received_desc' ? `${key}|${row.id}` : `${sort}|${key}|${row.id}`;
  return Buffer.from(raw).toString('base64url');
}

// As encodeCursor writes them: anything else was not made by this service.
const KEY_FORMATS: Record<(typeof LIST_SORTS)[ListSort]['cast'], (v: string) => boolean> = {
  timestamptz: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => isCalendarDate(v),
  numeric: (v) => /^-?\d{1,30}(\.\d{1,6})?$/.test(v),
};

function decodeCursor(cursor: string, sort: ListSort): { key: string; id: string } | null {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [cursorSort, key, id] = parts.length === 2 ? ['received_desc', ...parts] : parts;
  // A cursor only continues the sort it was made for.
  if (cursorSort !== sort || !key || !id || !isUuid(id)) return null;
  return KEY_FORMATS[LIST_SORTS[sort].cast](key) ? { key, id } : null;
}

@Injectable()
export class InvoicesQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: InvoiceScope, f: InvoiceFilters, limit: number, cursor?: string, sort: ListSort = 'received_desc'): Promise<Page<ListRow>> {
    const order = LIST_SORTS[sort] ?? LIST_SORTS.received_desc;
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (scope.structureIds !== 'all') {
      const scoped = `i.structure_id = ANY(${p(scope.structureIds)}::uuid[])`;
      where.push(scope.includeUnassigned ? `(${scoped} OR i.structure_id IS NULL)` : scoped);
    }
    if (f.status?.length) where.push(`i.status = ANY(${p(f.status)}::varchar[])`);
    if (f.structure) {
      where.push(
        /^\d{14}$/.test(f.structure)
          ? `i.debtor_id = ${p(f.structure)}`
          : `i.structure_id = ${p(f.structure)}::uuid`,
      );
    }
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
    if (f.tab && LIST_TABS[f.tab]) {
      const tab = LIST_TABS[f.tab];
      const inStatus = `i.status = ANY(${p(tab.statuses)}::varchar[])`;
      where.push(tab.orAnomalies ? `(${inStatus} OR (i.status = 'A_TRAITER' AND cardinality(i.anomaly_codes) > 0))` : inStatus);
    }
    if (cursor) {
      const c = decodeCursor(cursor, sort);
      if (!c) throw new BadRequestError('INVALID_CURSOR', 'Curseur de page invalide, ou fait pour un autre tri : repartez de la première page');
      const cmp = order.dir === 'DESC' ? '<' : '>';
      where.push(`(${order.expr}, i.id) ${cmp} (${p(c.key)}::${order.cast}, ${p(c.id)}::uuid)`);
    }
    const sql = `
      SELECT i.id, i.number, i.supplier_id, i.supplier_name, i.debtor_id, i.structure_id, i.service_code, i.type,
             i.status, i.cpp_status, i.net_amount, i.amount_ttc, i.amount_ht, i.anomaly_codes, i.attachment_count,
             i.reception_date, i.issue_date, i.due_date, i.suspended_since, i.received_at, i.flow_id,
             ${order.cast === 'timestamptz' ? RECEIVED_KEY : `${order.expr}::text`} AS sort_key
        FROM invoices i
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order.expr} ${order.dir}, i.id ${order.dir}
       LIMIT ${p(limit + 1)}`;
    const rows: ListRow[] = await this.dataSource.query(sql, params);
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? encodeCursor(sort, items[items.length - 1]) : null };
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
