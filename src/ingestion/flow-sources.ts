import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import { basename, extname, join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';
import { FileStore } from '@/storage/file-store.port';
import { formatBytes, formatCount } from '@/common/money/french-format';
import { CrcMismatchError, entryBytesInMemory, gzipMemberOf, inflateEntryAt } from '@/common/zip/zip-entry';

/** One candidate pivot flow on disk: a file given directly, found in a directory, or extracted from a ZIP. */
export interface FlowInput {
  /** Name shown to people: `pivot.zip!facture-pivot.xml` for a ZIP entry. */
  fileName: string;
  /** Where the flow is on disk; for a flow held in memory (`content`), only a name (`<zip>!<entry>`). */
  path: string;
  /**
   * A small ZIP entry kept in memory instead of a temp file (the pull's one-invoice flows): no file written, read back
   * and removed per flow. Dropped once the flow is stored (removeTemporary).
   */
  content?: Buffer;
  /**
   * `content` as one gzip member, made of the ZIP entry's own deflate data (see gzipMemberOf): the raw copy is stored
   * from it without compressing the flow again.
   */
  gzipped?: Buffer;
  /** Temp files extracted from a ZIP are removed once imported. */
  temporary: boolean;
  /** Known when the file was written here (ZIP entry): spares reading it again to look it up. */
  sha256?: string;
  size?: number;
}

export interface FlowInputProblem {
  fileName: string;
  code: string;
  message: string;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** ZIP entries up to this size may stay in memory (see FlowInput.content); larger ones always go to a temp file. */
export const IN_MEMORY_ENTRY_BYTES = 1024 * 1024;
const MAX_ZIP_ENTRIES = 10_000;

/**
 * Expands files, directories (recursively, in name order) and ZIPs holding one or more pivot flows
 * (as `pastell/fixtures_chorus/pivot.zip`) into flow files. A ZIP is recognised by its magic number, not
 * its extension. Entries with a path (`../`) or nested folders are read by their base name only.
 */
export async function expandFlowInputs(
  paths: string[],
  store: FileStore,
  maxEntryBytes: number,
  /** Bytes of small ZIP entries that may be kept in memory (FlowInput.content); 0: every entry to a temp file. */
  memoryBytes = 0,
): Promise<{ inputs: FlowInput[]; problems: FlowInputProblem[] }> {
  const memory = { left: memoryBytes };
  const inputs: FlowInput[] = [];
  const problems: FlowInputProblem[] = [];
  const visit = async (path: string): Promise<void> => {
    let stat;
    try {
      stat = await fs.stat(path);
    } catch {
      problems.push({ fileName: path, code: 'FILE_NOT_FOUND', message: `Fichier ou dossier introuvable : ${path}` });
      return;
    }
    if (stat.isDirectory()) {
      const names = (await fs.readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(join(path, name));
      return;
    }
    if (await isZip(path)) {
      try {
        inputs.push(...(await extractZip(path, store, maxEntryBytes, memory)));
      } catch (err) {
        problems.push({
          fileName: path,
          code: 'ZIP_UNREADABLE',
          message: `Archive ZIP illisible (${basename(path)}) : ${(err as Error).message}`,
        });
      }
      return;
    }
    inputs.push({ fileName: basename(path), path, temporary: false });
  };
  for (const p of paths) await visit(p);
  return { inputs, problems };
}

/** A downloaded ZIP kept in memory (the pull's small groups): its flows are extracted without touching the disk. */
export interface ZipInMemory {
  /** Shown to people as the container of its entries (`<name>!<entry>`). */
  name: string;
  bytes: Buffer;
}

/** expandFlowInputs for a ZIP in memory: the same entries, checks and problems, read from the buffer. */
export async function expandZipInMemory(
  zip: ZipInMemory,
  store: FileStore,
  maxEntryBytes: number,
  memoryBytes = 0,
): Promise<{ inputs: FlowInput[]; problems: FlowInputProblem[] }> {
  try {
    return { inputs: await extractZip(zip.name, store, maxEntryBytes, { left: memoryBytes }, () => openZipBuffer(zip.bytes), zip.bytes), problems: [] };
  } catch (err) {
    return { inputs: [], problems: [{ fileName: zip.name, code: 'ZIP_UNREADABLE', message: `Archive ZIP illisible (${basename(zip.name)}) : ${(err as Error).message}` }] };
  }
}

async function isZip(path: string): Promise<boolean> {
  const handle = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.equals(ZIP_MAGIC);
  } finally {
    await handle.close();
  }
}

function openZipBuffer(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true, strictFileNames: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

async function extractZip(
  path: string,
  store: FileStore,
  maxEntryBytes: number,
  memory: { left: number },
  open: () => Promise<yauzl.ZipFile> = () => openZip(path),
  /** The archive's bytes, when it is in memory. */
  bytes?: Buffer,
): Promise<FlowInput[]> {
  const zip = await open();
  const out: FlowInput[] = [];
  let current: string | undefined;
  try {
    return await extractEntries(zip, path, store, maxEntryBytes, memory, out, (tmp) => (current = tmp), bytes);
  } catch (err) {
    // A zip bomb (or a broken archive) leaves nothing behind: neither the entry being inflated nor the ones before it.
    try {
      zip.close();
    } catch {
      // already closed
    }
    await Promise.all([current, ...out.filter((i) => i.temporary).map((i) => i.path)].map((p) => (p ? fs.rm(p, { force: true }) : undefined)));
    throw err;
  }
}

async function extractEntries(
  zip: yauzl.ZipFile,
  path: string,
  store: FileStore,
  maxEntryBytes: number,
  memory: { left: number },
  out: FlowInput[],
  writing: (tmp: string) => void,
  zipBytes?: Buffer,
): Promise<FlowInput[]> {
  const container = basename(path);
  await new Promise<void>((resolve, reject) => {
    let count = 0;
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (++count > MAX_ZIP_ENTRIES) return reject(new Error(`plus de ${formatCount(MAX_ZIP_ENTRIES)} fichiers`));
      if (entry.fileName.endsWith('/') || !['.xml', ''].includes(extname(entry.fileName).toLowerCase())) {
        zip.readEntry();
        return;
      }
      const fileName = `${container}!${basename(entry.fileName)}`;
      const fits = entry.uncompressedSize <= Math.min(IN_MEMORY_ENTRY_BYTES, memory.left, maxEntryBytes);
      if (zipBytes && fits && entry.compressedSize <= IN_MEMORY_ENTRY_BYTES) {
        // A small entry of an archive in memory (the pull's groups): inflated in one call, and its deflate data kept as
        // the raw copy's gzip member — no read stream, no second compression.
        memory.left -= entry.uncompressedSize;
        void (async () => {
          const raw = await entryBytesInMemory(zip, entry, zipBytes);
          const inflated = inflateEntryAt(entry, raw);
          const sha256 = createHash('sha256').update(inflated.data).digest('hex');
          const gzipped = gzipMemberOf(entry, raw, inflated);
          out.push({ fileName, path: `${path}!${basename(entry.fileName)}`, temporary: false, content: inflated.data, ...(gzipped ? { gzipped } : {}), sha256, size: inflated.data.length });
          zip.readEntry();
        })().catch(reject);
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        if (fits) memory.left -= entry.uncompressedSize;
        void (async () => {
          const tmp = fits ? undefined : await store.tempPath('.xml');
          if (tmp) writing(tmp);
          let written = 0;
          // yauzl checks the sizes, not the CRC-32: checked here, as inflateEntryAt does for entries in memory.
          let crc = 0;
          const hash = createHash('sha256');
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => {
            written += chunk.length;
            crc = crc32(chunk, crc);
            hash.update(chunk);
            if (fits) chunks.push(chunk);
            // A flow bigger than the limit inflating from a small ZIP: stop before filling the disk. In memory, the
            // entry's declared size is the limit (yauzl checks it too).
            if (written > (fits ? entry.uncompressedSize : maxEntryBytes)) stream.destroy(new Error(`${entry.fileName} dépasse ${formatBytes(fits ? entry.uncompressedSize : maxEntryBytes)}`));
          });
          if (tmp) {
            const file = createWriteStream(tmp);
            try {
              await pipeline(stream, file);
            } catch (err) {
              // The temp file may still be opening when the pipeline fails (a flow over the limit): wait until it is
              // closed, so that the cleanup removes it instead of running before it exists.
              if (!file.closed) await once(file, 'close').catch(() => undefined);
              throw err;
            }
          } else await finished(stream);
          if (crc >>> 0 !== entry.crc32 >>> 0) throw new CrcMismatchError(entry.fileName);
          const sha256 = hash.digest('hex');
          if (tmp) out.push({ fileName, path: tmp, temporary: true, sha256, size: written });
          else out.push({ fileName, path: `${path}!${basename(entry.fileName)}`, temporary: false, content: Buffer.concat(chunks), sha256, size: written });
          zip.readEntry();
        })().catch(reject);
      });
    });
    zip.readEntry();
  });
  return out;
}
