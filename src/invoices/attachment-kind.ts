/**
 * What an attachment's bytes are, whatever its supplier declared (MimeTypePJ, file name): a supplier's file is
 * hostile content. Only these kinds are ever shown in the browser (inline, under `Content-Security-Policy: sandbox`
 * and `nosniff`); anything else — HTML, SVG, XML, office files, unknown — is downloaded as application/octet-stream.
 */
export type AttachmentKind = 'pdf' | 'png' | 'jpeg' | 'text' | 'other';

/** Bytes read from the start of an attachment to decide its kind. */
export const SNIFF_BYTES = 4096;

/** Content type an inline kind is served with (never the declared one). */
export const INLINE_TYPES: Record<Exclude<AttachmentKind, 'other'>, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  text: 'text/plain; charset=utf-8',
};

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffAttachment(head: Buffer): AttachmentKind {
  // Browsers recognise a PDF by « %PDF- » at offset 0 only: a file starting otherwise is not shown as one.
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.subarray(0, 8).equals(PNG)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return isPlainText(head) ? 'text' : 'other';
}

/**
 * UTF-8 text without control characters (tab, line and page breaks aside) that does not open with markup: HTML, XML
 * and SVG are not « plain text » even when their bytes are, and go to the download path.
 */
function isPlainText(head: Buffer): boolean {
  let bytes = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  if (bytes.length === 0) return false;
  // A multi-byte character may be cut at the end of the sample: drop its first bytes before decoding.
  if (head.length >= SNIFF_BYTES) bytes = trimCutCharacter(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text)) return false;
  return !text.trimStart().startsWith('<');
}

function trimCutCharacter(bytes: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}
