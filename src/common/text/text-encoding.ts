import { Readable, Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { DomainError } from '@/common/errors/domain.error';

/** Encodings a CSV from an accounting package or a spreadsheet comes in. */
export const TEXT_ENCODINGS = ['utf8', 'latin1', 'windows-1252', 'utf16le', 'utf16be'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** `--encoding` value: one of TEXT_ENCODINGS (a few usual spellings accepted), refused in French otherwise. */
export function parseTextEncoding(value: string): TextEncoding {
  const v = value.trim().toLowerCase().replace(/[_\s]/g, '-');
  const aliases: Record<string, TextEncoding> = {
    'utf8': 'utf8', 'utf-8': 'utf8', 'latin1': 'latin1', 'latin-1': 'latin1', 'iso-8859-1': 'latin1', 'iso8859-1': 'latin1',
    'windows-1252': 'windows-1252', 'cp1252': 'windows-1252', 'win1252': 'windows-1252',
    'utf16le': 'utf16le', 'utf-16le': 'utf16le', 'utf-16': 'utf16le', 'utf16be': 'utf16be', 'utf-16be': 'utf16be',
  };
  const found = aliases[v];
  if (!found) throw new DomainError('ENCODING_UNKNOWN', `Encodage inconnu : « ${value} » (utf8, latin1, windows-1252, utf16le ou utf16be)`);
  return found;
}

/**
 * The encoding of a text file from its first bytes: a BOM (UTF-8, UTF-16 LE/BE) says it; UTF-16 without BOM shows
 * as NUL bytes every other byte; otherwise bytes that are valid UTF-8 are UTF-8, and anything else is Windows-1252
 * (what French spreadsheets write, a superset of ISO-8859-1 for the printable characters).
 */
export function detectTextEncoding(head: Buffer): TextEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  const sample = head.subarray(0, 4096);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenNul++;
    else oddNul++;
  }
  if (oddNul > sample.length / 4 && evenNul === 0) return 'utf16le';
  if (evenNul > sample.length / 4 && oddNul === 0) return 'utf16be';
  return isValidUtf8(head) ? 'utf8' : 'windows-1252';
}

/** Valid UTF-8, a sequence cut by the end of the buffer (a chunk boundary) counting as valid. */
function isValidUtf8(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return false;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return true;
      if ((bytes[i + k] & 0xc0) !== 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

/**
 * A byte stream as text: the encoding given (`--encoding`) or detected from the first chunk, BOM removed. `head` is
 * the first chunk decoded (to sniff the CSV delimiter). Used by `annuaire import` and `titres import`.
 */
export async function decodeTextStream(input: Readable, encoding?: TextEncoding): Promise<{ text: Readable; encoding: TextEncoding; head: string }> {
  const peeked = await peekStream(input);
  const chosen = encoding ?? detectTextEncoding(peeked.head);
  const decoder = iconv.decodeStream(chosen, { stripBOM: true }) as unknown as Transform;
  peeked.stream.on('error', (err) => decoder.destroy(err));
  return { text: peeked.stream.pipe(decoder), encoding: chosen, head: iconv.decode(peeked.head, chosen, { stripBOM: true }) };
}

/** Reads the first chunk of a stream (to sniff it) and gives back a stream that still starts with it. */
export async function peekStream(stream: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
  );
  return { head, stream: rest };
}
