import { buildDemoPdf } from '@/fixtures-generator/demo-pdf.factory';
import { hashString, SeededRng } from '@/fixtures-generator/seeded.rng';
import { buildZip } from '@/fixtures-generator/zip.builder';

// Turns an attachment description into the text of PJ/Contenu: as Chorus Pro does, base64 of a ZIP archive
// holding one file (named like NomPJ), whatever MimeTypePJ says.

export type AttachmentSource =
  /** A generated PDF, zipped. The normal case. */
  | { kind: 'pdf'; lines: string[]; sizeBytes?: number }
  /** An explicit archive (bad cases: several entries, "../" paths…). */
  | { kind: 'zip'; entries: Array<{ name: string; data: Buffer | string; method?: 'deflate' | 'store' }> }
  /** One entry of `uncompressedBytes` zeros: a high-ratio archive that must not be inflated blindly. */
  | { kind: 'zip-bomb'; entryName: string; uncompressedBytes: number }
  /** Bytes base64-encoded as they are, no ZIP around them. */
  | { kind: 'raw'; data: Buffer | string }
  /** Literal Contenu text, written verbatim (escaped). */
  | { kind: 'text'; text: string }
  /** No Contenu element at all. */
  | { kind: 'none' };

export class AttachmentEncoder {
  private readonly cache = new Map<string, string>();
  private readonly paddingSource: Buffer;

  /**
   * @param seed drives the padding bytes, so attachments are deterministic too.
   * @param maxCacheEntries bounded because every invoice of a bulk run has its own PDF: the cache only pays off
   *   for repeated content (same source and entry name), e.g. the duplicated or re-sent invoices.
   */
  constructor(
    seed: number,
    private readonly maxCacheEntries = 256,
  ) {
    const rng = new SeededRng(seed).fork('pdf-padding');
    this.paddingSource = Buffer.alloc(64 * 1024);
    for (let i = 0; i < this.paddingSource.length; i += 4) this.paddingSource.writeUInt32LE(rng.nextUint32(), i);
  }

  /** The base64 text of PJ/Contenu, or null when the source says there is none. */
  contentBase64(source: AttachmentSource, entryName: string): string | null {
    if (source.kind === 'none') return null;
    if (source.kind === 'text') return source.text;
    const key = cacheKey(source, entryName);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const encoded = this.archive(source, entryName, key).toString('base64');
    if (this.cache.size >= this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, encoded);
    return encoded;
  }

  /** The bytes PJ/Contenu decodes to (ZIP archive, or raw bytes for the 'raw' kind). */
  archive(source: Exclude<AttachmentSource, { kind: 'none' } | { kind: 'text' }>, entryName: string, key?: string): Buffer {
    switch (source.kind) {
      case 'pdf': {
        const offset = hashString(key ?? cacheKey(source, entryName)) % this.paddingSource.length;
        const pdf = buildDemoPdf({ lines: source.lines, sizeBytes: source.sizeBytes, padding: { source: this.paddingSource, offset } });
        // Huffman only: the padding barely compresses anyway, and deflate was most of the benchmark's time.
        return buildZip([{ name: entryName, data: pdf }], { strategy: (source.sizeBytes ?? 0) > 8192 ? 'huffman-only' : 'default' });
      }
      case 'zip':
        return buildZip(source.entries.map((e) => ({ name: e.name, data: typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data, method: e.method })));
      case 'zip-bomb':
        return buildZip([{ name: source.entryName, data: Buffer.alloc(source.uncompressedBytes) }], { level: 9 });
      case 'raw':
        return typeof source.data === 'string' ? Buffer.from(source.data, 'utf8') : source.data;
    }
  }
}

function cacheKey(source: AttachmentSource, entryName: string): string {
  switch (source.kind) {
    case 'pdf':
      return `pdf\u0000${entryName}\u0000${source.sizeBytes ?? 0}\u0000${source.lines.join('\u0001')}`;
    case 'zip-bomb':
      return `bomb\u0000${source.entryName}\u0000${source.uncompressedBytes}`;
    case 'zip':
      return `zip\u0000${source.entries.map((e) => `${e.name}\u0001${e.method ?? ''}\u0001${Buffer.from(e.data).toString('base64')}`).join('\u0002')}`;
    case 'raw':
      return `raw\u0000${Buffer.from(source.data).toString('base64')}`;
    default:
      return '';
  }
}

