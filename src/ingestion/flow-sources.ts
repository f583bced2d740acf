import { createWriteStream, promises as fs } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { FileStore } from '@/storage/file-store.port';
import { formatBytes, formatCount } from '@/common/money/french-format';

/** One candidate pivot flow on disk: a file given directly, found in a directory, or extracted from a ZIP. */
export interface FlowInput {
  /** Name shown to people: `pivot.zip!facture-pivot.xml` for a ZIP entry. */
  fileName: string;
  path: string;
  /** Temp files extracted from a ZIP are removed once imported. */
  temporary: boolean;
}

export interface FlowInputProblem {
  fileName: string;
  code: string;
  message: string;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
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
): Promise<{ inputs: FlowInput[]; problems: FlowInputProblem[] }> {
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
        inputs.push(...(await extractZip(path, store, maxEntryBytes)));
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

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

async function extractZip(path: string, store: FileStore, maxEntryBytes: number): Promise<FlowInput[]> {
  const zip = await openZip(path);
  const out: FlowInput[] = [];
  let current: string | undefined;
  try {
    return await extractEntries(zip, path, store, maxEntryBytes, out, (tmp) => (current = tmp));
  } catch (err) {
    // A zip bomb (or a broken archive) leaves nothing behind: neither the entry being inflated nor the ones before it.
    try {
      zip.close();
    } catch {
      // already closed
    }
    await Promise.all([current, ...out.map((i) => i.path)].map((p) => (p ? fs.rm(p, { force: true }) : undefined)));
    throw err;
  }
}

async function extractEntries(
  zip: yauzl.ZipFile,
  path: string,
  store: FileStore,
  maxEntryBytes: number,
  out: FlowInput[],
  writing: (tmp: string) => void,
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
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        void (async () => {
          const tmp = await store.tempPath('.xml');
          writing(tmp);
          let written = 0;
          stream.on('data', (chunk: Buffer) => {
            written += chunk.length;
            // A flow bigger than the limit inflating from a small ZIP: stop before filling the disk.
            if (written > maxEntryBytes) stream.destroy(new Error(`${entry.fileName} dépasse ${formatBytes(maxEntryBytes)}`));
          });
          await pipeline(stream, createWriteStream(tmp));
          out.push({ fileName: `${container}!${basename(entry.fileName)}`, path: tmp, temporary: true });
          zip.readEntry();
        })().catch(reject);
      });
    });
    zip.readEntry();
  });
  return out;
}
