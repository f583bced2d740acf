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

export interface AcquitElement {
  domaine: string;
  domaineLabel: string;
  accepted: boolean;
  exercice: number | null;
  bordereau: number | null;
  idUnique: string | null;
  /** French summary of the anomalies (empty when accepted). */
  reason: string | null;
  code: string | null;
}

export interface PesAcquit {
  nomFic: string | null;
  idColl: string | null;
  codCol: string | null;
  codBud: string | null;
  elements: AcquitElement[];
}

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
  if (!root) throw new DomainError('ACQUIT_NOT_PES_ACQUIT', "Ce fichier n'est pas un PES_ACQUIT");
  const head = root.EnTetePES ?? {};
  const elements: AcquitElement[] = list(root.ACQUIT?.ElementACQUIT).map((e: Record<string, XmlNode>) => {
    const domaine = v(e.DomaineAck) ?? '';
    const accepted = v(e.EtatAck) === '1';
    const reasons: string[] = [];
    let code: string | null = null;
    const err = (x: XmlNode, where: string) => {
      const num = v(x?.NumAnoAck);
      const lib = v(x?.LibelleAnoAck);
      if (num || lib) {
        code ??= num;
        reasons.push(`${where}${num ? `anomalie ${num}` : 'anomalie'}${lib ? ` : ${lib}` : ''}`);
      }
    };
    for (const x of list(e.Erreur)) err(x, '');
    for (const p of list<XmlNode>(e.DetailPiece)) {
      for (const x of list(p.Erreur)) err(x, `pièce ${v(p.NumPiece)}, `);
      for (const l of list<XmlNode>(p.DetailLigne)) for (const x of list(l.Erreur)) err(x, `pièce ${v(p.NumPiece)} ligne ${v(l.NumLigne)}, `);
    }
    const exer = v(e.ExerciceBord);
    const bord = v(e.NumBord);
    return {
      domaine,
      domaineLabel: DOMAINE_ACK_LABELS[domaine] ?? `domaine ${domaine}`,
      accepted,
      exercice: exer ? Number(exer) : null,
      bordereau: bord ? Number(bord) : null,
      idUnique: v(e.IdUnique),
      reason: accepted ? null : reasons.join(' ; ') || 'Rejet sans motif précisé',
      code: accepted ? null : code,
    };
  });
  return { nomFic: v(root.Enveloppe?.Parametres?.NomFic), idColl: v(head.IdColl), codCol: v(head.CodCol), codBud: v(head.CodBud), elements };
}
