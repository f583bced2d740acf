/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';

import { PES_REFERENCE } from '@test/support/shared';

// The official PES V2 schema set (v491 of 18/04/2016 + Edition 02–04), read at run time from the shared
// reference folder (never copied into the repository). See ../shared/reference/pes/xsd/SOURCES.md.
export { PES_REFERENCE };
const XSD_ROOT = join(PES_REFERENCE, 'xsd');
const MAIN = 'PES_V2/Rev0/PES_Aller.xsd';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.xsd') ? [join(dir, e.name)] : []));
}

type SchemaFile = { fileName: string; contents: string };
let loaded: SchemaFile[] | undefined;
/** Read on first use (not at module load): a clone without the reference folder can still load this file. */
function schemaFiles(): SchemaFile[] {
  return (loaded ??= walk(XSD_ROOT).map((f) => ({ fileName: relative(XSD_ROOT, f), contents: readFileSync(f, 'utf8') })));
}

/**
 * TypePJ 008 (« document complémentaire à l'ASAP ») exists in the PES 5.3 TPJ list but not in the v491 one
 * at hand: for flows carrying the optional PDF, the same in-memory addition as the Edition 02–04 patch.
 */
export function withPj008(files = schemaFiles()) {
  return files.map((f) => {
    if (f.fileName !== 'PES_V2/CommunPES.xsd') return f;
    const anchor = /(<xs:enumeration value="006">[\s\S]*?<\/xs:enumeration>)/;
    if (!anchor.test(f.contents)) throw new Error('TPJ 006 introuvable dans CommunPES.xsd');
    return { ...f, contents: f.contents.replace(anchor, '$1<xs:enumeration value="007"/><xs:enumeration value="008"/>') };
  });
}

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

export async function validatePes(xml: string, options: { pj008?: boolean } = {}): Promise<XsdResult> {
  const files = options.pj008 ? withPj008() : schemaFiles();
  const main = files.find((f) => f.fileName === MAIN)!;
  const res = await validateXML({ xml: [{ fileName: 'flow.xml', contents: xml }], schema: [main], preload: files.filter((f) => f !== main), maxMemoryPages: 16384 });
  // The set prints harmless warnings (xmldsig imported twice, missing Class_Chiffrement.xsd): keep errors.
  const errors = res.errors.map((e) => e.rawMessage).filter((m) => /validity error|parser error|fails to validate/.test(m));
  return { valid: res.valid, errors };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ['Piece', 'LigneDePiece', 'PJ', 'PJRef', 'LigneFacture', 'Bordereau', 'Tiers'].includes(name) });

export function parsePes(xml: string): any {
  return parser.parse(xml);
}

/** The ASAP documents carried in PES_PJ type 006 (gunzipped). */
export function innerFactures(xml: string): Array<{ idUnique: string; xml: string }> {
  const doc = parsePes(xml).PES_Aller;
  return (doc.PES_PJ?.PJ ?? [])
    .filter((pj: any) => pj.TypePJ?.V === '006')
    .map((pj: any) => ({ idUnique: pj.IdUnique.V, xml: gunzipSync(Buffer.from(String(pj.Contenu.Fichier['#text']).replace(/\s/g, ''), 'base64')).toString('utf8') }));
}

/**
 * The schema set declares no global PES_Facture element (only type TPESFacture), so an ASAP cannot be
 * validated alone: it is checked inside a PES_Aller holding Enveloppe, EnTetePES and the facture inline,
 * which PES_Aller.xsd allows.
 */
export async function validateInnerFacture(flowXml: string, factureXml: string): Promise<XsdResult> {
  const head = /<Enveloppe>[\s\S]*?<\/EnTetePES>/.exec(flowXml)![0];
  const facture = factureXml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const wrapped = `<?xml version="1.0" encoding="UTF-8"?><n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller">${head}${facture}</n:PES_Aller>`;
  return validatePes(wrapped);
}
