import { createReadStream } from 'node:fs';

// A recipient block and its identifier, whatever the namespace prefix, without crossing the block's end: no XML
// parsing, so that a truncated or malformed file still gives what it holds.
const PREFIX = '(?:[\\w.-]+:)?';
const DEBTOR_ID = new RegExp(
  `<${PREFIX}Debiteur\\b[^>]*>(?:(?!</${PREFIX}Debiteur\\b)[\\s\\S]){0,2000}?<${PREFIX}Identifiant\\b[^>]*>\\s*([^<\\s]{1,50})\\s*<`,
  'g',
);
/** Text kept from one chunk to the next, so that a block cut between two reads is still found. */
const OVERLAP = 4096;

/**
 * Recipient identifiers (`Debiteur/Identifiant`) found in the raw bytes of a flow: lenient on purpose, for the files
 * the reader refused (malformed, truncated, wrong root …), so that a rejected file still reaches the « Suivi démat » of
 * the structures it was meant for. Read as ISO-8859-1 with NULs dropped: identifiers are ASCII, which every encoding a
 * pivot comes in (UTF-8, ISO-8859-1, UTF-16 with or without BOM) then shows as is.
 */
export async function scanRecipientIds(source: string | Buffer): Promise<string[]> {
  const found = new Set<string>();
  let carry = '';
  const chunks = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : [source];
  for await (const chunk of chunks) {
    const text = carry + (chunk as Buffer).toString('latin1').replace(/\0/g, '');
    for (const m of text.matchAll(DEBTOR_ID)) found.add(m[1]);
    carry = text.slice(-OVERLAP);
  }
  return [...found];
}
