import { isValidBIC, isValidIBAN } from 'ibantools';
import { money, sum } from '@/common/money/money';
import type { MandateForDepense } from '@/invoices/mandate-export.service';
import type { XmlSink } from '@/pes/pes-xml.writer';

// PES_DepenseAller: one bordereau of mandats (DosTech v5.19 « Domaine Dépense Aller », xsd-v5.17 NS_Depense), the
// PES_PJ that carry each invoice's PDF and supplementary PJ (TypePJ 003 « Dépense », gzip then base64), referenced
// from the mandat by PJRef. Element order is the XSD's sequence order; lengths are the XSD's (Obj 100, Nom 38…).

/** TypePJ 003 « Dépense » (TPJ list of CommunPES). */
export const PJ_TYPE_DEPENSE = '003';
/** CodIntMor 02 « Taux BCE »: the intérêts moratoires follow the ECB rate + 8 points (R2192-31). */
export const COD_INT_MOR_BCE = '02';
/** Supplier's TypeIdentifiant (CPPFacturePivot) → NatIdTiers (TNatIdTiers): 01 SIRET, 05 TVA intra, 06 hors UE… */
const NAT_ID_TIERS: Readonly<Record<string, string>> = { '1': '01', '2': '05', '3': '06', '4': '08', '5': '07', '6': '09' };

export interface DepensePj {
  idUnique: string;
  nomPJ: string;
  mimeType: string;
  description: string;
  /** The original bytes (gzip then base64 when written). */
  content: Buffer;
}

/** One mandat as it travels (Piece): what the XML needs, nothing read from the database any more. */
export interface DepenseMandat {
  mandateId: string;
  idPce: number;
  natPce: '01' | '02';
  object: string;
  codServ: string | null;
  invoiceNumber: string;
  mandateNumber: string;
  lines: Array<{ nature: string; fonction: string | null; operation: string | null; amount: string }>;
  tiers: { idTiers: string | null; natIdTiers: string | null; nom: string; complNom: string | null; iban: string; bic: string | null; libBanc: string | null; titCpte: string };
  dgp: { debut: string; fin: string; duree: number; txIntMor: string | null };
  pjs: DepensePj[];
}

export interface DepenseBordereauContext {
  year: number;
  bordereauNumber: number;
  emittedOn: string;
}

/** The structure's facts a mandat needs (délai global de paiement) and the ids given to its PJ. */
export interface MandatFacts {
  paymentDelayDays: number;
  /** ECB rate + 8 points for the half-year the interest would start in, null when the rate is not known. */
  txIntMor: string | null;
  pjIdUnique(idPce: number, rank: number): string;
}

/** French reason a mandat cannot travel (the bordereau is written without it), or its data. */
export type MapResult = { ok: true; mandat: Omit<DepenseMandat, 'pjs'> & { pjs: Array<Omit<DepensePj, 'content'> & { storageKey: string }> } } | { ok: false; reason: string };

const cut = (s: string, n: number): string => [...s.trim().replace(/\s+/g, ' ')].slice(0, n).join('');

/** « 6064 », « 2031 »: the XSD's Nature is Base_Num12 (digits only); class 2 accounts are investment (NatPce 02). */
function natureOf(article: string): string | null {
  return /^\d{1,12}$/.test(article) ? article : null;
}

/** A PJ name Hélios accepts (Base_NomPJ: up to 100 characters ending with a 2–4 character extension). */
export function pjName(name: string, mimeType: string): string {
  const clean = name.replace(/[\\/]/g, '_').trim() || 'piece';
  const withExt = /\.[A-Za-z0-9]{2,4}$/.test(clean) ? clean : `${clean}.${mimeType === 'application/pdf' ? 'pdf' : 'bin'}`;
  if (withExt.length <= 100) return withExt;
  const ext = withExt.slice(withExt.lastIndexOf('.'));
  return withExt.slice(0, 100 - ext.length) + ext;
}

/**
 * Maps a mandate to its Piece, or says in French why it cannot leave: no readable PDF of the invoice, no IBAN
 * (ModRegl 03 virement needs the CpteBancaire), an imputation Hélios would reject by schema.
 */
export function mapMandat(m: MandateForDepense, facts: MandatFacts): MapResult {
  const invoicePdf = m.attachments.find((a) => a.type === '01' && a.storageKey);
  if (!invoicePdf) {
    const unreadable = m.attachments.find((a) => a.type === '01');
    return { ok: false, reason: `Mandat ${m.number} : la facture ${m.invoiceNumber} n'a pas de PDF lisible${unreadable?.errorMessage ? ` (${unreadable.errorMessage})` : ''} ; Hélios exige la pièce justificative` };
  }
  const iban = m.iban?.replace(/\s/g, '').toUpperCase() ?? '';
  if (!iban || !isValidIBAN(iban)) {
    return { ok: false, reason: `Mandat ${m.number} : IBAN du fournisseur ${iban ? `« ${iban} » invalide` : 'absent du flux pivot'} ; un virement en a besoin` };
  }
  if (m.supplierIdType === '7') {
    // CatTiers 01 needs Civilite and Prenom (« obligatoire si Cat du tiers 01 »), which a pivot does not carry.
    return { ok: false, reason: `Mandat ${m.number} : fournisseur particulier, sa civilité et son prénom manquent pour Hélios` };
  }
  const lines: DepenseMandat['lines'] = [];
  for (const [i, imp] of m.imputations.entries()) {
    const nature = natureOf(imp.article);
    if (!nature) return { ok: false, reason: `Mandat ${m.number}, imputation ${i + 1} : l'article « ${imp.article} » n'est pas un compte par nature en chiffres` };
    for (const [key, v] of [['fonction', imp.fonction], ['opération', imp.operation]] as const) {
      if (v && !/^\d{1,10}$/.test(v)) return { ok: false, reason: `Mandat ${m.number}, imputation ${i + 1} : ${key} « ${v} » invalide (10 chiffres au plus)` };
    }
    if (money(imp.amount).lt(0)) return { ok: false, reason: `Mandat ${m.number} : montant négatif (un avoir ne se mandate pas)` };
    lines.push({ nature, fonction: imp.fonction || null, operation: imp.operation || null, amount: money(imp.amount).toFixed(2) });
  }
  if (!lines.length) return { ok: false, reason: `Mandat ${m.number} : aucune imputation` };
  if (!m.dueDate) return { ok: false, reason: `Mandat ${m.number} : échéance du délai global de paiement inconnue` };
  const bic = m.bankEstablishment?.replace(/\s/g, '').toUpperCase() ?? '';
  const name = m.supplierName.trim().replace(/\s+/g, ' ');
  const holder = (m.bankHolder?.trim() || name).replace(/\s+/g, ' ');
  const natIdTiers = NAT_ID_TIERS[m.supplierIdType] ?? null;
  const pjs = [invoicePdf, ...m.attachments.filter((a) => a !== invoicePdf && a.storageKey)].map((a, i) => ({
    idUnique: facts.pjIdUnique(m.sequence, i + 1),
    nomPJ: pjName(a.name, a.mimeType),
    mimeType: a.mimeType || 'application/octet-stream',
    description: cut(`${a.type === '01' ? 'Facture' : 'Pièce complémentaire'} ${m.invoiceNumber} — mandat ${m.number}`, 250),
    storageKey: a.storageKey!,
  }));
  return {
    ok: true,
    mandat: {
      mandateId: m.mandateId,
      idPce: m.sequence,
      natPce: lines.some((l) => l.nature.startsWith('2')) ? '02' : '01',
      object: cut(m.object, 100),
      codServ: null,
      invoiceNumber: m.invoiceNumber,
      mandateNumber: m.number,
      lines,
      tiers: {
        idTiers: natIdTiers && /^[0-9A-Za-z]{1,80}$/.test(m.supplierId) ? m.supplierId : null,
        natIdTiers: natIdTiers && /^[0-9A-Za-z]{1,80}$/.test(m.supplierId) ? natIdTiers : null,
        nom: cut(name, 38),
        complNom: [...name].length > 38 ? cut([...name].slice(38).join(''), 38) || null : null,
        iban,
        bic: bic && isValidBIC(bic) ? bic : null,
        libBanc: bic && !isValidBIC(bic) ? cut(m.bankEstablishment!, 24) : null,
        titCpte: cut(holder, 32),
      },
      dgp: { debut: m.receptionDate, fin: m.dueDate, duree: facts.paymentDelayDays, txIntMor: facts.txIntMor },
      pjs,
    },
  };
}

/** Total of a bordereau (MtBordHT): the lines are TTC, no VAT is recovered on these mandats (MtHT « ou TTC »). */
export function bordereauTotal(mandats: ReadonlyArray<Pick<DepenseMandat, 'lines'>>): string {
  return sum(mandats.flatMap((m) => m.lines.map((l) => l.amount))).toFixed(2);
}

/** PES_DepenseAller with one Bordereau. PES_PJ is written by the caller (its PJ come from the store). */
export function writeDepenseAller(w: XmlSink, ctx: DepenseBordereauContext, mandats: ReadonlyArray<Omit<DepenseMandat, 'pjs'> & { pjs: ReadonlyArray<Omit<DepensePj, 'content'>> }>): void {
  w.open('PES_DepenseAller');
  w.open('EnTeteDepense');
  w.leaf('IdVer', '2'); // « Mettre à 2. A défaut rejet du flux »
  // Unsigned flow: « La valeur 1 ne peut être autorisée qu'avec une signature électronique ».
  w.leaf('InfoDematerialisee', '0');
  w.close();
  w.open('Bordereau', { Id: `DEP${ctx.year}N${ctx.bordereauNumber}` });
  w.open('BlocBordereau');
  w.leaf('Exer', String(ctx.year));
  w.leaf('IdBord', String(ctx.bordereauNumber));
  w.leaf('DteBordEm', ctx.emittedOn);
  w.leaf('TypBord', '01'); // ordinaire
  w.leaf('NbrPce', String(mandats.length));
  w.leaf('MtBordHT', bordereauTotal(mandats));
  w.close();
  for (const m of mandats) {
    w.open('Piece');
    w.open('BlocPiece');
    w.open('InfoPce');
    if (m.codServ) w.leaf('CodServ', m.codServ);
    w.leaf('IdPce', String(m.idPce));
    w.leaf('TypPce', '01'); // mandat ordinaire
    w.leaf('NatPce', m.natPce);
    w.leaf('Obj', m.object);
    for (const pj of m.pjs) {
      w.open('PJRef');
      w.leaf('Support', '01');
      w.leaf('IdUnique', pj.idUnique);
      w.leaf('NomPJ', pj.nomPJ);
      w.leaf('TypePJ', PJ_TYPE_DEPENSE);
      w.close();
    }
    w.close();
    // DGP « 0 = dépense éligible »; DteFinDgp includes the ordonnateur's suspension, DureeDgp does not.
    w.open('DGP');
    w.leaf('Dgp', '0');
    w.leaf('DteDebDgp', m.dgp.debut);
    w.leaf('DteFinDgp', m.dgp.fin);
    w.leaf('DureeDgp', String(m.dgp.duree));
    w.leaf('CodIntMor', COD_INT_MOR_BCE);
    if (m.dgp.txIntMor) w.leaf('TxIntMor', m.dgp.txIntMor);
    w.close();
    w.close();
    for (const [i, l] of m.lines.entries()) {
      w.open('LigneDePiece');
      w.open('BlocLignePiece');
      w.open('InfoLignePce');
      w.leaf('IdLigne', String(i + 1));
      w.leaf('Nature', l.nature);
      if (l.fonction) w.leaf('Fonction', l.fonction);
      if (l.operation) w.leaf('Operation', l.operation);
      w.leaf('Facture', cut(m.invoiceNumber, 20));
      // Shown to the supplier on his bank statement: what he needs to match the payment to his invoice.
      w.leaf('LibVir1', cut(`FACTURE ${m.invoiceNumber}`, 70));
      w.leaf('LibVir2', cut(`MANDAT ${m.mandateNumber}`, 70));
      w.leaf('ModRegl', '03'); // virement
      w.leaf('TVAIntraCom', '0');
      w.leaf('MtHT', l.amount);
      w.close();
      w.close();
      w.open('Tiers');
      w.open('InfoTiers');
      if (m.tiers.idTiers && m.tiers.natIdTiers) {
        w.leaf('IdTiers', m.tiers.idTiers);
        w.leaf('NatIdTiers', m.tiers.natIdTiers);
      }
      // A supplier of the pivot is a company: Personne morale de droit privé / société (annexe 3: 50 → 03).
      w.leaf('CatTiers', '50');
      w.leaf('NatJur', '03');
      w.leaf('Nom', m.tiers.nom);
      if (m.tiers.complNom) w.leaf('ComplNom', m.tiers.complNom);
      w.close();
      w.open('CpteBancaire');
      if (m.tiers.bic) w.leaf('BIC', m.tiers.bic);
      w.leaf('IBAN', m.tiers.iban);
      if (m.tiers.libBanc) w.leaf('LibBanc', m.tiers.libBanc);
      w.leaf('TitCpte', m.tiers.titCpte);
      w.close();
      w.close();
      w.close();
    }
    w.close();
  }
  w.close();
  w.close();
}
