import { crc32, inflateRawSync } from 'node:zlib';
import * as yauzl from 'yauzl';

/** What inflating an entry needs of its header (a yauzl Entry, or the same fields carried to another thread). */
export interface ZipEntryHeader {
  compressionMethod: number;
  crc32: number;
  uncompressedSize: number;
}

/** An error raised while inflating an entry (bad deflate data, size mismatch): the data's fault, not ours. */
export class ZipDataError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** The entry's content does not match its CRC-32 (APPNOTE 4.4.7): the archive is corrupted. */
export class CrcMismatchError extends Error {
  constructor(entryName?: string) {
    super(`somme de contrôle CRC-32 incorrecte${entryName ? ` pour « ${entryName} »` : ''} : archive ZIP corrompue`);
  }
}

/**
 * The entry's stored (compressed) bytes, from an archive in memory: a slice of it, located by yauzl's reading of the
 * local header (which checks they lie inside the archive). No read stream per entry, which cost more than inflating it.
 */
export async function entryBytesInMemory(zip: yauzl.ZipFile, entry: yauzl.Entry, zipBytes: Buffer): Promise<Buffer> {
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  return zipBytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
}

/**
 * The checks of yauzl's streamed path, for an entry small enough to inflate at once: the declared size must be the real
 * one (at most declared + 1 bytes are ever produced, so a lying header cannot make us inflate a bomb), the method must
 * be stored or deflate, and the CRC-32 must match.
 */
export function inflateEntry(entry: ZipEntryHeader, raw: Buffer): Buffer {
  return inflateEntryAt(entry, raw).data;
}

/** inflateEntry, also telling how many of the entry's bytes the deflate stream used (all of them, normally). */
export function inflateEntryAt(entry: ZipEntryHeader, raw: Buffer): { data: Buffer; consumed: number } {
  const expected = entry.uncompressedSize;
  let data: Buffer;
  let consumed = raw.length;
  if (entry.compressionMethod === 0) data = raw;
  else if (entry.compressionMethod === 8) {
    try {
      const out = inflateRawSync(raw, { maxOutputLength: expected + 1, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      data = out.buffer;
      consumed = out.engine.bytesWritten;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ZipDataError(new Error(`too many bytes in the stream. expected ${expected}. got at least ${expected + 1}`));
      }
      throw new ZipDataError(err);
    }
  } else throw new ZipDataError(new Error(`unsupported compression method: ${entry.compressionMethod}`));
  if (data.length > expected) {
    throw new ZipDataError(new Error(`too many bytes in the stream. expected ${expected}. got at least ${data.length}`));
  }
  if (data.length < expected) {
    throw new ZipDataError(new Error(`not enough bytes in the stream. expected ${expected}. got only ${data.length}`));
  }
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw new CrcMismatchError();
  return { data, consumed };
}

/** Gzip header of RFC 1952: deflate, no flags, no mtime, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

/**
 * A gzip member holding the entry's content, made of the entry's own deflate data (RFC 1952: header, the same raw
 * deflate stream as in the ZIP, CRC-32 and size): the raw copy of a flow taken from a ZIP costs no second compression.
 * For an entry checked by inflateEntryAt; undefined when it is not deflated, or when bytes follow its deflate stream
 * (they would be read as the gzip trailer).
 */
export function gzipMemberOf(entry: ZipEntryHeader, raw: Buffer, inflated: { data: Buffer; consumed: number }): Buffer | undefined {
  if (entry.compressionMethod !== 8 || inflated.consumed !== raw.length) return undefined;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(entry.crc32 >>> 0, 0);
  trailer.writeUInt32LE(inflated.data.length >>> 0, 4);
  return Buffer.concat([GZIP_HEADER, raw, trailer]);
}
