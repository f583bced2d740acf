import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { DomainError } from '@/common/errors/domain.error';

// PES_ACQUIT (Hélios → ordonnateur): one ElementACQUIT per object acknowledged, DomaineAck per the DosTech
// v5.19 list (TDomaineAck); EtatAck 1 = accepté, 0 = rejeté with Erreur/NumAnoAck + LibelleAnoAck (and per-piece /
// per-line details).

export const DOMAINE_ACK_LABELS: Record<string, string> = {
  '0': 'technique',
  '1': 'signature technique',
  '2': 'signature globale',
  '3': 'signature bordereau',
  '4': 'PJ',
  '5': 'dépense',
  '6': 'recette',
  '7': 'rôle',
  '8': 'budget',
  '9': 'état actif',
  '10': 'état passif',
  '11': 'marché',
  '12': 'facture',
  '99': 'paramétrage',
};

/** DomaineAck 0 to 3: the whole file (technique, signatures) — every bordereau of the file is concerned. */
export const FILE_DOMAINS = new Set(['0', '1', '2', '3']);
/** DomaineAck of a bordereau → the domain of our bordereaux (5 dépense, 6 recette). */
export const BORDEREAU_DOMAINS: Record<string, 'depense' | 'recette'> = { '5': 'depense', '6': 'recette' };

/** One anomaly (TErreur) of an element, at element, piece (DetailPiece) or line (DetailLigne) level. */
export interface AcquitError {
  piece: string | null;
  line: string | null;
  /** NumAnoAck as written (ERREUR_PJ, ERREUR_DOUBLON_PIECE …, or a number). */
  anoCode: string | null;
  /** The Hélios error number: leading LibelleAnoAck (« 2559 – code service … »), else a numeric NumAnoAck. */
  heliosCode: string | null;
  libelle: string | null;
  /** French, with where and what. */
  message: string;
}

export interface AcquitElement {
  /** Rank of the element in the document (elements are applied in this order). */
  position: number;
  domaine: string;
  domaineLabel: string;
  accepted: boolean;
  exercice: number | null;
  bordereau: number | null;
  idUnique: string | null;
  errors: AcquitError[];
  /** French summary of the anomalies (empty when accepted). */
  reason: string | null;
  /** First Hélios error number (else NumAnoAck) of a rejection. */
  code: string | null;
}

export interface PesAcquit {
  nomFic: string | null;
  idColl: string | null;
  codCol: string | null;
  codBud: string | null;
  elements: AcquitElement[];
}

/**
 * The Hélios error number Hélios writes at the head of LibelleAnoAck (« 2559 – code service … », « 1984 : PJ déjà
 * intégrée », « Erreur 1963 … », « [1971] … »); a number further inside the text is not one.
 */
export function heliosErrorNumber(libelle: string | null, anoCode: string | null): string | null {
  const m = libelle ? /^\s*(?:\[|(?:erreur|anomalie|ano|code)\s*(?:n°|no|num[ée]ro)?\s*:?\s*)?(\d{3,5})(?!\d)/i.exec(libelle) : null;
  if (m) return m[1];
  return anoCode && /^\d{1,6}$/.test(anoCode.trim()) ? anoCode.trim() : null;
}

/** Roots this reader is not for, with what they are (French). */
const OTHER_ROOTS: Record<string, string> = {
  PES_ACQUIT_RETOUR: "un PES_ACQUIT_RETOUR (accusé de réception d'un flux retour d'Hélios), pas l'acquittement d'un PES_Aller",
  PES_AsapRetour: 'un PES_AsapRetour (nouvelles des ASAP) : le lire avec « passerelle pes asap-retour FICHIER »',
  PES_Aller: 'un PES_Aller (un flux envoyé à Hélios), pas sa réponse',
  PES_Retour: 'un PES_Retour (flux retour d’Hélios), pas un acquittement',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed XML tree, read defensively below
type XmlNode = any;

const v = (node: unknown): string | null => {
  const value = (node as { V?: unknown } | undefined)?.V;
  return value === undefined || value === null ? null : String(value);
};
const list = <T>(node: T | T[] | undefined): T[] => (node === undefined ? [] : Array.isArray(node) ? node : [node]);

/** Decodes per the XML declaration (Hélios writes ISO-8859-1). */
export function decodeXml(buffer: Buffer): string {
  const head = buffer.subarray(0, 200).toString('latin1');
  const enc = /encoding=["']([^"']+)["']/i.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  return iconv.encodingExists(enc) ? iconv.decode(buffer, enc) : buffer.toString('utf8');
}

export function readPesAcquit(buffer: Buffer): PesAcquit {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false });
  let doc: Record<string, XmlNode>;
  try {
    doc = parser.parse(decodeXml(buffer));
  } catch (err) {
    throw new DomainError('ACQUIT_UNREADABLE', `Acquittement illisible : ${(err as Error).message}`);
  }
  const root = doc.PES_ACQUIT;
  if (!root) {
    const name = Object.keys(doc).find((k) => k !== '?xml') ?? null;
    const what = name ? (OTHER_ROOTS[name] ?? `un document de racine <${name}>`) : 'un document sans élément racine';
    throw new DomainError('ACQUIT_NOT_PES_ACQUIT', `Ce fichier n'est pas un PES_ACQUIT : c'est ${what}. Rien n'a été modifié.`, { root: name });
  }
  const head = root.EnTetePES ?? {};
  const elements: AcquitElement[] = list(root.ACQUIT?.ElementACQUIT).map((e: Record<string, XmlNode>, position: number) => {
    const domaine = v(e.DomaineAck) ?? '';
    const accepted = v(e.EtatAck) === '1';
    const errors: AcquitError[] = [];
    const err = (x: XmlNode, piece: string | null, line: string | null) => {
      const anoCode = v(x?.NumAnoAck);
      const libelle = v(x?.LibelleAnoAck);
      if (!anoCode && !libelle) return;
      const where = piece ? `pièce ${piece}${line ? ` ligne ${line}` : ''}, ` : '';
      const heliosCode = heliosErrorNumber(libelle, anoCode);
      const label = anoCode ?? (heliosCode ? `${heliosCode}` : '');
      errors.push({ piece, line, anoCode, heliosCode, libelle, message: `${where}${label ? `anomalie ${label}` : 'anomalie'}${libelle ? ` : ${libelle}` : ''}` });
    };
    for (const x of list(e.Erreur)) err(x, null, null);
    for (const p of list<XmlNode>(e.DetailPiece)) {
      const piece = v(p.NumPiece);
      for (const x of list(p.Erreur)) err(x, piece, null);
      for (const l of list<XmlNode>(p.DetailLigne)) for (const x of list(l.Erreur)) err(x, piece, v(l.NumLigne));
    }
    const exer = v(e.ExerciceBord);
    const bord = v(e.NumBord);
    return {
      position,
      domaine,
      domaineLabel: DOMAINE_ACK_LABELS[domaine] ?? `domaine ${domaine}`,
      accepted,
      exercice: exer ? Number(exer) : null,
      bordereau: bord ? Number(bord) : null,
      idUnique: v(e.IdUnique),
      errors: accepted ? [] : errors,
      reason: accepted ? null : errors.map((x) => x.message).join(' ; ') || 'Rejet sans motif précisé',
      code: accepted ? null : (errors.find((x) => x.heliosCode)?.heliosCode ?? errors.find((x) => x.anoCode)?.anoCode ?? null),
    };
  });
  return { nomFic: v(root.Enveloppe?.Parametres?.NomFic), idColl: v(head.IdColl), codCol: v(head.CodCol), codBud: v(head.CodBud), elements };
}
