import { z } from 'zod';
import { isDecimalString } from '@/common/money/money';
import { CAT_TIERS, CIVILITES, NAT_JUR } from '@/pes/pes-tiers.checks';

// Input shapes of the PES feature (REST bodies, `titres import` JSON/CSV) with French messages.
// Lengths and code lists follow the PES V2 schemas (Simple_Type.xsd, CommunPES.xsd, CommunRecette.xsd):
// a value accepted here fits its XSD type.

export const EDITIONS = ['01', '02', '04'] as const;
export type Edition = (typeof EDITIONS)[number];
export const EDITION_LABELS: Record<Edition, string> = {
  '01': 'ASAP à éditer',
  '02': 'ASAP CPP (Chorus Pro)',
  '04': 'ASAP sans traitement DGFiP',
};

const TYP_PCE = ['01', '02', '03', '04', '05', '06', '07', '09', '10', '11', '12', '14', '15'] as const; // 08, 13: rejected in aller
const NAT_PCE = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '18'] as const;
export { CAT_TIERS, NAT_JUR };

/** Base_Texte* of Simple_Type.xsd: 1..max characters, not a lone "0…0" (V_BaseAlphanum). */
export function text(label: string, max: number) {
  return z
    .string({ error: `${label} : texte attendu` })
    .trim()
    .min(1, `${label} obligatoire`)
    .max(max, `${label} : ${max} caractères au plus`)
    .refine((v) => /[^0]/.test(v), `${label} : valeur invalide`);
}
function optText(label: string, max: number) {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), text(label, max).optional());
}
function code<T extends readonly [string, ...string[]]>(label: string, values: T) {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v).padStart(2, '0') : typeof v === 'string' ? v.trim() : v),
    z.enum(values, { error: `${label} : valeur attendue parmi ${values.join(', ')}` }),
  );
}
function pattern(label: string, re: RegExp, hint: string) {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : v),
    z.string({ error: `${label} obligatoire` }).regex(re, `${label} : ${hint}`),
  );
}
function optPattern(label: string, re: RegExp, hint: string) {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), pattern(label, re, hint).optional());
}
/** Decimal amount given as a string ("1250.00", "1250,5") or a JSON number; kept as a string. */
function amount(label: string) {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().replace(',', '.') : v),
    z.string({ error: `${label} obligatoire` }).refine(isDecimalString, `${label} : montant décimal attendu`),
  );
}
function optAmount(label: string) {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), amount(label).optional());
}
/** NatJur: « 00 » (a blank field in some exports) is not a nature Hélios knows: said plainly, not as a list. */
function natJur(label: string) {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v).padStart(2, '0') : typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: `${label} obligatoire` })
      .refine((v) => v !== '00', `${label} : 00 n'est pas une nature juridique (valeurs 01 à 11, annexe 3)`)
      .refine((v) => v === '00' || (NAT_JUR as readonly string[]).includes(v), `${label} : valeur attendue parmi ${NAT_JUR.join(', ')}`),
  );
}
/** Civilite: closed list M / MME (case and surrounding spaces forgiven; « M. », « Mlle »… refused). */
function civility(label: string) {
  return z.preprocess(
    (v) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.enum(CIVILITES, { error: `${label} : M ou MME attendu (liste fermée de la DGFiP)` }).optional(),
  );
}
/** Talon optique line given by the settings or the titre: digits, capitals, spaces (Base_Num60TalonOptique). */
const TALON_TEMPLATE = /^(?:[0-9A-Z ]|\{(?:EXERCICE|BORDEREAU|TITRE|MONTANT|SIRET|CODCOL|CODBUD|IDPOST)(?::\d{1,2})?\})+$/;
const TALON_LINE = /^[0-9A-Z ]{1,60}$/;

const isoDate = (label: string) =>
  z
    .string({ error: `${label} obligatoire` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} : date AAAA-MM-JJ attendue`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), `${label} : date invalide`);

export const addressSchema = z.object({
  adr1: optText('Adresse (complément de distribution)', 38),
  adr2: optText('Adresse (numéro et voie)', 38),
  adr3: optText('Adresse (lieu-dit, BP, TSA)', 38),
  cp: pattern('Code postal', /^[0-9A-Za-z]{5}$/, '5 caractères attendus'),
  ville: text('Ville', 38),
  /** INSEE country code, only for a debtor living abroad (CodRes 1). */
  codPays: optPattern('Code pays', /^\d{3}$/, 'code INSEE à 3 chiffres attendu'),
});
export type Address = z.infer<typeof addressSchema>;

export const budgetSettingsSchema = z.object({
  code: pattern('Code du budget', /^[A-Za-z0-9_.-]{1,50}$/, 'lettres, chiffres, « - », « _ » ou « . » (50 au plus)'),
  collectivite: z.object({
    siret: pattern('SIRET de la collectivité (IdColl)', /^\d{14}$/, '14 chiffres attendus'),
    codCol: pattern('Code collectivité (CodCol)', /^[0-9A-Za-z]{1,3}$/, '1 à 3 caractères alphanumériques'),
    codBud: pattern('Code budget (CodBud)', /^[0-9A-Za-z]{1,2}$/, '1 ou 2 caractères alphanumériques'),
    idPost: pattern('Poste comptable (IdPost)', /^[0-9A-Za-z]{1,7}$/, '1 à 7 caractères'),
    libellePoste: optText('Libellé du poste comptable', 38),
    label: text('Libellé de la collectivité', 38),
    categorie: code('Catégorie de la collectivité', CAT_TIERS),
    natureJuridique: natJur('Nature juridique de la collectivité'),
    adresse: addressSchema,
    telephone: optText('Téléphone de la collectivité', 20),
    horairesOuverture: optText("Horaires d'ouverture de la collectivité", 38),
    /** AdresseMelEmetteur: the service the debtor may write to. */
    email: optText('Adresse électronique de la collectivité', 50),
    refBdf: optPattern('Numéro émetteur / ICS (RefBdf)', /^[0-9A-Za-z]{1,13}$/, '1 à 13 caractères alphanumériques'),
    codeTipi: optPattern('Code TIPI', /^\d{1,7}$/, '1 à 7 chiffres'),
    adrTipi: optText('Adresse TIPI', 200),
    codServ: optText('Code service émetteur (CodServ)', 10),
  }),
  signataire: z
    .object({
      nom: optText('Nom du signataire', 38),
      prenom: optText('Prénom du signataire', 38),
      fonction: optText('Fonction du signataire', 50),
    })
    .default({}),
  /** Tiers 26 of the ASAP: the Centre des Finances Publiques; phone, hours and mail go to its InfoSupplTiers. */
  tresorerie: z.object({
    nom: text('Nom de la trésorerie (Centre des Finances Publiques)', 38),
    adresse: addressSchema,
    telephone: optText('Téléphone de la trésorerie (NumTel2)', 20),
    horairesOuverture: optText("Horaires d'accueil de la trésorerie (HorairesOuv2)", 38),
    email: optText('Adresse électronique de la trésorerie (AdresseMelCFP)', 50),
    bic: optPattern('BIC de la trésorerie', /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/, 'BIC en majuscules attendu'),
    iban: optPattern('IBAN de la trésorerie', /^[A-Z]{2}\d{2}[A-Za-z0-9]{1,30}$/, 'IBAN sans espaces attendu'),
    titulaire: optText('Titulaire du compte de la trésorerie', 32),
  }),
  centreEncaissement: z.object({
    adresse: z.object({
      adr3: optText('TSA du centre d’encaissement', 38),
      cp: pattern('Code postal du centre d’encaissement', /^[0-9A-Za-z]{5}$/, '5 caractères attendus'),
      ville: text('Ville du centre d’encaissement', 38),
    }),
  }),
  modalites: z.preprocess(
    // Settings written before v5.17 named the voies de recours `contestation`.
    (v) => (v && typeof v === 'object' && !('voiesDeRecours' in v) && 'contestation' in v ? { ...(v as Record<string, unknown>), voiesDeRecours: (v as Record<string, unknown>).contestation } : v),
    z.object({
      /** ModalitesReglement, printed on the back of the ASAP. */
      reglement: text('Modalités de règlement', 250),
      /** ModalitesContestation: the voies de recours (tribunal compétent, délai), printed on the ASAP. */
      voiesDeRecours: text('Voies de recours (modalités de contestation)', 420),
      /** ConditionsGen: mandatory in the PES_Facture, « non repris sur l'édition ASAP »; defaults to the règlement text. */
      conditionsGenerales: optText('Conditions générales de facturation', 250),
      modeRecouvrement: z.enum(['TIP', 'TALON'], { error: 'Mode de recouvrement : TIP ou TALON' }),
    }),
  ),
  /**
   * Talon optique (TalonOptique2Lignes, « norme HEL »): the lines as the trésorerie or the accounting software
   * gives them, with placeholders for the titre's data ({EXERCICE}, {BORDEREAU}, {TITRE}, {MONTANT} in cents,
   * {SIRET}, {CODCOL}, {CODBUD}, {IDPOST}; `{TITRE:13}` pads with zeros). The HEL key algorithm is not public:
   * no key is ever computed; a line needing one must come with the titre.
   */
  talon: z
    .object({
      ligne1: optPattern('Talon optique, ligne 1', TALON_TEMPLATE, 'chiffres, majuscules, espaces et champs {EXERCICE} {BORDEREAU} {TITRE} {MONTANT} {SIRET} {CODCOL} {CODBUD} {IDPOST}'),
      ligne2: optPattern('Talon optique, ligne 2', TALON_TEMPLATE, 'chiffres, majuscules, espaces et champs {EXERCICE} {BORDEREAU} {TITRE} {MONTANT} {SIRET} {CODCOL} {CODBUD} {IDPOST}'),
    })
    .default({}),
  /** Exercices closed in Hélios (journée complémentaire passed): generating for one of them warns. */
  exercicesClos: z.array(z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number({ error: 'Exercice clos : année attendue' }).int().min(2000).max(2999))).default([]),
});
export type BudgetSettings = z.infer<typeof budgetSettingsSchema>;

export const debtorSchema = z.object({
  /** CatTiers: 01 personne physique, 2x public entities, 60 personne morale de droit privé … */
  category: code('Catégorie du débiteur (CatTiers)', CAT_TIERS),
  /** NatJur: 01 particulier, 03 société, 09 collectivité territoriale / EPL / EPS … */
  legalNature: natJur('Nature juridique du débiteur (NatJur)'),
  civility: civility('Civilité du débiteur'),
  name: text('Nom du débiteur', 38),
  complName: optText('Complément de nom du débiteur', 38),
  firstName: optText('Prénom du débiteur', 38),
  siret: optPattern('SIRET du débiteur', /^\d{14}$/, '14 chiffres attendus'),
  address: addressSchema,
});
export type Debtor = z.infer<typeof debtorSchema>;

export const titreLineSchema = z.object({
  productCode: pattern('Code produit (CodProdLoc)', /^[0-9A-Za-z]{1,4}$/, '1 à 4 caractères alphanumériques'),
  nature: pattern('Nature (compte)', /^\d{1,12}$/, '1 à 12 chiffres'),
  fonction: optPattern('Fonction', /^\d{1,10}$/, '1 à 10 chiffres'),
  operation: optPattern('Opération', /^[0-9A-Za-z]{1,10}$/, '1 à 10 caractères alphanumériques'),
  label: text('Libellé de la ligne', 160),
  quantity: optAmount('Quantité'),
  unitPrice: optAmount('Prix unitaire'),
  amountHt: amount('Montant HT'),
  vatRate: optAmount('Taux de TVA'),
  amountTva: optAmount('Montant de TVA'),
});
export type TitreLineInput = z.infer<typeof titreLineSchema>;

export const titreInputSchema = z.object({
  /** Reference given by the accounting software: a batch imported twice does not create titles twice. */
  ref: optPattern('Référence', /^[^\s].{0,99}$/, '100 caractères au plus'),
  issueDate: isoDate("Date d'émission"),
  /** Exercice; defaults to the year of the issue date. */
  year: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v), z.number({ error: 'Exercice : année attendue' }).int().min(2000).max(2999).optional()),
  object: text('Objet du titre', 160),
  typPce: code('Type de pièce (TypPce)', TYP_PCE).default('01'),
  natPce: code('Nature de pièce (NatPce)', NAT_PCE).default('01'),
  edition: code('Type ASAP (Edition)', EDITIONS),
  codServ: optText('Code service émetteur (CodServ)', 10),
  debtor: debtorSchema,
  /**
   * ASAP CPP (Edition 02), BlocPiece of the titre: the invoice number Chorus Pro shows the debtor (mandatory), the
   * debtor's service code and name, engagement juridique and marché (checked against the Chorus Pro directory).
   */
  invoiceNumber: optPattern('Numéro de facture (NumeroFacture)', /^[ \-/_+0-9a-zA-Z]{1,20}$/, '20 caractères au plus : lettres, chiffres, espace, - + _ /'),
  serviceCode: optText('Code service du débiteur (CodeService)', 100),
  serviceName: optText('Nom du service du débiteur (NomService)', 100),
  engagementNumber: optText("Numéro d'engagement du débiteur (NumeroEngagement)", 50),
  marketNumber: optText('Numéro de marché (NumeroMarche)', 50),
  /** Talon optique lines computed by the accounting software for this titre (kept as given). */
  talon: z
    .object({
      ligne1: pattern('Talon optique, ligne 1', TALON_LINE, '60 caractères au plus : chiffres, majuscules, espaces'),
      ligne2: pattern('Talon optique, ligne 2', TALON_LINE, '60 caractères au plus : chiffres, majuscules, espaces'),
    })
    .optional(),
  lines: z.array(titreLineSchema, { error: 'Lignes obligatoires' }).min(1, 'Au moins une ligne').max(999, '999 lignes au plus'),
  /** Optional PDF (PES_PJ type 008, « document complémentaire à l'ASAP »): base64 content, or a path for file imports. */
  pdf: z
    .object({
      name: pattern('Nom du PDF', /^.{1,96}\.[Pp][Dd][Ff]$/, 'nom de fichier .pdf (100 caractères au plus)'),
      base64: z.string().optional(),
      path: z.string().optional(),
    })
    .optional(),
});
export type TitreInput = z.infer<typeof titreInputSchema>;

export interface Issue {
  /** Stable rule code (UPPER_SNAKE). */
  code: string;
  /** French, says which rule. */
  message: string;
}

export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => {
    const where = i.path.length ? `${i.path.join('.')} — ` : '';
    return { code: 'INVALID_FIELD', message: `${where}${i.message}` };
  });
}

/** A titre line with its amounts computed (decimal strings, cents). */
export interface NormalizedLine {
  lineNo: number;
  productCode: string;
  nature: string;
  fonction: string | null;
  operation: string | null;
  label: string;
  quantity: string;
  unitPrice: string;
  amountHt: string;
  vatRate: string;
  amountTva: string;
}

/** A titre as the flow writer needs it (from the database or in memory for the bench). */
export interface TitreData {
  id?: string;
  year: number;
  number: number;
  issueDate: string;
  object: string;
  typPce: string;
  natPce: string;
  edition: string;
  codServ: string | null;
  debtor: Debtor;
  debtorSiret: string | null;
  debtorServiceCode: string | null;
  debtorServiceName: string | null;
  debtorEngagement: string | null;
  invoiceNumber: string | null;
  marketNumber: string | null;
  talon: { ligne1: string; ligne2: string } | null;
  amountHt: string;
  amountTva: string;
  amountTtc: string;
  pdf: { name: string; content: Buffer } | null;
  lines: NormalizedLine[];
}
