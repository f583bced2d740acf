import { XMLParser } from 'fast-xml-parser';
import { DomainError } from '@/common/errors/domain.error';
import { isDecimalString, money } from '@/common/money/money';
import { decodeXml } from '@/pes/pes-acquit.reader';

// PES_Retour / PES_DepenseRetour (Hélios → ordonnateur, ISO-8859-1 as Hélios writes it; xsd-v5.17 RETOUR/NS_Depense):
// per bordereau (Exer, IdBord) and mandat (IdPce) its EtatPce, per line its EtatLigPce and CessOpp, and every
// PaiementEmargement (OrgEma origin of the émargement, DtePay, MtPay).

/** TEtatPce: state of the mandat at the comptable's. */
export const ETAT_PCE_LABELS: Readonly<Record<string, string>> = { '01': 'En instance', '02': 'Pris en charge', '04': 'Rejeté', '05': 'Soldé' };
/** TCessOpp: a cession or an opposition on the line (the payment goes, in part or whole, to someone else). */
export const CESS_OPP_LABELS: Readonly<Record<string, string>> = { '01': 'Pas de cession-opposition', '02': 'Cession-opposition partielle', '03': 'Cession-opposition totale' };
/** TOrgEma: origin of the émargement of a mandat line. */
export const ORG_EMA_LABELS: Readonly<Record<string, string>> = {
  '01': 'Paiement réel',
  '02': 'Ordre de paiement pénalités de retard',
  '03': 'Ordre de paiement retenue de garantie',
  '04': 'COP',
  '05': 'Ordre de paiement comptable',
  '06': 'Ordre de reversement',
  '07': 'Mandat correctif',
  '08': 'Mandat',
  '09': 'Titre correctif',
  '10': 'Titre',
  '11': 'Liste de non-valeur',
  '12': 'Encaissement',
  '13': "Avance sur marché d'investissement",
  '14': 'Avance sur marché de fonctionnement',
  '15': 'Divers',
};
/** TObsEtat: coded motif of a rejection or instance. */
export const OBS_ETAT_LABELS: Readonly<Record<string, string>> = {
  '01': 'Absence totale ou invalidité des pièces justificatives',
  '02': 'Insuffisance des pièces justificatives',
  '03': 'Insuffisance de crédits budgétaires',
  '04': 'Liquidation erronée',
  '05': 'Absence de certification du service fait et du caractère exécutoire',
  '06': 'Autre motif',
  '07': 'Double paiement',
  '09': 'Domiciliation bancaire absente ou erronée',
  '10': 'Récupération d’avance non effectuée',
  '11': 'Incompétence du donneur d’ordre',
  '13': 'Prescription et déchéance',
  '16': 'Mandat non établi au nom du véritable créancier',
  '23': 'Erreur d’imputation comptable et budgétaire',
  '24': 'Rejet technique',
};

export interface RetourPayment {
  orgEma: string;
  paidOn: string;
  amount: string;
}

export interface RetourLine {
  idLigne: number;
  etatLig: string | null;
  cessOpp: string | null;
  mtHt: string | null;
  mtTva: string | null;
  obsEtat: string | null;
  payments: RetourPayment[];
}

export interface RetourPiece {
  year: number;
  bordereau: number;
  idPce: number;
  typPce: string | null;
  natPce: string | null;
  etatPce: string;
  /** French reason of a rejection or instance (ObsEtat codes decoded, Commentaire kept). */
  reason: string | null;
  rejectedOn: string | null;
  lines: RetourLine[];
}

export interface DepenseRetour {
  nomFic: string | null;
  idColl: string | null;
  codCol: string | null;
  codBud: string | null;
  pieces: RetourPiece[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed XML tree, read defensively below
type XmlNode = any;

const v = (node: unknown): string | null => {
  const value = (node as { V?: unknown } | undefined)?.V;
  return value === undefined || value === null || value === '' ? null : String(value).trim();
};
const list = <T>(node: T | T[] | undefined): T[] => (node === undefined || node === null ? [] : Array.isArray(node) ? node : [node]);

function amount(node: unknown, where: string): string | null {
  const raw = v(node);
  if (raw === null) return null;
  if (!isDecimalString(raw)) throw new DomainError('DEPENSE_RETOUR_INVALID', `${where} : montant « ${raw} » illisible`);
  return money(raw).toFixed(2);
}

function int(node: unknown, where: string): number {
  const raw = v(node);
  if (!raw || !/^\d+$/.test(raw)) throw new DomainError('DEPENSE_RETOUR_INVALID', `${where} : « ${raw ?? ''} » n'est pas un numéro`);
  return Number(raw);
}

function date(node: unknown, where: string): string {
  const raw = v(node);
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new DomainError('DEPENSE_RETOUR_INVALID', `${where} : date « ${raw ?? ''} » illisible (AAAA-MM-JJ)`);
  return raw;
}

/** « 04 Liquidation erronée ; 09 … » plus the comptable's comment. */
function reasonOf(obs: string | null, comment: string | null): string | null {
  const parts: string[] = [];
  if (obs) {
    const codes = obs.split(/[\s,;]+/).filter(Boolean);
    parts.push(codes.every((c) => OBS_ETAT_LABELS[c]) ? codes.map((c) => `${c} ${OBS_ETAT_LABELS[c]}`).join(' ; ') : obs);
  }
  if (comment) parts.push(comment);
  return parts.length ? parts.join(' — ') : null;
}

export function readDepenseRetour(buffer: Buffer): DepenseRetour {
  // Entities are never expanded (a supplier-controlled name travels in these files).
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false, processEntities: false });
  let doc: Record<string, XmlNode>;
  try {
    doc = parser.parse(decodeXml(buffer));
  } catch (err) {
    throw new DomainError('DEPENSE_RETOUR_UNREADABLE', `PES retour illisible : ${(err as Error).message}`);
  }
  const root = doc.PES_Retour;
  if (!root) throw new DomainError('DEPENSE_RETOUR_NOT_PES_RETOUR', "Ce fichier n'est pas un PES_Retour (racine attendue : PES_Retour)");
  const dep = root.PES_DepenseRetour;
  if (!dep) throw new DomainError('DEPENSE_RETOUR_NO_DEPENSE', 'Ce PES_Retour ne contient pas de PES_DepenseRetour (retour des mandats)');
  const head = root.EnTetePES ?? {};
  const pieces: RetourPiece[] = [];
  for (const b of list<XmlNode>(dep.Bordereau)) {
    const year = int(b.BlocBordereau?.Exer, 'Bordereau, Exer');
    const bordereau = int(b.BlocBordereau?.IdBord, `Bordereau ${year}, IdBord`);
    for (const p of list<XmlNode>(b.Piece)) {
      const info = p.InfoPiece ?? {};
      const where = `Bordereau ${year}-${bordereau}, mandat ${v(info.IdPce) ?? '?'}`;
      const idPce = int(info.IdPce, where);
      const etatPce = v(info.EtatPce);
      if (!etatPce) throw new DomainError('DEPENSE_RETOUR_INVALID', `${where} : EtatPce absent`);
      pieces.push({
        year,
        bordereau,
        idPce,
        typPce: v(info.TypPce),
        natPce: v(info.NatPce),
        etatPce,
        reason: reasonOf(v(info.ObsEtat), v(info.Commentaire)),
        rejectedOn: v(info.DtePceRej),
        lines: list<XmlNode>(p.LigneDePiece).map((l: XmlNode) => {
          const li = l.BlocLignePiece?.InfoLignePiece ?? {};
          const lw = `${where}, ligne ${v(li.IdLigne) ?? '?'}`;
          return {
            idLigne: int(li.IdLigne, lw),
            etatLig: v(li.EtatLigPce),
            cessOpp: v(li.CessOpp),
            mtHt: amount(li.MtHT, lw),
            mtTva: amount(li.MtTVA, lw),
            obsEtat: reasonOf(v(li.ObsEtat), v(li.Commentaire)),
            payments: list<XmlNode>(l.PaiementEmargement).map((pe: XmlNode, i: number) => ({
              orgEma: v(pe.OrgEma) ?? '15',
              paidOn: date(pe.DtePay, `${lw}, paiement ${i + 1}`),
              amount: amount(pe.MtPay, `${lw}, paiement ${i + 1}`) ?? '0.00',
            })),
          };
        }),
      });
    }
  }
  return {
    nomFic: v(root.Enveloppe?.Parametres?.NomFic),
    idColl: v(head.IdColl),
    // The retour's EnTetePES spells it CodColl (Class_EntetePES_Retour), the aller CodCol.
    codCol: v(head.CodColl) ?? v(head.CodCol),
    codBud: v(head.CodBud),
    pieces,
  };
}
