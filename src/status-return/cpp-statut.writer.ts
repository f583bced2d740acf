import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

// Writer of CPPStatut flows (CPPStatutPivot_V1_19.xsd, root CPPStatut, one EnveloppeUnitaire + CPPFactureStatuts).
// Plain string building, written in chunks: a 10,000-status file never sits twice in memory as a tree, and the
// element order is the schema's sequence order, fixed here once.

export interface CppStatutEnvelope {
  /** IdFlx: unique identifier of the flow at its producer. */
  idFlx: string;
  /** DtPrd: production date (YYYY-MM-DD). */
  dtPrd: string;
  /** Emetteur / Recepteur Id: 3 to 8 characters (schema). */
  senderId: string;
  senderLabel?: string | null;
  receiverId: string;
  receiverLabel?: string | null;
}

export interface CppFactureStatutItem {
  supplier: { idType: string; id: string; name: string; country?: string | null };
  debtor: { id: string; name?: string | null; serviceCode?: string | null; serviceName?: string | null };
  idStatut: string;
  complement?: string | null;
  /** Commentaire: the motif of a rejection or suspension. */
  comment?: string | null;
  /** Horodatage (xs:dateTime). */
  timestamp: string;
  idFacture: string;
  /** DateFacture (xs:date, YYYY-MM-DD). */
  dateFacture?: string | null;
  idMandatDP?: string | null;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ID_STATUT = /^(0[1-9]|[1-3]\d|4[01])$/;

/** Why an item cannot be written as a schema-valid CPPFactureStatutUnitaire (empty when it can). */
export function itemProblems(item: CppFactureStatutItem): string[] {
  const problems: string[] = [];
  if (!/^[1-7]$/.test(item.supplier.idType)) problems.push(`type d'identifiant fournisseur « ${item.supplier.idType} » hors 1–7`);
  if (!item.supplier.id) problems.push('identifiant fournisseur absent');
  if (item.supplier.country && item.supplier.country.length !== 2) problems.push(`code pays « ${item.supplier.country} » sur 2 lettres attendu`);
  if (!/^\d{14}$/.test(item.debtor.id)) problems.push(`SIRET du débiteur « ${item.debtor.id} » : 14 chiffres attendus`);
  if (item.debtor.serviceCode && item.debtor.serviceCode.length > 100) problems.push('code service de plus de 100 caractères');
  if (!ID_STATUT.test(item.idStatut)) problems.push(`IdStatut « ${item.idStatut} » hors 01–41`);
  if (!item.idFacture) problems.push('numéro de facture absent');
  if (item.dateFacture && !DATE.test(item.dateFacture)) problems.push(`date de facture « ${item.dateFacture} » invalide`);
  return problems;
}

export function envelopeProblems(envelope: CppStatutEnvelope): string[] {
  const problems: string[] = [];
  for (const [what, id] of [['émetteur', envelope.senderId], ['récepteur', envelope.receiverId]] as const) {
    if (id.length < 3 || id.length > 8) problems.push(`identifiant ${what} « ${id} » : 3 à 8 caractères`);
  }
  return problems;
}

// Characters XML 1.0 forbids (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/FFFF) are dropped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function xmlText(value: string): string {
  return value.replace(INVALID_XML, '').replace(/[&<>"]/g, (c) => ESCAPES[c]);
}

function el(name: string, value: string | null | undefined, indent: string): string {
  if (value === null || value === undefined || value === '') return '';
  return `${indent}<${name}>${xmlText(value)}</${name}>\n`;
}

export function renderHeader(envelope: CppStatutEnvelope, count: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<CPPStatut Version="V1_19">\n' +
    '  <Enveloppe>\n' +
    '    <EnveloppeUnitaire NumOrdre="1">\n' +
    '      <Parametres>\n' +
    '        <ParametreIndiv NumOrdre="0001">\n' +
    '          <Code>DtPrd</Code>\n' +
    `          <Valeurparametre>${xmlText(envelope.dtPrd)}</Valeurparametre>\n` +
    '        </ParametreIndiv>\n' +
    '        <ParametreIndiv NumOrdre="0002">\n' +
    '          <Code>IdFlx</Code>\n' +
    `          <Valeurparametre>${xmlText(envelope.idFlx)}</Valeurparametre>\n` +
    '        </ParametreIndiv>\n' +
    '      </Parametres>\n' +
    '      <Partenaires>\n' +
    '        <Recepteur>\n' +
    el('Id', envelope.receiverId, '          ') +
    el('Libelle', envelope.receiverLabel, '          ') +
    '        </Recepteur>\n' +
    '        <Emetteur>\n' +
    el('Id', envelope.senderId, '          ') +
    el('Libelle', envelope.senderLabel, '          ') +
    '        </Emetteur>\n' +
    '      </Partenaires>\n' +
    '    </EnveloppeUnitaire>\n' +
    '  </Enveloppe>\n' +
    `  <CPPFactureStatuts compteur="${count}">\n`
  );
}

export function renderUnit(numOrdre: number, item: CppFactureStatutItem): string {
  const i = '        ';
  const d = '          ';
  return (
    `    <CPPFactureStatutUnitaire NumOrdre="${numOrdre}">\n` +
    '      <Fournisseur>\n' +
    el('TypeIdentifiant', item.supplier.idType, i) +
    el('Identifiant', item.supplier.id, i) +
    // RaisonSociale is mandatory in the schema, even empty.
    `${i}<RaisonSociale>${xmlText(item.supplier.name ?? '')}</RaisonSociale>\n` +
    el('CodePays', item.supplier.country, i) +
    '      </Fournisseur>\n' +
    '      <Debiteur>\n' +
    `${i}<TypeIdentifiant>1</TypeIdentifiant>\n` +
    el('Identifiant', item.debtor.id, i) +
    el('Nom', item.debtor.name, i) +
    el('CodeService', item.debtor.serviceCode, i) +
    el('NomService', item.debtor.serviceName, i) +
    '      </Debiteur>\n' +
    '      <DonneesStatut>\n' +
    el('IdStatut', item.idStatut, d) +
    el('ComplementStatut', item.complement, d) +
    el('Commentaire', item.comment, d) +
    el('Horodatage', item.timestamp, d) +
    `${d}<IdFacture>${xmlText(item.idFacture)}</IdFacture>\n` +
    el('DateFacture', item.dateFacture, d) +
    el('IdMandatDP', item.idMandatDP, d) +
    '      </DonneesStatut>\n' +
    '    </CPPFactureStatutUnitaire>\n'
  );
}

export const FOOTER = '  </CPPFactureStatuts>\n</CPPStatut>\n';

/** The whole document as one string (tests, small flows). */
export function renderCppStatut(envelope: CppStatutEnvelope, items: readonly CppFactureStatutItem[]): string {
  let out = renderHeader(envelope, items.length);
  items.forEach((item, k) => (out += renderUnit(k + 1, item)));
  return out + FOOTER;
}

const CHUNK = 256 * 1024;

/**
 * Writes the flow to `target` durably: a temporary file beside it, written in chunks, fsync'ed, renamed over
 * the target, then the directory fsync'ed — once this resolves, the file is complete on disk (or absent).
 * Returns the size in bytes.
 */
export async function writeCppStatutFile(target: string, envelope: CppStatutEnvelope, items: readonly CppFactureStatutItem[]): Promise<number> {
  const tmp = `${target}.${process.pid}.${Date.now()}.part`;
  const fh = await open(tmp, 'w');
  let size = 0;
  try {
    let buffer = renderHeader(envelope, items.length);
    for (let k = 0; k < items.length; k++) {
      buffer += renderUnit(k + 1, items[k]);
      if (buffer.length >= CHUNK) {
        size += (await fh.write(buffer, null, 'utf8')).bytesWritten;
        buffer = '';
      }
    }
    buffer += FOOTER;
    size += (await fh.write(buffer, null, 'utf8')).bytesWritten;
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, target);
  await syncDir(dirname(target));
  return size;
}

/** fsync of a directory makes a rename durable (POSIX); not possible everywhere (Windows): best effort. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
