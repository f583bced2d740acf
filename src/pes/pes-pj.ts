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
