/**
 * Bounds of the columns filled from supplier content (pivot flows), as the migrations declare them: `varchar(n)`
 * counts characters (code points), `numeric(p,s)` holds p−s digits before the point and rounds beyond s decimals,
 * `int` stops at 2³¹−1. Anything beyond is refused by PostgreSQL for the WHOLE statement (22001, 22003) — or silently
 * rounded (numeric scale) — so ingestion checks every value against this table when reading (src/ingestion/
 * invoice-field.limits.ts). One table only; test/ingestion/field-lengths.e2e-spec.ts compares it with the database.
 */
export const VARCHAR_COLUMNS = {
  'invoices.supplier_id_type': 10,
  'invoices.supplier_id': 100,
  'invoices.supplier_country': 2,
  'invoices.supplier_emission_mode': 50,
  'invoices.bank_type': 20,
  'invoices.bank_account': 100,
  'invoices.debtor_id_type': 10,
  'invoices.debtor_id': 100,
  'invoices.service_code': 100,
  'invoices.number': 100,
  'invoices.cpro_id': 100,
  'invoices.renvoi': 50,
  'invoices.origin_number': 100,
  'invoices.type': 3,
  'invoices.cadre': 10,
  'invoices.currency': 3,
  'invoices.payment_mode_code': 10,
  'invoices.market_number': 100,
  'invoices.engagement_number': 100,
  'invoice_attachments.type': 2,
  'invoice_validations.status_code': 10,
  'flows.version': 20,
  'flows.id_flx': 100,
  'flows.dt_prd': 30,
  'flows.sender_id': 100,
  'flows.receiver_id': 100,
} as const;

export type VarcharColumn = keyof typeof VARCHAR_COLUMNS;

/** numeric(precision, scale) columns filled from the pivot. */
export const NUMERIC_COLUMNS = {
  'invoices.amount_ht': [24, 6],
  'invoices.amount_ttc': [24, 6],
  'invoices.net_amount': [24, 6],
  'invoice_lines.unit_price': [24, 6],
  'invoice_lines.quantity': [24, 6],
  'invoice_lines.amount_ht': [24, 6],
  'invoice_lines.vat_rate': [12, 6],
  'invoice_vats.rate': [12, 6],
  'invoice_vats.base_ht': [24, 6],
  'invoice_vats.amount': [24, 6],
} as const satisfies Record<string, readonly [number, number]>;

export type NumericColumn = keyof typeof NUMERIC_COLUMNS;

/** `int` columns (NumOrdre of invoices, lines, attachments, flow errors). */
export const INT_MAX = 2_147_483_647;
