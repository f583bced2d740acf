// Plain typed objects read from a CPPFacturePivot flow (AIFE XSD V1_20 … V2_02). Every element of the XSD
// is kept; amounts stay decimal strings exactly as written (up to 6 decimals), never JS numbers.

export interface PivotParameter {
  code: string;
  value: string;
  note?: string;
  numOrdre?: string;
}

export interface PivotPartner {
  id: string;
  label?: string;
  note?: string;
}

/** The flow's envelope (Enveloppe/EnveloppeUnitaire) and the CPPFactures counter. */
export interface PivotEnvelope {
  /** Version element when present, else guessed from xsi:noNamespaceSchemaLocation (e.g. "V2_02"). */
  version?: string;
  schemaLocation?: string;
  /** From ParametreIndiv Code=IdFlx / DtPrd. */
  idFlx?: string;
  dtPrd?: string;
  parameters: PivotParameter[];
  sender?: PivotPartner; // Partenaires/Emetteur
  receiver?: PivotPartner; // Partenaires/Recepteur
  declaredCount?: number; // CPPFactures@Compteur
}

export interface PivotSupplier {
  idType: string; // TypeIdentifiant (1 = SIRET, …)
  id: string; // Identifiant
  name: string; // RaisonSociale
  countryCode?: string;
  emissionMode?: string; // ModeEmission
  bank?: {
    type?: string; // ReferenceBancaire@Type (IBAN, RIB, …)
    account?: string; // Compte
    establishment?: string; // Etablissement
    holderName?: string; // RaisonSocialeEncaisseur
  };
}

export interface PivotDebtor {
  idType: string;
  id: string; // SIRET of the recipient structure
  name?: string;
  serviceCode?: string;
  serviceName?: string;
}

export interface PivotVat {
  rate: string;
  baseHt: string;
  amount: string;
}

export interface PivotLine {
  numOrdre: number;
  productRef?: string;
  unitPrice: string;
  quantity: string;
  amountHt: string;
  vatRate?: string;
}

export interface PivotValidation {
  date: string;
  statusCode: string;
  complement?: string;
  comment?: string;
  producer?: { idType?: string; id?: string; name?: string; countryCode?: string; note?: string };
}

/** What the attachment sink made of one PJ/Contenu. */
export interface PivotAttachmentContent {
  /** Name of the single file inside the ZIP. */
  entryName: string;
  sha256: string;
  size: number;
  storageKey: string;
}

export interface PivotAttachment {
  numOrdre: number;
  idUnique?: string;
  idOriginal?: string;
  name: string; // NomPJ
  originalName?: string; // NomPJOrigine
  category?: string; // CategoriePJ
  type: string; // TypePJ: 01 invoice, 02 supplementary
  mimeType: string;
  /** Null when the PJ had no Contenu or it could not be read (then `error` says why). */
  content: PivotAttachmentContent | null;
  error?: { code: 'ATTACHMENT_UNREADABLE'; message: string };
}

export interface PivotInvoice {
  numOrdre: number;
  supplier: PivotSupplier;
  debtor: PivotDebtor;
  number: string; // DonneesFacture/Id
  cproId?: string; // IdCPRO (V2_02)
  renvoi?: string; // Renvoi (V2_02), e.g. "Complétée"
  originInvoiceNumber?: string; // IdFactureOrigine
  type: string; // 380 invoice, 381 credit note
  cadre: string; // A1, A2, …
  issueDate: string; // DateEmissionFacture (YYYY-MM-DD)
  deliveryDate?: string;
  receptionDate: string;
  moeDate?: string; // DateMiseADispositionMOE
  currency?: string;
  paymentMode?: { code: string; label?: string };
  amounts: { ht: string; ttc: string; netToPay: string };
  vats: PivotVat[];
  engagement: { marketNumber?: string; engagementNumber?: string };
  lines: PivotLine[];
  attachments: PivotAttachment[];
  validations: PivotValidation[];
}

export type PivotEvent =
  | { kind: 'envelope'; envelope: PivotEnvelope }
  | { kind: 'invoice'; invoice: PivotInvoice }
  /** An invoice element that could not be turned into a PivotInvoice (missing mandatory data, bad number). */
  | { kind: 'invoice-error'; numOrdre?: number; number?: string; code: string; message: string };

/** The whole flow is not a readable pivot: nothing of it may be stored as invoices. */
export class PivotFlowError extends Error {
  constructor(
    readonly code:
      | 'MALFORMED_XML'
      | 'TRUNCATED_XML'
      | 'DTD_FORBIDDEN'
      | 'WRONG_ROOT'
      | 'UNSUPPORTED_VERSION'
      | 'FLOW_TOO_LARGE'
      | 'UNSUPPORTED_ENCODING'
      | 'EMPTY_FILE',
    message: string,
  ) {
    super(message);
    this.name = 'PivotFlowError';
  }
}
