import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FileHandle } from 'node:fs/promises';
import { constants as zlib } from 'node:zlib';
import { StoredObject } from '@/storage/file-store.port';

/** A written temp file waiting to be published under its final name: one object, or a pack of several. */
export interface Staged {
  tmp: string;
  final: string;
  /** Still open after writing, so that its fsync needs no reopening (fewer thread-pool round trips). */
  handle?: FileHandle;
  /** Same, for a file written synchronously (see LocalFileStoreOptions.syncWrites). */
  fd?: number;
  /** fsynced: may be renamed to its final name. */
  synced?: boolean;
}

/** A temp file holding one object. */
export interface StagedObject extends Staged {
  object: StoredObject;
}

/**
 * Key of an object stored inside a pack (see LocalFileBatch): `pack:<pack name>:<offset>:<size>`, and `…:gz` for a
 * member stored gzip (a small raw flow: the pull's one-invoice flows keep their raw copy in the pack of their group),
 * whose size is then its compressed size. Loose objects are keyed by their SHA-256 alone; all fit the 100 characters
 * of the `storage_key` columns.
 */
export function packKey(pack: string, offset: number, size: number, compressed = false): string {
  return `pack:${pack}:${offset}:${size}${compressed ? ':gz' : ''}`;
}

export function parsePackKey(key: string): { pack: string; offset: number; size: number; compressed: boolean } | undefined {
  const m = /^pack:([0-9a-f]{32}):(\d{1,15}):(\d{1,15})(:gz)?$/.exec(key);
  return m ? { pack: m[1], offset: Number(m[2]), size: Number(m[3]), compressed: m[4] !== undefined } : undefined;
}

/**
 * File operations in flight at once per batch step. libuv's thread pool has 4 threads shared with every other
 * file read, gzip and DNS call of the process: flooding its FIFO queue with thousands of fsyncs or writes would
 * starve the flow reader behind them.
 */
export const SYNC_CONCURRENCY = 8;

/**
 * Raw flows are base64 for the most part (attachments): an LZ77 search barely finds matches in it, so the default
 * level costs ~4× the CPU for a few % of size. Run-length + Huffman keeps ~3/4 of the size (base64 carries 6 bits a
 * byte) at ~200 MB/s, and the result is still plain gzip. Output chunks of 256 KB instead of 16 KB: a 30 MB flow
 * makes ~100 callbacks and file writes instead of ~1,500.
 */
export const RAW_GZIP = { level: 1, strategy: zlib.Z_RLE, chunkSize: 256 * 1024 };
/** RAW_GZIP for a small buffer compressed in one call: a 256 KB output chunk allocated for a 7 KB flow doubled the cost. */
export const RAW_GZIP_SMALL = { level: 1, strategy: zlib.Z_RLE };

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

// Moved to common/pipeline (the pull runs structures with it too); re-exported for the store's modules.
export { forEachLimit } from '@/common/pipeline/for-each-limit';

export async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/** fsync of a file or a directory (opened read-only: enough for fsync on Linux, and the only way for a directory). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes a file or directory last modified before `cutoff` (ms); the bytes freed, or null when kept or gone. */
export async function removeIfOlder(path: string, cutoff: number): Promise<number | null> {
  const st = await fs.stat(path).catch(() => null);
  if (!st || st.mtimeMs >= cutoff) return null;
  const bytes = st.isDirectory() ? await treeBytes(path) : st.size;
  await fs.rm(path, { recursive: true, force: true });
  return bytes;
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await treeBytes(path) : ((await fs.stat(path).catch(() => null))?.size ?? 0);
  }
  return total;
}
