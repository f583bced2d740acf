/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';

import { PES_REFERENCE } from '@test/support/shared';

// The official DGFiP PES V2 schema set v5.17 (complete package), read at run time from the shared reference
// folder, never copied into the repository (../shared/reference/pes/xsd-v5.17/SOURCES.md). One helper for
// every PES file the project writes or reads in tests:
//   validatePes(xml)          any PES_Aller (recette, dépense, PES_PJ, inline PES_Facture…) against PES_Aller.xsd;
//   validatePesFacture(xml)   a PES_Facture document (the ASAP inside a PJ 006) against its type TPESFacture;
//   validatePesAcquit(xml)    a PES_ACQUIT (Hélios' acknowledgement) against PES_V2_Acquit_Autonome_V2.xsd.
// Schemas are loaded on first use (a clone without the reference can still load this module).
export { PES_REFERENCE };
export const XSD_VERSION = '5.17';
const XSD_ROOT = join(PES_REFERENCE, 'xsd-v5.17');
const ALLER = 'PES_V2/Rev0/PES_Aller.xsd';
const ACQUIT = 'PES_V2/Rev0/PES_V2_Acquit_Autonome_V2.xsd';
const FACTURE_NS = 'http://www.minefi.gouv.fr/cp/helios/pes_v2/facture/r0/aller';
/**
 * The set declares no global PES_Facture element (PES_Aller carries it by type): this wrapper, kept in memory
 * beside the official files, declares one of type fcta:TPESFacture so that the ASAP document travelling in a
 * PJ 006 (root `<PES_Facture>`, no namespace, as Hélios expects) is validated as it is.
 */
const FACTURE_WRAPPER = {
  fileName: 'PES_Facture.wrapper.xsd',
  contents: `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:fcta="${FACTURE_NS}" elementFormDefault="unqualified">
  <xs:import namespace="${FACTURE_NS}" schemaLocation="PES_V2/NS_Facture/r0/Class_PESFacture.xsd"/>
  <xs:element name="PES_Facture" type="fcta:TPESFacture"/>
</xs:schema>`,
};

export interface SchemaFile {
  fileName: string;
  contents: string;
}

const cache = new Map<string, SchemaFile[]>();

/** The main schema and every file it includes or imports, transitively (paths relative to the package root). */
export function schemaClosure(main: string): SchemaFile[] {
  const hit = cache.get(main);
  if (hit) return hit;
  const out: SchemaFile[] = [];
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    if (seen.has(fileName)) return;
    seen.add(fileName);
    const contents = readFileSync(join(XSD_ROOT, fileName), 'utf8');
    out.push({ fileName, contents });
    for (const m of contents.matchAll(/<xs:(?:include|import)\b[^>]*\bschemaLocation="([^"]+)"/g)) {
      visit(normalize(join(dirname(fileName), m[1])).replace(/\\/g, '/'));
    }
  };
  visit(main);
  cache.set(main, out);
  return out;
}

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

async function validate(xml: string, main: SchemaFile, preload: SchemaFile[]): Promise<XsdResult> {
  const res = await validateXML({ xml: [{ fileName: 'document.xml', contents: xml }], schema: [main], preload, maxMemoryPages: 16384 });
  // The set prints harmless warnings (xmldsig imported twice by xades): keep errors only.
  const errors = res.errors.map((e) => e.rawMessage).filter((m) => /validity error|parser error|fails to validate|Schemas? parser error/.test(m));
  return { valid: res.valid, errors };
}

function validateAgainst(xml: string, mainPath: string): Promise<XsdResult> {
  const files = schemaClosure(mainPath);
  return validate(xml, files[0], files.slice(1));
}

/** Any PES_Aller document (the file sent to Hélios) against the v5.17 PES_Aller.xsd. */
export function validatePes(xml: string): Promise<XsdResult> {
  return validateAgainst(xml, ALLER);
}

/** A PES_Facture document (root `<PES_Facture>`, e.g. the gunzipped content of a PJ 006) against TPESFacture. */
export function validatePesFacture(factureXml: string): Promise<XsdResult> {
  return validate(factureXml, FACTURE_WRAPPER, schemaClosure('PES_V2/NS_Facture/r0/Class_PESFacture.xsd'));
}

/** A PES_ACQUIT (namespace …/Rev0/retour/v2) against the v5.17 PES_V2_Acquit_Autonome_V2.xsd. */
export function validatePesAcquit(xml: string): Promise<XsdResult> {
  return validateAgainst(xml, ACQUIT);
}

/** Kept for the callers of the v491 helper: the flow is no longer needed, the facture is validated alone. */
export function validateInnerFacture(_flowXml: string, factureXml: string): Promise<XsdResult> {
  return validatePesFacture(factureXml);
}

const ARRAYS = ['Bordereau', 'Piece', 'LigneDePiece', 'PJ', 'PJRef', 'LigneFacture', 'Tiers', 'ElementACQUIT', 'Erreur', 'DetailPiece', 'DetailLigne', 'Asap'];
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false, isArray: (name) => ARRAYS.includes(name) });

export function parsePes(xml: string): any {
  return parser.parse(xml);
}

export interface DecodedPj {
  idUnique: string;
  typePJ: string | null;
  nomPJ: string;
  mimeType: string;
  /** The PJ content, gunzipped (throws if it is not gzip: every PES_PJ content must be gzip then base64). */
  content: Buffer;
  refCompta: any;
}

/** Every PES_PJ attachment of a PES_Aller, decoded (base64 → gunzip). */
export function pesAttachments(xml: string): DecodedPj[] {
  const doc = parsePes(xml).PES_Aller;
  return (doc.PES_PJ?.PJ ?? []).map((pj: any) => {
    const raw = Buffer.from(String(pj.Contenu.Fichier['#text'] ?? '').replace(/\s/g, ''), 'base64');
    return {
      idUnique: pj.IdUnique.V,
      typePJ: pj.TypePJ?.V ?? null,
      nomPJ: pj.NomPJ.V,
      mimeType: pj.Contenu.Fichier.MIMEType,
      content: gunzipSync(raw),
      refCompta: pj.RefCompta,
    };
  });
}

/** The ASAP documents carried in PES_PJ type 006 (gunzipped). */
export function innerFactures(xml: string): Array<{ idUnique: string; xml: string }> {
  return pesAttachments(xml)
    .filter((pj) => pj.typePJ === '006')
    .map((pj) => ({ idUnique: pj.idUnique, xml: pj.content.toString('utf8') }));
}
