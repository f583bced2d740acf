import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';

/** Which structures' invoices a caller may see: 'all' for local operators (CLI) and global admins. */
export type InvoiceScope = { structureIds: string[] | 'all'; includeUnassigned?: boolean };

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
}

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
}

// Keyset pagination on (received_at, id), newest first: stable and index-backed at 100,000+ invoices.
function encodeCursor(row: { received_at: Date; id: string }): string {
  return Buffer.from(`${new Date(row.received_at).toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { at, id };
}

@Injectable()
export class InvoicesQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: InvoiceScope, f: InvoiceFilters, limit: number, cursor?: string): Promise<Page<ListRow>> {
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
    if (cursor) {
      const c = decodeCursor(cursor);
      if (c) where.push(`(i.received_at, i.id) < (${p(c.at)}::timestamptz, ${p(c.id)}::uuid)`);
    }
    const sql = `
      SELECT i.id, i.number, i.supplier_id, i.supplier_name, i.debtor_id, i.structure_id, i.service_code, i.type,
             i.status, i.cpp_status, i.net_amount, i.amount_ttc, i.amount_ht, i.anomaly_codes, i.attachment_count,
             i.reception_date, i.issue_date, i.due_date, i.suspended_since, i.received_at, i.flow_id
        FROM invoices i
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY i.received_at DESC, i.id DESC
       LIMIT ${p(limit + 1)}`;
    const rows: ListRow[] = await this.dataSource.query(sql, params);
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1]) : null };
  }

  findInvoice(id: string): Promise<InvoiceEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
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
    if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) return Promise.resolve(null);
    return this.dataSource.manager.findOne(InvoiceAttachmentEntity, { where: { id: attachmentId, invoiceId } });
  }
}
