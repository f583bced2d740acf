import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { FlowEntity } from '@/flows/flow.entity';
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
 * `INSERT … SELECT … FROM json_to_recordset($1::json) AS t(col type, …)`: the rows as one JSON parameter, whatever their
 * number, so one statement per table and batch, a plan PostgreSQL parses once, and none of TypeORM's per-value
 * parameter bookkeeping (which dominated the ingestion profile). Columns left out take their DEFAULT, as with
 * TypeORM's insert; a listed column whose value is null or undefined is inserted NULL.
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
  const inserts = parts.filter((p) => p.rows.length > 0).map((part) => recordsetInsert(part, params));
  if (inserts.length === 0) return;
  const last = inserts.pop()!;
  const sql = inserts.length === 0 ? last : `WITH ${inserts.map((q, i) => `w${i} AS (${q})`).join(', ')} ${last}`;
  await em.query(sql, params);
}

/**
 * `bulkInsert` of rows that may already exist (a unique key met again): those are skipped (ON CONFLICT DO NOTHING), and
 * the `returning` column of the rows actually inserted comes back.
 */
export async function bulkInsertNew<T>(em: EntityManager, part: BulkPart<T>, returning: string): Promise<unknown[]> {
  if (part.rows.length === 0) return [];
  const params: unknown[] = [];
  const rows: Array<Record<string, unknown>> = await em.query(`${recordsetInsert(part, params)} ON CONFLICT DO NOTHING RETURNING "${returning}"`, params);
  return rows.map((r) => r[returning]);
}

/**
 * The INSERT … SELECT … FROM json_to_recordset(…) of one part, its rows appended to `params` as ONE JSON document:
 * JSON.stringify (native) instead of node-postgres escaping every element of one array per column in JavaScript,
 * which had become the import's largest cost in the main thread. PostgreSQL reads each value with its column's type
 * (numeric from its exact decimal string, never a float; arrays and jsonb as such).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function recordsetInsert({ table, columns, rows }: BulkPart<any>, params: unknown[]): string {
  const names = columns.map(([column]) => `"${column}"`).join(', ');
  const definitions = columns.map(([column, type]) => `"${column}" ${type}`).join(', ');
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [column, , get] of columns) {
      const value = get(row);
      if (value !== undefined && value !== null) record[column] = value;
    }
    return record;
  });
  params.push(JSON.stringify(records));
  return `INSERT INTO ${table} (${names}) SELECT ${names} FROM json_to_recordset($${params.length}::json) AS t(${definitions})`;
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

export const FLOW_COLUMNS: ReadonlyArray<ColumnSpec<Row<FlowEntity>>> = [
  ['id', 'uuid', (r) => r.id ?? randomUUID()],
  ['sha256', 'varchar', (r) => r.sha256],
  ['file_name', 'varchar', (r) => r.fileName],
  ['source', 'varchar', (r) => r.source],
  ['size', 'bigint', (r) => r.size],
  ['storage_key', 'varchar', (r) => r.storageKey],
  ['status', 'varchar', (r) => r.status],
  ['version', 'varchar', (r) => r.version],
  ['id_flx', 'varchar', (r) => r.idFlx],
  ['dt_prd', 'varchar', (r) => r.dtPrd],
  ['sender_id', 'varchar', (r) => r.senderId],
  ['sender_label', 'varchar', (r) => r.senderLabel],
  ['receiver_id', 'varchar', (r) => r.receiverId],
  ['receiver_label', 'varchar', (r) => r.receiverLabel],
  ['envelope', 'jsonb', (r) => r.envelope],
  ['invoice_count', 'int', (r) => r.invoiceCount ?? 0],
  ['error_code', 'varchar', (r) => r.errorCode],
  ['error_message', 'text', (r) => r.errorMessage],
  ['received_at', 'timestamptz', (r) => r.receivedAt],
  ['completed_at', 'timestamptz', (r) => r.completedAt],
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
