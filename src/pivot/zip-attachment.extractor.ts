import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';
import { FileTooLargeError, ObjectWriter } from '@/storage/file-store.port';
import { PivotAttachmentContent } from '@/pivot/pivot.types';
import { formatBytes, formatCount } from '@/common/money/french-format';
import { CrcMismatchError, entryBytesInMemory, inflateEntry, ZipDataError } from '@/common/zip/zip-entry';

export const DEFAULT_MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024;

export interface ZipExtractionOptions {
  /** Where the file goes: the store, or a batch of it made durable later. */
  store: ObjectWriter;
  /** Inflated bytes allowed for the single entry (real bytes are counted: headers can lie). */
  maxAttachmentBytes?: number;
}

export type ZipExtractionResult = { ok: true; content: PivotAttachmentContent } | { ok: false; message: string };

/** More central-directory records than this is not "a ZIP holding one file": stop listing early. */
const MAX_ENTRIES = 64;
/**
 * Entries declaring up to this size are inflated in one synchronous call and handed to the store as one Buffer
 * (a typical PJ: no stream, no thread-pool round trip per chunk); larger ones are streamed.
 */
const IN_MEMORY_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * Opens the ZIP that every pivot PJ/Contenu holds (AIFE: one file per archive, whatever MimeTypePJ says) and stores
 * its single file in the content-addressed store. Never throws for bad data: the result says why it is unreadable,
 * so one bad attachment cannot stop the flow. Does not delete `zipPath` (its creator owns it).
 */
export class ZipAttachmentExtractor {
  /** The ZIP is a file (a large Contenu spilled to disk). */
  extract(zipPath: string, options: ZipExtractionOptions): Promise<ZipExtractionResult> {
    return this.extractFrom(() => openZip(zipPath), undefined, options);
  }

  /** The ZIP is in memory (the usual small Contenu): same checks, no file round trip. */
  extractBuffer(zipBytes: Buffer, options: ZipExtractionOptions): Promise<ZipExtractionResult> {
    return this.extractFrom(() => openZipBuffer(zipBytes), zipBytes, options);
  }

  private async extractFrom(
    open: () => Promise<yauzl.ZipFile>,
    zipBytes: Buffer | undefined,
    options: ZipExtractionOptions,
  ): Promise<ZipExtractionResult> {
    const maxBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
    let zip: yauzl.ZipFile;
    try {
      zip = await open();
    } catch (err) {
      return failure(`le contenu n’est pas une archive ZIP valide (${errorText(err)})`);
    }
    let storing = false;
    let source: Readable | undefined;
    try {
      const files = await listFileEntries(zip);
      if (files.length === 0) return failure('l’archive ZIP ne contient aucun fichier');
      if (files.length > 1) return failure('l’archive ZIP contient plusieurs fichiers au lieu d’un seul');
      const entry = files[0];
      const unsafe = unsafeNameReason(entry.fileName);
      if (unsafe) return failure(unsafe);
      if (entry.isEncrypted()) return failure('le fichier de l’archive ZIP est chiffré');
      if (entry.uncompressedSize > maxBytes) return failure(tooLarge(maxBytes));
      let content: Readable | Buffer;
      if (entry.uncompressedSize <= IN_MEMORY_ENTRY_BYTES && entry.compressedSize <= IN_MEMORY_ENTRY_BYTES) {
        content = inflateEntry(entry, await rawEntryBytes(zip, entry, zipBytes));
      } else {
        source = await openReadStream(zip, entry);
        content = verifiedEntry(source, entry.crc32, maxBytes);
      }
      storing = true;
      const stored = await options.store.put(content, { maxBytes });
      return {
        ok: true,
        content: { entryName: entry.fileName, sha256: stored.sha256, size: stored.size, storageKey: stored.key },
      };
    } catch (err) {
      // A store failure (disk full, permissions) is not the attachment's fault: let the caller see it.
      const dataError =
        err instanceof ZipDataError || err instanceof FileTooLargeError || err instanceof CrcMismatchError;
      if (storing && !dataError) throw err;
      return failure(describe(err instanceof ZipDataError ? err.cause : err, maxBytes));
    } finally {
      source?.destroy(); // releases yauzl's file reference even if the store never read the stream
      zip.close();
    }
  }
}

/**
 * The entry's stored (compressed) bytes. From an archive in memory they are a slice of it, located by yauzl's reading of
 * the local header (which checks they lie inside the archive): no read stream per attachment, which cost more than
 * inflating a typical PJ.
 */
async function rawEntryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, zipBytes: Buffer | undefined): Promise<Buffer> {
  if (zipBytes) return entryBytesInMemory(zip, entry, zipBytes);
  const source = await openReadStream(zip, entry, { decodeFileData: false });
  try {
    return await readAll(source);
  } finally {
    source.destroy();
  }
}

/** Counts the real inflated bytes (zip bomb: headers can lie) and verifies the CRC-32, which yauzl does not check. */
function verifiedEntry(source: Readable, expectedCrc: number, maxBytes: number): Readable {
  // yauzl pipes file -> inflate -> size check as soon as the stream is opened, so an error (size mismatch of a lying
  // header, corrupt deflate data) can be emitted before anyone reads: keep it instead of crashing the process.
  let early: unknown;
  source.on('error', (err) => (early ??= err));
  async function* verify(): AsyncGenerator<Buffer> {
    let crc = 0;
    let size = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (early !== undefined) break;
        size += chunk.length;
        if (size > maxBytes) throw new FileTooLargeError(maxBytes);
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof FileTooLargeError) throw err;
      throw new ZipDataError(err);
    } finally {
      source.destroy();
    }
    if (early !== undefined) throw new ZipDataError(early);
    if (crc >>> 0 !== expectedCrc >>> 0) throw new CrcMismatchError();
  }
  // Readable.from is lazy: nothing is pulled before the store starts reading.
  return Readable.from(verify(), { objectMode: false });
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // yauzl validates entry names (rejects `..`, absolute paths; backslashes are read as `/` then checked) and
    // asserts that inflated sizes match the headers.
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function listFileEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const files: yauzl.Entry[] = [];
    let seen = 0;
    zip.on('entry', (entry: yauzl.Entry) => {
      seen += 1;
      if (!entry.fileName.endsWith('/')) files.push(entry);
      if (files.length > 1) resolve(files);
      else if (seen > MAX_ENTRIES) reject(new Error(`plus de ${formatCount(MAX_ENTRIES)} entrées`));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(files));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openZipBuffer(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function openReadStream(zip: yauzl.ZipFile, entry: yauzl.Entry, options: yauzl.ZipFileOptions = {}): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, options, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Defence in depth on top of yauzl's own check: the name is stored and may later become a download name. */
function unsafeNameReason(name: string): string | undefined {
  if (name.includes('\\') || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..')) {
    return `nom de fichier dangereux dans l’archive ZIP : « ${name} »`;
  }
  return undefined;
}

function describe(err: unknown, maxBytes: number): string {
  if (err instanceof FileTooLargeError) return tooLarge(maxBytes);
  if (err instanceof CrcMismatchError) return 'somme de contrôle CRC-32 incorrecte : archive ZIP corrompue';
  const text = errorText(err);
  if (/invalid characters in fileName|absolute path|invalid relative path/.test(text)) {
    return `nom de fichier dangereux dans l’archive ZIP (${text})`;
  }
  if (/too many bytes|not enough bytes/.test(text)) {
    return `taille décompressée différente de celle annoncée : archive ZIP corrompue (${text})`;
  }
  if (/compression method/.test(text)) return `méthode de compression non prise en charge (${text})`;
  if ((err as { code?: string }).code?.startsWith('Z_')) return `données compressées corrompues (${text})`;
  return `archive ZIP illisible (${text})`;
}

function tooLarge(maxBytes: number): string {
  return `le fichier décompressé dépasse la limite de ${formatBytes(maxBytes)} (bombe ZIP ?)`;
}

function failure(reason: string): ZipExtractionResult {
  return { ok: false, message: `Pièce jointe illisible : ${reason}` };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
