import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';

/** One column of a bulk insert: its name, its PostgreSQL type, and how to read it from a row. */
export type ColumnSpec<T> = readonly [column: string, type: string, value: (row: T) => unknown];

/**
 * `INSERT … SELECT * FROM unnest($1::uuid[], $2::text[], …)`: one array parameter per column, whatever the number of
 * rows, so one statement per table and batch, a plan PostgreSQL parses once, and none of TypeORM's per-value
 * parameter bookkeeping (which dominated the ingestion profile). Columns left out take their DEFAULT, as with
 * TypeORM's insert. Array-typed columns travel as array literals (unnest would flatten a 2-D array).
 */
export async function bulkInsert<T>(em: EntityManager, table: string, columns: ReadonlyArray<ColumnSpec<T>>, rows: readonly T[]): Promise<void> {
  await bulkInsertAll(em, [{ table, columns, rows }]);
}

/** Rows for one table of `bulkInsertAll`. */
export interface BulkPart<T = never> {
  table: string;
  columns: ReadonlyArray<ColumnSpec<T>>;
  rows: readonly T[];
}

/**
 * Several `bulkInsert`s in ONE statement (`WITH a AS (INSERT …), b AS (INSERT …) INSERT …`): one round trip instead
 * of one per table — on a one-invoice flow the round trips, not the rows, are the cost. Foreign keys still hold:
 * PostgreSQL checks them at the end of the whole statement, once every part is inserted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function bulkInsertAll(em: EntityManager, parts: ReadonlyArray<BulkPart<any>>): Promise<void> {
  const params: unknown[] = [];
  const inserts: string[] = [];
  for (const { table, columns, rows } of parts) {
    if (rows.length === 0) continue;
    const names = columns.map(([column]) => `"${column}"`);
    const arrays = columns.map(([, type], i) => `$${params.length + i + 1}::${type.endsWith('[]') ? 'text' : type}[]`);
    const select = columns.map(([column, type]) => (type.endsWith('[]') ? `t."${column}"::${type}` : `t."${column}"`));
    for (const [, type, get] of columns) params.push(rows.map((row) => toParam(get(row), type)));
    inserts.push(`INSERT INTO ${table} (${names.join(', ')}) SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) AS t(${names.join(', ')})`);
  }
  if (inserts.length === 0) return;
  const last = inserts.pop()!;
  const sql = inserts.length === 0 ? last : `WITH ${inserts.map((q, i) => `w${i} AS (${q})`).join(', ')} ${last}`;
  await em.query(sql, params);
}

function toParam(value: unknown, type: string): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'jsonb') return JSON.stringify(value);
  if (type.endsWith('[]')) return arrayLiteral(value as unknown[]);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** `{"A","B"}`: every element quoted, `"` and `\` escaped (PostgreSQL array input syntax). */
export function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

type Row<E> = Partial<E>;

export const INVOICE_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['flow_id', 'uuid', (r) => r.flowId],
  ['num_ordre', 'int', (r) => r.numOrdre],
  ['structure_id', 'uuid', (r) => r.structureId],
  ['supplier_id_type', 'varchar', (r) => r.supplierIdType],
  ['supplier_id', 'varchar', (r) => r.supplierId],
  ['supplier_name', 'varchar', (r) => r.supplierName],
  ['supplier_country', 'varchar', (r) => r.supplierCountry],
  ['supplier_emission_mode', 'varchar', (r) => r.supplierEmissionMode],
  ['bank_type', 'varchar', (r) => r.bankType],
  ['bank_account', 'varchar', (r) => r.bankAccount],
  ['bank_establishment', 'varchar', (r) => r.bankEstablishment],
  ['bank_holder', 'varchar', (r) => r.bankHolder],
  ['debtor_id_type', 'varchar', (r) => r.debtorIdType],
  ['debtor_id', 'varchar', (r) => r.debtorId],
  ['debtor_name', 'varchar', (r) => r.debtorName],
  ['service_code', 'varchar', (r) => r.serviceCode],
  ['service_name', 'varchar', (r) => r.serviceName],
  ['number', 'varchar', (r) => r.number],
  ['invoice_year', 'int', (r) => r.invoiceYear],
  ['cpro_id', 'varchar', (r) => r.cproId],
  ['renvoi', 'varchar', (r) => r.renvoi],
  ['origin_number', 'varchar', (r) => r.originNumber],
  ['type', 'varchar', (r) => r.type],
  ['cadre', 'varchar', (r) => r.cadre],
  ['issue_date', 'date', (r) => r.issueDate],
  ['delivery_date', 'date', (r) => r.deliveryDate],
  ['reception_date', 'date', (r) => r.receptionDate],
  ['moe_date', 'date', (r) => r.moeDate],
  ['currency', 'varchar', (r) => r.currency],
  ['payment_mode_code', 'varchar', (r) => r.paymentModeCode],
  ['payment_mode_label', 'varchar', (r) => r.paymentModeLabel],
  ['amount_ht', 'numeric', (r) => r.amountHt],
  ['amount_ttc', 'numeric', (r) => r.amountTtc],
  ['net_amount', 'numeric', (r) => r.netAmount],
  ['market_number', 'varchar', (r) => r.marketNumber],
  ['engagement_number', 'varchar', (r) => r.engagementNumber],
  ['status', 'varchar', (r) => r.status ?? 'A_TRAITER'],
  ['cpp_status', 'varchar', (r) => r.cppStatus],
  ['anomaly_codes', 'text[]', (r) => r.anomalyCodes ?? []],
  ['due_date', 'date', (r) => r.dueDate],
  ['attachment_count', 'int', (r) => r.attachmentCount ?? 0],
  ['received_at', 'timestamptz', (r) => r.receivedAt],
  ['row_version', 'int', (r) => r.rowVersion ?? 1],
];

export const LINE_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceLineEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['num_ordre', 'int', (r) => r.numOrdre],
  ['product_ref', 'varchar', (r) => r.productRef],
  ['unit_price', 'numeric', (r) => r.unitPrice],
  ['quantity', 'numeric', (r) => r.quantity],
  ['amount_ht', 'numeric', (r) => r.amountHt],
  ['vat_rate', 'numeric', (r) => r.vatRate],
];

export const VAT_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceVatEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['rate', 'numeric', (r) => r.rate],
  ['base_ht', 'numeric', (r) => r.baseHt],
  ['amount', 'numeric', (r) => r.amount],
];

export const ATTACHMENT_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceAttachmentEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['flow_id', 'uuid', (r) => r.flowId],
  ['num_ordre', 'int', (r) => r.numOrdre],
  ['id_unique', 'varchar', (r) => r.idUnique],
  ['id_original', 'varchar', (r) => r.idOriginal],
  ['name', 'varchar', (r) => r.name],
  ['original_name', 'varchar', (r) => r.originalName],
  ['category', 'varchar', (r) => r.category],
  ['type', 'varchar', (r) => r.type],
  ['mime_type', 'varchar', (r) => r.mimeType],
  ['entry_name', 'varchar', (r) => r.entryName],
  ['size', 'bigint', (r) => r.size],
  ['sha256', 'varchar', (r) => r.sha256],
  ['storage_key', 'varchar', (r) => r.storageKey],
  ['error_message', 'text', (r) => r.errorMessage],
];

export const ANOMALY_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceAnomalyEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['code', 'varchar', (r) => r.code],
  ['message', 'text', (r) => r.message],
];

export const VALIDATION_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceValidationEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['flow_id', 'uuid', (r) => r.flowId],
  ['status_date', 'date', (r) => r.statusDate],
  ['status_code', 'varchar', (r) => r.statusCode],
  ['complement', 'varchar', (r) => r.complement],
  ['comment', 'text', (r) => r.comment],
  ['producer', 'jsonb', (r) => r.producer],
];

export const HISTORY_COLUMNS: ReadonlyArray<ColumnSpec<Row<InvoiceHistoryEntity>>> = [
  ['invoice_id', 'uuid', (r) => r.invoiceId],
  ['step', 'varchar', (r) => r.step],
  ['label', 'varchar', (r) => r.label],
  ['actor', 'varchar', (r) => r.actor],
  ['at', 'timestamptz', (r) => r.at],
  ['from_status', 'varchar', (r) => r.fromStatus],
  ['to_status', 'varchar', (r) => r.toStatus],
  ['flow_id', 'uuid', (r) => r.flowId],
  ['details', 'jsonb', (r) => r.details],
];
