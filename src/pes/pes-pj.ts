import { gzipSync } from 'node:zlib';

// PES_PJ contents, for every domain (recette ASAP 006 / PDF 008, dépense 003 …): « les fichiers d'origine
// correspondant aux pièces justificatives, qu'ils soient XML ou binaires devront être compressés avec Gzip puis
// convertis en Base64 » (DosTech v5.19, PES_PJ Contenu/Fichier).

/** Base64 in 76-character lines, starting and ending with a line break (readable, diff-friendly files). */
export function wrap76(b64: string): string {
  let out = '\n';
  for (let i = 0; i < b64.length; i += 76) out += b64.slice(i, i + 76) + '\n';
  return out;
}

/** The text of a `PJ/Contenu/Fichier` element: the original bytes, gzip, then base64 (76-character lines). */
export function encodePjContent(content: Buffer | string): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return wrap76(gzipSync(bytes).toString('base64'));
}

/** TPES_RefCompta Domaine: « 01 - Depense / 02 – Recette » (Class_PJ). */
export const PJ_REF_DOMAINE = { depense: '01', recette: '02' } as const;

/** One PES_PJ/PJ, for any domain (Class_PJ TPES_PJ, in the XSD's order). */
export interface PesPj {
  /** Original bytes: gzip then base64 are done here (encodePjContent), or already encoded text (`encoded`). */
  content?: Buffer | string;
  encoded?: string;
  mimeType: string;
  /** Base_Alphanum50, unique for the comptable (pjIdUnique in pes-envelope.writer). */
  idUnique: string;
  nomPJ: string;
  /** TPJ (006 PES Facture, 008 complément ASAP CPP, 003 dépense …). */
  typePJ?: string;
  description: string;
  /** RefCompta: domain, exercice, TypeObjet (type of bordereau: 01 ordinaire), Identifiant (the piece number). */
  refCompta?: { domain: keyof typeof PJ_REF_DOMAINE; exercice: number; typeObjet: string; identifiant: string };
}

/** Minimal sink (pes-xml.writer XmlSink) so this file stays free of the writer's imports. */
interface PjSink {
  open(name: string, attrs?: Record<string, string>): void;
  leaf(name: string, value: string): void;
  textElement(name: string, attrs: Record<string, string>, text: string): void;
  close(): void;
}

export function writePesPj(w: PjSink, pj: PesPj): void {
  const text = pj.encoded ?? encodePjContent(pj.content ?? '');
  w.open('PJ');
  w.open('Contenu');
  w.textElement('Fichier', { MIMEType: pj.mimeType }, text);
  w.close();
  w.leaf('IdUnique', pj.idUnique);
  w.leaf('NomPJ', pj.nomPJ);
  if (pj.typePJ) w.leaf('TypePJ', pj.typePJ);
  w.leaf('Description', pj.description);
  if (pj.refCompta) {
    w.open('RefCompta');
    w.leaf('Domaine', PJ_REF_DOMAINE[pj.refCompta.domain]);
    w.leaf('Exercice', String(pj.refCompta.exercice));
    w.leaf('TypeObjet', pj.refCompta.typeObjet);
    w.leaf('Identifiant', pj.refCompta.identifiant);
    w.close();
  }
  w.close();
}
