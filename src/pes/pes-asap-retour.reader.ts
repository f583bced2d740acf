import { XMLParser } from 'fast-xml-parser';
import { DomainError } from '@/common/errors/domain.error';
import { decodeXml } from '@/pes/pes-acquit.reader';
import type { AsapEvent } from '@/pes/pes-asap-retour.types';

// PES_AsapRetour (DosTech v5.19, « Domaine Asap Retour », TPES_AsapRetour): EnTeteAsap then one Asap per ASAP, named
// by IdUniquePJASAP (the PJ that carried its PES_Facture), with Exer/IdBord/IdPce and one of Postalisation,
// NotificationParMail or Rejet. The package v5.17 holds no schema for it: read defensively, as the root of the
// file or inside a PES_Retour (values in `V` attributes, as everywhere in PES).

/** TMotifRejetPostalisation (filière éditique). */
export const MOTIF_REJET_POSTALISATION: Record<string, string> = {
  '01': "ERR008 – différence majeure entre les lignes d'adresse de l'index et le bloc adresse",
  '02': 'ERR012 – anomalie dans le bloc adresse destinataire',
  '03': 'ERR020 – erreur de conversion du PDF en AFP',
  '04': 'ERR021 – erreur de recto verso',
  '05': 'ERR022 – non-respect de la zone de silence de la marge de droite',
  '06': 'ERR023 – non-respect de la zone de silence au-dessus du pavé adresse',
  '07': 'WAR022 – non-respect de la zone de silence autour du code 2D',
  '08': 'autre motif',
};
/** TMotifRejetNotification (pilote de notification par mail). */
export const MOTIF_REJET_NOTIFICATION: Record<string, string> = {
  '01': 'adresse électronique sur liste noire',
  '02': 'adresse électronique erronée',
};

export interface AsapRetourItem extends Omit<AsapEvent, 'receivedAt'> {
  position: number;
  idUnique: string;
  idUniqueComplement: string | null;
  exercice: number | null;
  bordereau: number | null;
  piece: number | null;
}

export interface PesAsapRetour {
  idColl: string | null;
  codCol: string | null;
  codBud: string | null;
  items: AsapRetourItem[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed XML tree, read defensively below
type XmlNode = any;
const v = (node: unknown): string | null => {
  if (node === undefined || node === null) return null;
  if (typeof node !== 'object') return String(node).trim() || null; // <DatePostalisation>2024-05-02</…> tolerated
  const value = (node as { V?: unknown }).V;
  return value === undefined || value === null ? null : String(value);
};
const list = <T>(node: T | T[] | undefined): T[] => (node === undefined ? [] : Array.isArray(node) ? node : [node]);
const num = (x: string | null) => (x && /^\d+$/.test(x) ? Number(x) : null);
const date = (x: string | null) => (x && /^\d{4}-\d{2}-\d{2}/.test(x) ? x.slice(0, 10) : null);
const truthy = (x: string | null) => x === '1' || x?.toLowerCase() === 'true';

export function readPesAsapRetour(buffer: Buffer): PesAsapRetour {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false });
  let doc: Record<string, XmlNode>;
  try {
    doc = parser.parse(decodeXml(buffer));
  } catch (err) {
    throw new DomainError('ASAP_RETOUR_UNREADABLE', `PES_AsapRetour illisible : ${(err as Error).message}`);
  }
  const root = doc.PES_AsapRetour ?? doc.PES_Retour?.PES_AsapRetour;
  if (!root) {
    const name = Object.keys(doc).find((k) => k !== '?xml') ?? null;
    const hint = name === 'PES_ACQUIT' ? ' : un acquittement se lit avec « passerelle pes acquit FICHIER »' : '';
    throw new DomainError('ASAP_RETOUR_NOT_ASAP_RETOUR', `Ce fichier n'est pas un PES_AsapRetour (racine <${name ?? '?'}>)${hint}. Rien n'a été modifié.`, { root: name });
  }
  const head = doc.PES_Retour?.EnTetePES ?? root.EnTetePES ?? {};
  const items: AsapRetourItem[] = list<XmlNode>(root.Asap).map((a, position) => {
    const post = a.Postalisation;
    const mail = a.NotificationParMail;
    const rejet = a.Rejet;
    const base = {
      position,
      idUnique: v(a.IdUniquePJASAP) ?? '',
      idUniqueComplement: v(a.IdUniquePJCplt),
      exercice: num(v(a.Exer)),
      bordereau: num(v(a.IdBord)),
      piece: num(v(a.IdPce)),
      complementState: v(a.EtatPJComplt),
      postedOn: null,
      notifiedOn: null,
      firstReadOn: null,
      rejectedOn: null,
      rejectionCode: null,
      rejectionReason: null,
      relance: false,
    };
    if (rejet) {
      const postal = v(rejet.MotifRejetPostalisation);
      const notif = v(rejet.MotifRejetNotificationParMail);
      const reason = postal
        ? `Rejet de l'éditique : ${MOTIF_REJET_POSTALISATION[postal] ?? `motif ${postal}`}`
        : notif
          ? `Rejet de la notification par mail : ${MOTIF_REJET_NOTIFICATION[notif] ?? `motif ${notif}`}`
          : 'Rejet sans motif précisé';
      return { ...base, kind: 'REJET' as const, rejectedOn: date(v(rejet.DateRejet)), rejectionCode: postal ?? notif, rejectionReason: reason, relance: truthy(v(rejet.IndicRelanceAsap)) };
    }
    if (mail) return { ...base, kind: 'NOTIFICATION' as const, notifiedOn: date(v(mail.DateNotification)), firstReadOn: date(v(mail.Date1ereLecture)) };
    if (post) return { ...base, kind: 'POSTALISATION' as const, postedOn: date(v(post.DatePostalisation)) };
    throw new DomainError('ASAP_RETOUR_INVALID', `PES_AsapRetour : l'ASAP ${base.idUnique || `n° ${position + 1}`} n'a ni Postalisation, ni NotificationParMail, ni Rejet. Rien n'a été modifié.`);
  });
  return { idColl: v(head.IdColl), codCol: v(head.CodCol), codBud: v(head.CodBud), items };
}
