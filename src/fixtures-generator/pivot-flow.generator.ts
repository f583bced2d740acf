import Decimal from 'decimal.js';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import * as iconv from 'iconv-lite';
import { AttachmentEncoder, AttachmentSource } from '@/fixtures-generator/attachment.encoder';
import { DEMO_STRUCTURES, DEMO_SUPPLIERS, DemoService, DemoStructure, DemoSupplier } from '@/fixtures-generator/demo-structures';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { addDays } from '@/invoices/payment-deadline';

// Generator of CPPFacturePivot V2_02 flows, as Chorus Pro makes them available to a recipient structure.
// Two steps: build plain invoice descriptions (InvoiceSpec, field names as in src/pivot/pivot.types.ts so tests
// can compare what was parsed with what was generated), then stream them as XML text. No DOM: the benchmark
// writes ~500 MB of flows.

/** Money arithmetic: decimal, 40 significant digits, half-up like accounting. Never JS floats. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

// ---------------------------------------------------------------------------------------------------------------
// Plain descriptions
// ---------------------------------------------------------------------------------------------------------------

export interface SupplierSpec {
  idType: string; // TypeIdentifiant: 1 = SIRET
  id: string;
  name: string;
  countryCode: string;
  bank?: { type: 'IBAN' | 'RIB'; account?: string; establishment?: string; holderName?: string };
  emissionMode: 'flux' | 'numérisation' | 'saisie' | 'PDF';
}

export interface DebtorSpec {
  idType: string;
  id: string; // SIRET of the recipient structure (one per budget)
  name?: string;
  serviceCode?: string;
  serviceName?: string;
}

export interface VatSpec {
  rate: string; // percent, e.g. "5.5"
  baseHt: string;
  amount: string;
}

export interface LineSpec {
  numOrdre: number;
  productRef?: string;
  unitPrice: string;
  quantity: string;
  amountHt: string;
  vatRate?: string;
}

export interface AttachmentSpec {
  numOrdre: number;
  name: string; // NomPJ (≤ 50), also the name of the file inside the ZIP
  originalName?: string; // NomPJOrigine
  category?: string; // CategoriePJ
  type: string; // TypePJ: 01 invoice/credit note, 02 supplementary
  mimeType: string;
  content: AttachmentSource;
}

export interface ValidationSpec {
  date: string;
  statusCode: string;
  complement?: string;
  comment?: string;
  producer: { idType: string; id: string; name: string; countryCode: string };
}

/** One CPPFacturePivotUnitaire. Strings are written as they are (bad cases put "12,50" in an amount). */
export interface InvoiceSpec {
  supplier: SupplierSpec;
  debtor: DebtorSpec;
  /** DonneesFacture/Id; null leaves the mandatory element out (unreadable invoice). */
  number: string | null;
  cproId?: string;
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  originInvoiceNumber?: string;
  type: '380' | '381';
  cadre: string;
  issueDate: string;
  deliveryDate?: string;
  paymentMode: { code: string; label?: string };
  receptionDate: string;
  /** DateMiseADispositionMOE (works invoices, IPM4). */
  moeDate?: string;
  currency: string;
  amounts: { ht: string; ttc: string; netToPay: string };
  vats: VatSpec[];
  engagement?: { marketNumber?: string; engagementNumber?: string };
  lines: LineSpec[];
  attachments: AttachmentSpec[];
  validations: ValidationSpec[];
  /** XML comment written just before the invoice, to say what a fixture exercises. */
  comment?: string;
}

export interface PivotFlowSpec {
  idFlx: string;
  dtPrd: string;
  invoices: InvoiceSpec[];
  /** Partenaires/Recepteur: the structure's connector on the Chorus Pro side (3 to 8 characters). */
  receiver?: { id: string; label?: string };
  /** Partenaires/Emetteur, CPP001 « Application Chorus Portail Pro » by default. */
  sender?: { id: string; label?: string };
  /** More ParametreIndiv after DtPrd and IdFlx. */
  extraParameters?: Array<{ code: string; value: string }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Building invoices
// ---------------------------------------------------------------------------------------------------------------

export interface InvoiceSpecOptions {
  structure?: DemoStructure;
  structures?: readonly DemoStructure[];
  supplier?: DemoSupplier;
  suppliers?: readonly DemoSupplier[];
  /** A service, null for none; undefined: an active service when the structure requires one, else 70 % of the time. */
  service?: DemoService | null;
  /** Unique index of the invoice in the fixture set: makes the number and IdCPRO unique. Random when absent. */
  sequence?: number;
  number?: string;
  cproId?: string;
  type?: '380' | '381';
  originInvoiceNumber?: string;
  /** Reference date YYYY-MM-DD (≈ the flow's DtPrd); issue and reception dates are a few days before. */
  date?: string;
  lineCount?: number;
  /** Explicit lines instead of random ones (e.g. a credit note taking back part of an invoice line). */
  lines?: LineDraft[];
  /** 'cents': amounts rounded to the cent; 'micro': unit prices with 4 decimals, amounts with 6. Random if absent. */
  precision?: 'cents' | 'micro';
  /** Size of the invoice PDF before zipping, in bytes (default 1,500 to 3,000). */
  attachmentBytes?: number;
  /** Number of type 02 attachments (default: 0, sometimes 1 or 2). */
  supplementaryAttachments?: number;
  /** Force the presence (true) or absence (false) of an engagement number; default: when required, else 50 %. */
  engagement?: boolean;
  /** Exact engagement references to use (wins over `engagement`). */
  engagementRef?: { marketNumber?: string; engagementNumber?: string };
}

export const DEFAULT_REFERENCE_DATE = '2025-03-14';
const VAT_ORDER = ['20', '10', '5.5', '2.1'];
const SUPPLEMENTARY_CATEGORIES: Array<{ category: string; slug: string }> = [
  { category: 'Bon de livraison', slug: 'bon-de-livraison' },
  { category: 'Devis', slug: 'devis-signe' },
  { category: 'Attestation de service fait', slug: 'attestation-service-fait' },
  { category: 'Bon de commande', slug: 'bon-de-commande' },
  { category: 'Procès-verbal de réception', slug: 'pv-reception' },
];

function frenchDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

function euros(value: Dec | string): string {
  return new D(value).toFixed(2).replace('.', ',') + ' €';
}

/** Uniform decimal in [min, max] with `decimals` decimals, drawn as an integer number of units (no float money). */
function randomAmount(rng: SeededRng, min: number, max: number, decimals: number): Dec {
  const scale = new D(10).pow(decimals);
  const lo = new D(String(min)).times(scale).ceil();
  const hi = new D(String(max)).times(scale).floor();
  const span = hi.minus(lo).toNumber();
  return lo.plus(span > 0 ? rng.int(0, span) : 0).div(scale);
}

/** What an invoice line is made of before totals are computed. */
export interface LineDraft {
  productRef?: string;
  unitPrice: string;
  quantity: string;
  vatRate: string;
}

function drawLines(rng: SeededRng, supplier: DemoSupplier, lineCount: number, precision: 'cents' | 'micro'): LineDraft[] {
  const drafts: LineDraft[] = [];
  for (let i = 1; i <= lineCount; i++) {
    const product = rng.pick(supplier.products);
    const unitPrice = randomAmount(rng, product.minPrice, product.maxPrice, precision === 'micro' ? 4 : 2);
    const quantity = precision === 'micro' ? new D(rng.int(1, 4000)).div(100) : rng.chance(0.2) ? new D(rng.int(1, 40)).div(2) : new D(rng.int(1, 30));
    drafts.push({ productRef: product.ref, unitPrice: unitPrice.toString(), quantity: quantity.toString(), vatRate: product.vatRate });
  }
  return drafts;
}

/**
 * Lines and VAT breakdown with consistent totals: line HT = unit price × quantity (rounded to the cent, or to 6
 * decimals in 'micro'), HT = Σ lines, VAT per rate = base × rate, TTC = HT + Σ VAT, net to pay = TTC.
 * `printDecimals` only changes how they are written ("828.43" or "828.430000").
 */
export function computeInvoiceAmounts(
  drafts: LineDraft[],
  precision: 'cents' | 'micro',
  printDecimals: number = precision === 'micro' ? 6 : 2,
): Pick<InvoiceSpec, 'lines' | 'vats' | 'amounts'> {
  const amountDecimals = precision === 'micro' ? 6 : 2;
  const lines: LineSpec[] = [];
  const bases = new Map<string, Dec>();
  let ht: Dec = new D(0);
  drafts.forEach((draft, i) => {
    const unitPrice = new D(draft.unitPrice);
    const amountHt = unitPrice.times(draft.quantity).toDecimalPlaces(amountDecimals);
    lines.push({
      numOrdre: i + 1,
      productRef: draft.productRef,
      unitPrice: unitPrice.toFixed(Math.max(printDecimals, unitPrice.decimalPlaces())),
      quantity: new D(draft.quantity).toString(),
      amountHt: amountHt.toFixed(printDecimals),
      vatRate: draft.vatRate,
    });
    bases.set(draft.vatRate, (bases.get(draft.vatRate) ?? new D(0)).plus(amountHt));
    ht = ht.plus(amountHt);
  });
  const vats: VatSpec[] = [];
  let vatTotal: Dec = new D(0);
  for (const rate of [...bases.keys()].sort((a, b) => VAT_ORDER.indexOf(a) - VAT_ORDER.indexOf(b))) {
    const base = bases.get(rate) as Dec;
    const amount = base.times(rate).div(100).toDecimalPlaces(amountDecimals);
    vats.push({ rate, baseHt: base.toFixed(printDecimals), amount: amount.toFixed(printDecimals) });
    vatTotal = vatTotal.plus(amount);
  }
  const ttc = ht.plus(vatTotal);
  return {
    lines,
    vats,
    amounts: { ht: ht.toFixed(printDecimals), ttc: ttc.toFixed(printDecimals), netToPay: ttc.toFixed(printDecimals) },
  };
}

/** One realistic, consistent invoice (or credit note) deposited on Chorus Pro. Deterministic for a given rng. */
export function buildInvoiceSpec(rng: SeededRng, options: InvoiceSpecOptions = {}): InvoiceSpec {
  const structure = options.structure ?? rng.pick(options.structures ?? DEMO_STRUCTURES);
  const supplier = options.supplier ?? rng.pick(options.suppliers ?? DEMO_SUPPLIERS);
  const type = options.type ?? '380';
  const activeServices = structure.services.filter((s) => s.active);
  let service: DemoService | null;
  if (options.service !== undefined) service = options.service;
  else if (activeServices.length > 0 && (structure.serviceRequired || rng.chance(0.7))) service = rng.pick(activeServices);
  else service = null;

  const reference = options.date ?? DEFAULT_REFERENCE_DATE;
  const receptionDate = addDays(reference, -rng.int(0, 2));
  const issueDate = addDays(receptionDate, -rng.int(0, 6));
  const deliveryDate = rng.chance(0.5) ? addDays(issueDate, -rng.int(0, 20)) : undefined;
  const year = issueDate.slice(0, 4);

  const sequence = options.sequence ?? rng.int(1, 999_999);
  const seqText = String(sequence).padStart(6, '0');
  const number = options.number ?? (type === '381' ? `AV-${supplier.invoicePrefix}-${year}-${seqText}` : `${supplier.invoicePrefix}-${year}-${seqText}`);
  // IdCPRO is Chorus Pro's own technical id: unique across the whole platform, unrelated to the supplier's number.
  const cproId = options.cproId ?? String(options.sequence !== undefined ? 4_100_000_000 + options.sequence : rng.int(1_000_000_000, 3_999_999_999));

  const precision = options.precision ?? (rng.chance(0.3) ? 'micro' : 'cents');
  const drafts = options.lines ?? drawLines(rng, supplier, options.lineCount ?? rng.int(1, 5), precision);
  // Half of the 'cents' invoices print 6 decimals ("828.430000"), as some Chorus Pro flows do.
  const printDecimals = precision === 'micro' ? 6 : rng.chance(0.5) ? 2 : 6;
  const { lines, vats, amounts } = computeInvoiceAmounts(drafts, precision, printDecimals);

  const withEngagement = options.engagement ?? (structure.engagementRequired || rng.chance(0.5));
  const engagement = options.engagementRef
    ? { ...options.engagementRef }
    : withEngagement
    ? {
        marketNumber: rng.chance(0.4) ? `${year}-M-${rng.digits(3)}` : undefined,
        engagementNumber: `EJ${year}${rng.digits(6)}`,
      }
    : undefined;

  const paymentMode = rng.chance(0.8) ? { code: '42', label: 'Virement' } : { code: '30', label: 'Virement' };
  const label = type === '381' ? 'Avoir' : 'Facture';
  const pdfLines = [
    `${label} N° ${number}`,
    `${supplier.name} - SIRET ${supplier.siret}`,
    `Destinataire : ${structure.name} (SIRET ${structure.siret})`,
    service ? `Service : ${service.label} (${service.code})` : 'Service : non précisé',
    `Date d'émission : ${frenchDate(issueDate)}`,
    ...(options.originInvoiceNumber ? [`Facture d'origine : ${options.originInvoiceNumber}`] : []),
    ...(engagement ? [`Engagement : ${engagement.engagementNumber}`] : []),
    `Montant HT : ${euros(amounts.ht)} - TVA : ${euros(new D(amounts.ttc).minus(amounts.ht))} - TTC : ${euros(amounts.ttc)}`,
    `Net à payer : ${euros(amounts.netToPay)} par virement sur ${supplier.iban}`,
  ];
  const attachmentBytes = options.attachmentBytes ?? rng.int(1_500, 3_000);
  const attachments: AttachmentSpec[] = [
    {
      numOrdre: 1,
      name: `${type === '381' ? 'AVO' : 'FAC'}${number}_${supplier.siret}.pdf`.slice(-50),
      type: '01',
      mimeType: 'application/pdf',
      content: { kind: 'pdf', lines: pdfLines, sizeBytes: attachmentBytes },
    },
  ];
  const supplementary = options.supplementaryAttachments ?? (rng.chance(0.25) ? rng.int(1, 2) : 0);
  for (let i = 0; i < supplementary; i++) {
    const { category, slug } = rng.pick(SUPPLEMENTARY_CATEGORIES);
    attachments.push(supplementaryAttachment(attachments.length + 1, number, category, slug, issueDate, Math.max(600, Math.floor(attachmentBytes / 2))));
  }

  return {
    supplier: {
      idType: '1',
      id: supplier.siret,
      name: supplier.name,
      countryCode: 'FR',
      bank: { type: 'IBAN', account: supplier.iban, establishment: supplier.bankName },
      emissionMode: 'flux',
    },
    debtor: {
      idType: '1',
      id: structure.siret,
      name: structure.name,
      serviceCode: service?.code,
      serviceName: service?.label,
    },
    number,
    cproId,
    originInvoiceNumber: options.originInvoiceNumber,
    type,
    cadre: 'A1',
    issueDate,
    deliveryDate,
    paymentMode,
    receptionDate,
    currency: 'EUR',
    amounts,
    vats,
    engagement,
    lines,
    attachments,
    validations: [
      {
        date: receptionDate,
        statusCode: '01',
        complement: 'Déposée',
        producer: { idType: '1', id: supplier.siret, name: supplier.name, countryCode: 'FR' },
      },
    ],
  };
}

/** A type 02 attachment (delivery note, quote…), e.g. the one a « Complétée » re-send adds. */
export function supplementaryAttachment(numOrdre: number, invoiceNumber: string, category: string, slug: string, date: string, sizeBytes = 1_200): AttachmentSpec {
  return {
    numOrdre,
    name: `PJ${numOrdre}_${invoiceNumber}.pdf`.slice(-50),
    originalName: `${slug}-${date}.pdf`.slice(-50),
    category,
    type: '02',
    mimeType: 'application/pdf',
    content: { kind: 'pdf', lines: [category, `Pièce jointe à la facture N° ${invoiceNumber}`, `Date : ${frenchDate(date)}`], sizeBytes },
  };
}

/**
 * A credit note (381) taking back half of the first line of `origin`: same supplier, debtor, service and
 * commitment (engagement), IdFactureOrigine = the invoice's number, amounts never above the invoice's.
 */
export function buildCreditNoteSpec(rng: SeededRng, origin: InvoiceSpec, options: InvoiceSpecOptions = {}): InvoiceSpec {
  const supplier = (options.suppliers ?? DEMO_SUPPLIERS).find((s) => s.siret === origin.supplier.id) ?? options.supplier;
  const structure = (options.structures ?? DEMO_STRUCTURES).find((s) => s.siret === origin.debtor.id) ?? options.structure;
  if (!supplier || !structure) throw new Error(`Fournisseur ou structure inconnus pour l'avoir sur ${origin.number}`);
  const service = structure.services.find((s) => s.code === origin.debtor.serviceCode) ?? null;
  const line = origin.lines[0];
  const halfQuantity = Decimal.max(new D(line.quantity).div(2).toDecimalPlaces(2, Decimal.ROUND_DOWN), '0.01');
  const micro = new D(line.unitPrice).decimalPlaces() > 2 || new D(line.quantity).decimalPlaces() > 1;
  const spec = buildInvoiceSpec(rng, {
    ...options,
    supplier,
    structure,
    service,
    type: '381',
    originInvoiceNumber: origin.number ?? undefined,
    engagement: origin.engagement !== undefined,
    engagementRef: origin.engagement,
    precision: micro ? 'micro' : 'cents',
    lines: [{ productRef: line.productRef, unitPrice: line.unitPrice, quantity: halfQuantity.toString(), vatRate: line.vatRate ?? '20' }],
  });
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Building flows
// ---------------------------------------------------------------------------------------------------------------

export interface FlowSpecOptions extends Omit<InvoiceSpecOptions, 'sequence' | 'number' | 'cproId' | 'type' | 'originInvoiceNumber'> {
  /** Number of the flow (IdFlx is derived from it). */
  index: number;
  invoiceCount: number;
  /**
   * Sequence of the flow's first invoice (then +1 per invoice), so numbers and IdCPRO stay unique across flows.
   * Default: index × 10,000 (fine up to 10,000 invoices per flow and 99 flows: numbers must stay ≤ 20 characters).
   */
  firstSequence?: number;
  /** Share of credit notes on earlier invoices of the same flow (default 0.1). */
  creditNoteRatio?: number;
}

/** IdFlx as Chorus Pro writes it: "CPP" + 22 digits. */
export function makeIdFlx(index: number): string {
  return 'CPP0020036' + String(index).padStart(15, '0');
}

export function buildFlowSpec(rng: SeededRng, options: FlowSpecOptions): PivotFlowSpec {
  const { index, invoiceCount, firstSequence, creditNoteRatio = 0.1, ...invoiceOptions } = options;
  const date = options.date ?? DEFAULT_REFERENCE_DATE;
  const start = firstSequence ?? index * 10_000;
  const invoices: InvoiceSpec[] = [];
  for (let i = 0; i < invoiceCount; i++) {
    const invoiceRng = rng.fork(`invoice-${start + i}`);
    const originals = invoices.filter((inv) => inv.type === '380');
    if (originals.length > 0 && invoiceRng.chance(creditNoteRatio)) {
      invoices.push(buildCreditNoteSpec(invoiceRng, invoiceRng.pick(originals), { ...invoiceOptions, sequence: start + i, date }));
    } else {
      invoices.push(buildInvoiceSpec(invoiceRng, { ...invoiceOptions, sequence: start + i, date }));
    }
  }
  return { idFlx: makeIdFlx(index), dtPrd: date, invoices };
}

// ---------------------------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------------------------

export type PivotEncoding = 'UTF-8' | 'ISO-8859-1';

export interface PivotWriteOptions {
  encoding?: PivotEncoding;
  /** Tabs and new lines like the AIFE samples (default true). */
  indent?: boolean;
  /** xsi:noNamespaceSchemaLocation; null to leave it out. */
  schemaLocation?: string | null;
  /** Version attribute of the root; null to leave it out. */
  version?: string | null;
  /** Overrides CPPFactures@Compteur (bad cases). */
  declaredCount?: number;
  /** Shared between flows so identical attachments are zipped once. */
  encoder?: AttachmentEncoder;
  /** Seed of a fresh encoder when none is given (padding bytes of the PDFs). */
  seed?: number;
}

// Characters XML 1.0 forbids even escaped: replaced rather than written.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function escapeXml(text: string): string {
  // Fast path: most values (and every base64 Contenu, ~27 KB each in the benchmark) need no escaping.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(INVALID_XML_CHARS, '\uFFFD');
}

/** Text of an XML comment ("--" is not allowed inside). */
function commentText(text: string): string {
  return text.replace(/-{2,}/g, '-').replace(/-$/, '- ');
}

class XmlChunk {
  private text = '';
  constructor(private readonly indent: boolean) {}

  private pad(depth: number): string {
    return this.indent ? '\t'.repeat(depth) : '';
  }
  private get nl(): string {
    return this.indent ? '\n' : '';
  }
  open(depth: number, name: string, attrs = ''): this {
    this.text += `${this.pad(depth)}<${name}${attrs}>${this.nl}`;
    return this;
  }
  close(depth: number, name: string): this {
    this.text += `${this.pad(depth)}</${name}>${this.nl}`;
    return this;
  }
  /** Leaf element; undefined leaves it out (optional element). */
  leaf(depth: number, name: string, value: string | undefined | null): this {
    if (value === undefined || value === null) return this;
    this.text += `${this.pad(depth)}<${name}>${escapeXml(value)}</${name}>${this.nl}`;
    return this;
  }
  /** Leaf whose value is known to need no escaping (base64 text). */
  leafTrusted(depth: number, name: string, value: string | null): this {
    if (value === null) return this;
    this.text += `${this.pad(depth)}<${name}>${value}</${name}>${this.nl}`;
    return this;
  }
  raw(text: string): this {
    this.text += text;
    return this;
  }
  comment(depth: number, text: string): this {
    this.text += `${this.pad(depth)}<!--${commentText(text)}-->${this.nl}`;
    return this;
  }
  toString(): string {
    return this.text;
  }
}

function headerXml(flow: PivotFlowSpec, options: PivotWriteOptions): string {
  const x = new XmlChunk(options.indent !== false);
  const encoding = options.encoding ?? 'UTF-8';
  const schemaLocation = options.schemaLocation === undefined ? 'CPPFacturePivot_V2_02.xsd' : options.schemaLocation;
  const version = options.version === undefined ? 'V2_02' : options.version;
  let attrs = '';
  if (schemaLocation !== null) attrs += ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="${escapeXml(schemaLocation)}"`;
  if (version !== null) attrs += ` Version="${escapeXml(version)}"`;
  x.raw(`<?xml version="1.0" encoding="${encoding}"?>\n`);
  x.open(0, 'CPPFacturePivot', attrs);
  x.open(1, 'Enveloppe').open(2, 'EnveloppeUnitaire', ' NumOrdre="1"').open(3, 'Parametres');
  // The XSD wants at least two ParametreIndiv: DtPrd (production date) and IdFlx (flow id).
  const parameters = [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }, ...(flow.extraParameters ?? [])];
  parameters.forEach((p, i) => {
    x.open(4, 'ParametreIndiv', ` NumOrdre="${String(i + 1).padStart(4, '0')}"`).leaf(5, 'Code', p.code).leaf(5, 'Valeurparametre', p.value).close(4, 'ParametreIndiv');
  });
  x.close(3, 'Parametres').open(3, 'Partenaires');
  const receiver = flow.receiver ?? { id: 'PSR001', label: 'Passerelle - collectivités' };
  const sender = flow.sender ?? { id: 'CPP001', label: 'Application Chorus Portail Pro' };
  x.open(4, 'Recepteur').leaf(5, 'Id', receiver.id).leaf(5, 'Libelle', receiver.label).close(4, 'Recepteur');
  x.open(4, 'Emetteur').leaf(5, 'Id', sender.id).leaf(5, 'Libelle', sender.label).close(4, 'Emetteur');
  x.close(3, 'Partenaires').close(2, 'EnveloppeUnitaire').close(1, 'Enveloppe');
  x.open(1, 'CPPFactures', ` Compteur="${options.declaredCount ?? flow.invoices.length}"`);
  return x.toString();
}

/** XML of one CPPFacturePivotUnitaire, element order exactly as in the XSD's sequences. */
export function invoiceXml(invoice: InvoiceSpec, numOrdre: number, encoder: AttachmentEncoder, indent = true): string {
  const x = new XmlChunk(indent);
  if (invoice.comment) x.comment(2, invoice.comment);
  x.open(2, 'CPPFacturePivotUnitaire', ` NumOrdre="${numOrdre}"`);

  const s = invoice.supplier;
  x.open(3, 'Fournisseur').leaf(4, 'TypeIdentifiant', s.idType).leaf(4, 'Identifiant', s.id).leaf(4, 'RaisonSociale', s.name).leaf(4, 'CodePays', s.countryCode);
  if (s.bank) {
    x.open(4, 'ReferenceBancaire', ` Type="${s.bank.type}"`)
      .leaf(5, 'Compte', s.bank.account)
      .leaf(5, 'Etablissement', s.bank.establishment)
      .leaf(5, 'RaisonSocialeEncaisseur', s.bank.holderName)
      .close(4, 'ReferenceBancaire');
  }
  x.leaf(4, 'ModeEmission', s.emissionMode).close(3, 'Fournisseur');

  const d = invoice.debtor;
  x.open(3, 'Debiteur').leaf(4, 'TypeIdentifiant', d.idType).leaf(4, 'Identifiant', d.id).leaf(4, 'Nom', d.name).leaf(4, 'CodeService', d.serviceCode).leaf(4, 'NomService', d.serviceName).close(3, 'Debiteur');

  x.open(3, 'DonneesFacture')
    .leaf(4, 'Id', invoice.number)
    .leaf(4, 'IdCPRO', invoice.cproId)
    .leaf(4, 'Renvoi', invoice.renvoi)
    .leaf(4, 'IdFactureOrigine', invoice.originInvoiceNumber)
    .leaf(4, 'Type', invoice.type)
    .leaf(4, 'Cadre', invoice.cadre)
    .leaf(4, 'DateEmissionFacture', invoice.issueDate)
    .leaf(4, 'DateLivraison', invoice.deliveryDate)
    .open(4, 'ModePaiement')
    .leaf(5, 'Code', invoice.paymentMode.code)
    .leaf(5, 'Libelle', invoice.paymentMode.label)
    .close(4, 'ModePaiement')
    .leaf(4, 'DateReception', invoice.receptionDate)
    .leaf(4, 'DateMiseADispositionMOE', invoice.moeDate)
    .leaf(4, 'Devise', invoice.currency)
    .open(4, 'Montants')
    .leaf(5, 'MontantHT', invoice.amounts.ht)
    .leaf(5, 'MontantTTC', invoice.amounts.ttc)
    .leaf(5, 'MontantNetAPayer', invoice.amounts.netToPay)
    .close(4, 'Montants');
  if (invoice.vats.length > 0) {
    x.open(4, 'TVAs');
    for (const v of invoice.vats) x.open(5, 'TVA').leaf(6, 'Taux', v.rate).leaf(6, 'BaseHt', v.baseHt).leaf(6, 'MontantTVA', v.amount).close(5, 'TVA');
    x.close(4, 'TVAs');
  }
  if (invoice.engagement) {
    x.open(4, 'Engagement').leaf(5, 'NumeroMarche', invoice.engagement.marketNumber).leaf(5, 'NumeroEngagement', invoice.engagement.engagementNumber).close(4, 'Engagement');
  }
  if (invoice.lines.length > 0) {
    x.open(4, 'Lignes');
    for (const l of invoice.lines) {
      x.open(5, 'Ligne', ` NumOrdre="${l.numOrdre}"`)
        .leaf(6, 'ReferenceProduit', l.productRef)
        .leaf(6, 'PrixUnitaire', l.unitPrice)
        .leaf(6, 'Quantite', l.quantity)
        .leaf(6, 'MontantHT', l.amountHt)
        .leaf(6, 'TauxTVA', l.vatRate)
        .close(5, 'Ligne');
    }
    x.close(4, 'Lignes');
  }
  x.close(3, 'DonneesFacture');

  for (const pj of invoice.attachments) {
    x.open(3, 'PJ', ` NumOrdre="${pj.numOrdre}"`);
    const contenu = encoder.contentBase64(pj.content, pj.name);
    // Base64 needs no escaping; skipping the scan matters for 20 KB attachments × 20,000 invoices.
    if (pj.content.kind === 'text') x.leaf(4, 'Contenu', contenu);
    else x.leafTrusted(4, 'Contenu', contenu);
    x
      .leaf(4, 'NomPJ', pj.name)
      .leaf(4, 'NomPJOrigine', pj.originalName)
      .leaf(4, 'CategoriePJ', pj.category)
      .leaf(4, 'TypePJ', pj.type)
      .leaf(4, 'MimeTypePJ', pj.mimeType)
      .close(3, 'PJ');
  }

  if (invoice.validations.length > 0) {
    x.open(3, 'CycleDeValidation');
    for (const v of invoice.validations) {
      x.open(4, 'ValidationUnitaire')
        .leaf(5, 'DateStatut', v.date)
        .leaf(5, 'CodeStatut', v.statusCode)
        .leaf(5, 'ComplementStatut', v.complement)
        .leaf(5, 'Commentaire', v.comment)
        .open(5, 'ProducteurStatut')
        .leaf(6, 'TypeIdentifiant', v.producer.idType)
        .leaf(6, 'Id', v.producer.id)
        .leaf(6, 'RaisonSociale', v.producer.name)
        .leaf(6, 'CodePays', v.producer.countryCode)
        .close(5, 'ProducteurStatut')
        .close(4, 'ValidationUnitaire');
    }
    x.close(3, 'CycleDeValidation');
  }
  x.close(2, 'CPPFacturePivotUnitaire');
  return x.toString();
}

/** The flow as successive XML text chunks (header, one per invoice, footer): constant memory whatever its size. */
export function* pivotFlowXmlChunks(flow: PivotFlowSpec, options: PivotWriteOptions = {}): Generator<string> {
  const encoder = options.encoder ?? new AttachmentEncoder(options.seed ?? 1);
  const indent = options.indent !== false;
  yield headerXml(flow, options);
  for (let i = 0; i < flow.invoices.length; i++) yield invoiceXml(flow.invoices[i], i + 1, encoder, indent);
  yield indent ? '\t</CPPFactures>\n</CPPFacturePivot>\n' : '</CPPFactures></CPPFacturePivot>\n';
}

/** Text → bytes in the flow's declared encoding. In ISO-8859-1, characters it lacks (œ, €, ’) become char refs. */
export function encodeXmlText(text: string, encoding: PivotEncoding = 'UTF-8'): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(text, 'utf8');
  return iconv.encode(
    text.replace(/[\u0100-\u{10FFFF}]/gu, (c) => `&#${c.codePointAt(0)};`),
    'latin1',
  );
}

/** The whole flow in memory (small fixtures, tests). */
export function renderPivotFlow(flow: PivotFlowSpec, options: PivotWriteOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of pivotFlowXmlChunks(flow, options)) parts.push(encodeXmlText(chunk, options.encoding));
  return Buffer.concat(parts);
}

export interface PivotWriteResult {
  bytes: number;
  invoices: number;
}

/**
 * Streams the flow to `out` (left open) or to a file path. A file is written under a ".part" name and renamed at
 * the end, so a directory watcher never picks up a half-written flow.
 */
export async function writePivotFlow(out: Writable | string, flow: PivotFlowSpec, options: PivotWriteOptions = {}): Promise<PivotWriteResult> {
  if (typeof out !== 'string') return writeChunks(out, flow, options);
  const partPath = join(dirname(out), `.${basename(out)}.part`);
  const stream = createWriteStream(partPath);
  try {
    const result = await writeChunks(stream, flow, options);
    stream.end();
    await finished(stream);
    await rename(partPath, out);
    return result;
  } catch (err) {
    stream.destroy();
    await unlink(partPath).catch(() => undefined);
    throw err;
  }
}

async function writeChunks(out: Writable, flow: PivotFlowSpec, options: PivotWriteOptions): Promise<PivotWriteResult> {
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Invoices are a few KB each: group them into ~1 MB writes to keep the syscall count low.
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const buffer = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (!out.write(buffer)) await once(out, 'drain');
  };
  for (const chunk of pivotFlowXmlChunks(flow, options)) {
    const buffer = encodeXmlText(chunk, options.encoding);
    bytes += buffer.length;
    pending.push(buffer);
    pendingBytes += buffer.length;
    if (pendingBytes >= 1 << 20) await flush();
  }
  await flush();
  return { bytes, invoices: flow.invoices.length };
}
