import { formatCount } from '@/common/money/french-format';
import { codePointLength } from '@/common/text/code-points';
import { INT_MAX, NUMERIC_COLUMNS, NumericColumn, VARCHAR_COLUMNS, VarcharColumn } from '@/database/column.limits';
import { PivotEnvelope, PivotInvoice } from '@/pivot/pivot.types';

type Values = (inv: PivotInvoice) => Array<string | undefined>;

/**
 * Pivot fields stored in bounded columns: the column (its bound comes from src/database/column.limits.ts) and the
 * xs:maxLength of CPPFacturePivot V2_02 when the schema has one (same values in V1_20 … V1_22).
 */
const TEXT_FIELDS: ReadonlyArray<{ field: string; column: VarcharColumn; xsd?: number; values: Values }> = [
  { field: 'Fournisseur/TypeIdentifiant', column: 'invoices.supplier_id_type', values: (i) => [i.supplier.idType] },
  { field: 'Fournisseur/Identifiant', column: 'invoices.supplier_id', values: (i) => [i.supplier.id] },
  { field: 'Fournisseur/CodePays', column: 'invoices.supplier_country', values: (i) => [i.supplier.countryCode] },
  { field: 'Fournisseur/ModeEmission', column: 'invoices.supplier_emission_mode', values: (i) => [i.supplier.emissionMode] },
  { field: 'ReferenceBancaire@Type', column: 'invoices.bank_type', values: (i) => [i.supplier.bank?.type] },
  { field: 'ReferenceBancaire/Compte', column: 'invoices.bank_account', values: (i) => [i.supplier.bank?.account] },
  { field: 'Debiteur/TypeIdentifiant', column: 'invoices.debtor_id_type', values: (i) => [i.debtor.idType] },
  { field: 'Debiteur/Identifiant', column: 'invoices.debtor_id', values: (i) => [i.debtor.id] },
  { field: 'Debiteur/CodeService', column: 'invoices.service_code', xsd: 100, values: (i) => [i.debtor.serviceCode] },
  { field: 'DonneesFacture/Id', column: 'invoices.number', xsd: 20, values: (i) => [i.number] },
  { field: 'DonneesFacture/IdCPRO', column: 'invoices.cpro_id', values: (i) => [i.cproId] },
  { field: 'DonneesFacture/Renvoi', column: 'invoices.renvoi', values: (i) => [i.renvoi] },
  { field: 'DonneesFacture/IdFactureOrigine', column: 'invoices.origin_number', xsd: 20, values: (i) => [i.originInvoiceNumber] },
  { field: 'DonneesFacture/Type', column: 'invoices.type', values: (i) => [i.type] },
  { field: 'DonneesFacture/Cadre', column: 'invoices.cadre', values: (i) => [i.cadre] },
  { field: 'DonneesFacture/Devise', column: 'invoices.currency', values: (i) => [i.currency] },
  { field: 'ModePaiement/Code', column: 'invoices.payment_mode_code', values: (i) => [i.paymentMode?.code] },
  { field: 'Engagement/NumeroMarche', column: 'invoices.market_number', xsd: 50, values: (i) => [i.engagement.marketNumber] },
  { field: 'Engagement/NumeroEngagement', column: 'invoices.engagement_number', xsd: 50, values: (i) => [i.engagement.engagementNumber] },
  { field: 'PJ/TypePJ', column: 'invoice_attachments.type', values: (i) => i.attachments.map((a) => a.type) },
  { field: 'ValidationUnitaire/CodeStatut', column: 'invoice_validations.status_code', values: (i) => i.validations.map((v) => v.statusCode) },
];

/** Fields of unbounded columns that the schema still bounds: over it, stored with an anomaly (nothing cut). */
const XSD_ONLY_FIELDS: ReadonlyArray<{ field: string; xsd: number; values: Values }> = [
  { field: 'PJ/NomPJ', xsd: 50, values: (i) => i.attachments.map((a) => a.name) },
  { field: 'PJ/NomPJOrigine', xsd: 50, values: (i) => i.attachments.map((a) => a.originalName) },
  { field: 'PJ/CategoriePJ', xsd: 50, values: (i) => i.attachments.map((a) => a.category) },
];

const DECIMAL_FIELDS: ReadonlyArray<{ field: string; column: NumericColumn; values: Values }> = [
  { field: 'Montants/MontantHT', column: 'invoices.amount_ht', values: (i) => [i.amounts.ht] },
  { field: 'Montants/MontantTTC', column: 'invoices.amount_ttc', values: (i) => [i.amounts.ttc] },
  { field: 'Montants/MontantNetAPayer', column: 'invoices.net_amount', values: (i) => [i.amounts.netToPay] },
  { field: 'Ligne/PrixUnitaire', column: 'invoice_lines.unit_price', values: (i) => i.lines.map((l) => l.unitPrice) },
  { field: 'Ligne/Quantite', column: 'invoice_lines.quantity', values: (i) => i.lines.map((l) => l.quantity) },
  { field: 'Ligne/MontantHT', column: 'invoice_lines.amount_ht', values: (i) => i.lines.map((l) => l.amountHt) },
  { field: 'Ligne/TauxTVA', column: 'invoice_lines.vat_rate', values: (i) => i.lines.map((l) => l.vatRate) },
  { field: 'TVA/Taux', column: 'invoice_vats.rate', values: (i) => i.vats.map((v) => v.rate) },
  { field: 'TVA/BaseHt', column: 'invoice_vats.base_ht', values: (i) => i.vats.map((v) => v.baseHt) },
  { field: 'TVA/MontantTVA', column: 'invoice_vats.amount', values: (i) => i.vats.map((v) => v.amount) },
];

const ENVELOPE_FIELDS: ReadonlyArray<{ column: VarcharColumn; value: (e: PivotEnvelope) => string | undefined }> = [
  { column: 'flows.version', value: (e) => e.version },
  { column: 'flows.id_flx', value: (e) => e.idFlx },
  { column: 'flows.dt_prd', value: (e) => e.dtPrd },
  { column: 'flows.sender_id', value: (e) => e.sender?.id },
  { column: 'flows.receiver_id', value: (e) => e.receiver?.id },
];

const chars = (n: number) => `${formatCount(n)} caractère${n > 1 ? 's' : ''}`;

/** Digits before and after the point both within numeric(precision, scale) as written (zeros counted): no closer look needed. */
function fitsNumeric(value: string, precision: number, scale: number): boolean {
  const point = value.indexOf('.');
  const whole = point < 0 ? value.length : point;
  return whole <= precision - scale && (point < 0 || value.length - point - 1 <= scale);
}

/**
 * Why an invoice cannot be stored as read, or undefined: a value longer than its column, an amount with more digits
 * than numeric(24,6) holds (or more than 6 decimals, which PostgreSQL would round), a NumOrdre beyond `int`. Such an
 * invoice is INVOICE_UNREADABLE — one bad field never makes the flow's other invoices fail with it.
 */
export function unstorableField(inv: PivotInvoice): string | undefined {
  for (const { field, column, values } of TEXT_FIELDS) {
    const max = VARCHAR_COLUMNS[column];
    for (const value of values(inv)) {
      // A string has at least as many UTF-16 units as characters: within the bound as it is, no count needed.
      if (value === undefined || value.length <= max) continue;
      const length = codePointLength(value.trim());
      if (length > max) return `${field} de ${chars(length)} (${formatCount(max)} au plus)`;
    }
  }
  for (const { field, column, values } of DECIMAL_FIELDS) {
    const [precision, scale] = NUMERIC_COLUMNS[column];
    for (const value of values(inv)) {
      if (value === undefined || fitsNumeric(value, precision, scale)) continue;
      const [whole, decimals = ''] = value.replace(/^[+-]/, '').split('.');
      if (whole.replace(/^0+/, '').length > precision - scale) return `${field} « ${abridge(value)} » : ${formatCount(precision - scale)} chiffres au plus avant la virgule`;
      if (decimals.replace(/0+$/, '').length > scale) return `${field} « ${abridge(value)} » : ${formatCount(scale)} décimales au plus`;
    }
  }
  const numOrdres = [inv.numOrdre, ...inv.lines.map((l) => l.numOrdre), ...inv.attachments.map((a) => a.numOrdre)];
  if (numOrdres.some((n) => n > INT_MAX)) return `NumOrdre supérieur à ${formatCount(INT_MAX)}`;
  return undefined;
}

/** Fields longer than the schema allows that still fit their column: the invoice is stored, with this anomaly. */
export function fieldsOverSchema(inv: PivotInvoice): string[] {
  const over: string[] = [];
  for (const { field, xsd, values } of [...TEXT_FIELDS, ...XSD_ONLY_FIELDS]) {
    if (xsd === undefined) continue;
    const length = Math.max(0, ...values(inv).map((v) => (v === undefined ? 0 : codePointLength(v.trim()))));
    if (length > xsd) over.push(`${field} de ${chars(length)} (${formatCount(xsd)} au plus selon le format pivot)`);
  }
  return over;
}

/**
 * The envelope's values too long for their `flows` column: left out of the column (NULL), kept whole in the flow's
 * `envelope` (jsonb, unbounded) — the flow and its invoices are stored, nothing is cut.
 */
export function envelopeColumnValue(envelope: PivotEnvelope | undefined, column: VarcharColumn): string | null {
  const field = ENVELOPE_FIELDS.find((f) => f.column === column);
  const value = envelope && field ? field.value(envelope) : undefined;
  return value !== undefined && codePointLength(value) <= VARCHAR_COLUMNS[column] ? value : null;
}

/** A NumOrdre that fits `int`, for flow_errors (the invoice itself may have been refused for it). */
export function storableNumOrdre(n: number | undefined): number | null {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 && n <= INT_MAX ? n : null;
}

function abridge(value: string): string {
  return codePointLength(value) > 40 ? `${[...value].slice(0, 40).join('')}…` : value;
}
