import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { constants as zlib, createGunzip, createGzip, gzip } from 'node:zlib';
import { FileBatch, FileStore, FileTooLargeError, PutOptions, StoredObject } from '@/storage/file-store.port';

/** A written temp file waiting to be published under its final name. */
interface Staged {
  tmp: string;
  final: string;
  object: StoredObject;
  /** Still open after writing, so that the commit's fsync needs no reopening (fewer thread-pool round trips). */
  handle?: FileHandle;
  /** Already fsynced (written while too many handles were open). */
  synced?: boolean;
}

/**
 * File operations in flight at once per batch step. libuv's thread pool has 4 threads shared with every other
 * file read, gzip and DNS call of the process: flooding its FIFO queue with thousands of fsyncs or writes would
 * starve the flow reader behind them.
 */
const SYNC_CONCURRENCY = 8;
const WRITE_CONCURRENCY = 3;
/** Written temp files a batch keeps open until its commit; beyond, a file is fsynced and closed right away. */
const MAX_OPEN_HANDLES = 256;

/**
 * Raw flows are base64 for the most part (attachments): an LZ77 search barely finds matches in it, so the default
 * level costs ~4× the CPU for a few % of size. Run-length + Huffman keeps ~3/4 of the size (base64 carries 6 bits a
 * byte) at ~200 MB/s, and the result is still plain gzip.
 */
const RAW_GZIP = { level: 1, strategy: zlib.Z_RLE };
const gzipAsync = promisify(gzip);

/**
 * Files addressed by SHA-256 under `<root>/<aa>/<sha>[.gz]`. Writes go to a temp file first, which is fsynced
 * BEFORE being renamed to its final name, and the directories holding the new names are fsynced after: an object is
 * under its final name only complete, and once `put` (or a batch's `commit`) resolved it survives a crash.
 */
export class LocalFileStore extends FileStore {
  /** Directories created (or found) durably by this process, or being so: no mkdir nor parent fsync for them again. */
  private readonly dirs = new Map<string, Promise<void>>();
  private tmpDir: string | undefined;

  constructor(private readonly root: string) {
    super();
  }

  async put(content: Readable | Buffer, options: PutOptions = {}): Promise<StoredObject> {
    const staged = await this.stage(content, options);
    try {
      await fsyncPath(staged.tmp);
      await this.publish([staged]);
    } catch (err) {
      await fs.rm(staged.tmp, { force: true });
      throw err;
    }
    return staged.object;
  }

  override batch(): FileBatch {
    return new LocalFileBatch(this);
  }

  async openRead(key: string): Promise<Readable> {
    const plain = this.pathFor(key, false);
    if (await fileExists(plain)) return createReadStream(plain);
    const gz = this.pathFor(key, true);
    if (await fileExists(gz)) return createReadStream(gz).pipe(createGunzip());
    throw new Error(`Objet introuvable dans le stockage : ${key}`);
  }

  async exists(key: string): Promise<boolean> {
    return (await fileExists(this.pathFor(key, false))) || (await fileExists(this.pathFor(key, true)));
  }

  async tempPath(suffix = ''): Promise<string> {
    if (!this.tmpDir) {
      const dir = join(this.root, 'tmp');
      await fs.mkdir(dir, { recursive: true }); // temp names need no durability: no directory fsync
      this.tmpDir = dir;
    }
    return join(this.tmpDir, `${randomUUID()}${suffix}`);
  }

  /** Writes the content to a fresh temp file (no fsync) and computes its key. */
  async stage(content: Readable | Buffer, options: PutOptions = {}): Promise<Staged> {
    const tmp = await this.tempPath();
    const limit = options.maxBytes;
    try {
      if (Buffer.isBuffer(content) && !options.compress) {
        // Small attachments come whole from memory: one write, no stream machinery.
        if (limit !== undefined && content.length > limit) throw new FileTooLargeError(limit);
        const sha256 = sha256Hex(content);
        await fs.writeFile(tmp, content);
        return { tmp, final: this.pathFor(sha256, false), object: { key: sha256, sha256, size: content.length } };
      }
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (limit !== undefined && size > limit) return cb(new FileTooLargeError(limit));
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
      const out = createWriteStream(tmp);
      if (options.compress) await pipeline(source, meter, createGzip(RAW_GZIP), out);
      else await pipeline(source, meter, out);
      const sha256 = hash.digest('hex');
      return { tmp, final: this.pathFor(sha256, options.compress ?? false), object: { key: sha256, sha256, size } };
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Renames fsynced temp files to their final names, then fsyncs every directory that gained an entry: without it a
   * crash could forget the rename (POSIX). A directory created on the way is made durable first (see `ensureDir`).
   * An existing object is replaced atomically by an identical, already durable copy, so no existence check is needed.
   */
  async publish(entries: Staged[]): Promise<void> {
    const dirs = [...new Set(entries.map((e) => dirname(e.final)))];
    await forEachLimit(dirs, SYNC_CONCURRENCY, (d) => this.ensureDir(d));
    await forEachLimit(entries, SYNC_CONCURRENCY, async (e) => {
      try {
        await fs.rename(e.tmp, e.final);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // A cached directory removed behind our back: create it again (durably), then retry.
        const dir = dirname(e.final);
        this.dirs.delete(dir);
        await this.ensureDir(dir);
        await fs.rename(e.tmp, e.final);
      }
    });
    await forEachLimit(dirs, SYNC_CONCURRENCY, (d) => fsyncPath(d));
  }

  /**
   * Creates a directory and makes its entry durable (fsync of every parent that gained one), once per process. The
   * promise is shared: a publish running concurrently with the one that creates the directory waits for the parent's
   * fsync too, instead of returning with a rename a crash could lose along with the directory.
   */
  private ensureDir(dir: string): Promise<void> {
    let ready = this.dirs.get(dir);
    if (!ready) {
      ready = (async () => {
        const created = await fs.mkdir(dir, { recursive: true });
        if (created === undefined) return;
        // `created` is the first directory mkdir made: its parent and every directory below it gained an entry.
        const toSync: string[] = [];
        for (let d = dir; ; d = dirname(d)) {
          if (d === created || d === dirname(d)) {
            toSync.push(dirname(d));
            break;
          }
          toSync.push(dirname(d));
        }
        await forEachLimit(toSync, SYNC_CONCURRENCY, (d) => fsyncPath(d));
      })();
      const settled = ready;
      this.dirs.set(dir, settled);
      settled.catch(() => {
        if (this.dirs.get(dir) === settled) this.dirs.delete(dir);
      });
    }
    return ready;
  }

  /**
   * Final path of an object: one level of 256 directories. Two levels (256×256) meant a new directory — mkdir plus
   * two directory fsyncs — for nearly every object until tens of millions of objects; one level keeps directories of
   * a few tens of thousands of entries per million objects, which ext4/xfs index (htree/B+tree) without slowing down.
   */
  pathFor(sha256: string, compressed: boolean): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Clé de stockage invalide : ${sha256}`);
    return join(this.root, sha256.slice(0, 2), compressed ? `${sha256}.gz` : sha256);
  }
}

/**
 * Puts that are written at once but made durable together: `commit` fsyncs all the temp files in parallel, renames
 * them, then fsyncs the directories once each — instead of a sequential fsync + mkdir + rename per object. Until
 * `commit` resolves nothing is under a final name, so a crash before it leaves only temp files; callers commit the
 * batch BEFORE the database transaction that references the objects, so a committed row never points at a lost file.
 */
export class LocalFileBatch implements FileBatch {
  private staged: Staged[] = [];
  /** Same content twice in one batch (a re-sent PJ): written once. */
  private readonly byKey = new Map<string, StoredObject>();
  /** Buffers being written in the background: `put` returns once the key is known, `commit` waits for them. */
  private readonly writes = new Set<Promise<void>>();
  private writeError: { error: unknown } | undefined;
  private openHandles = 0;

  constructor(private readonly store: LocalFileStore) {}

  async put(content: Readable | Buffer, options: PutOptions = {}): Promise<StoredObject> {
    if (Buffer.isBuffer(content)) return this.putBuffer(content, options);
    const staged = await this.store.stage(content, options);
    if (this.byKey.has(staged.object.key)) {
      await fs.rm(staged.tmp, { force: true });
      return staged.object;
    }
    this.byKey.set(staged.object.key, staged.object);
    this.staged.push(staged);
    return staged.object;
  }

  /**
   * An object already in memory (an attachment, or a small raw flow read whole): its key is computed here and its temp
   * file written — gzipped first when asked, on the thread pool — in the background, so the reader goes on with the
   * next attachment instead of waiting for open/write/close; the handle stays open for the commit's fsync.
   */
  private async putBuffer(content: Buffer, options: PutOptions): Promise<StoredObject> {
    if (options.maxBytes !== undefined && content.length > options.maxBytes) throw new FileTooLargeError(options.maxBytes);
    const sha256 = sha256Hex(content);
    const known = this.byKey.get(sha256);
    if (known) return known;
    const object: StoredObject = { key: sha256, sha256, size: content.length };
    this.byKey.set(sha256, object);
    const compress = options.compress ?? false;
    const entry: Staged = { tmp: await this.store.tempPath(), final: this.store.pathFor(sha256, compress), object };
    this.staged.push(entry);
    // Bounded: the reader waits here when the disk lags, which also bounds the memory held by pending buffers.
    while (this.writes.size >= WRITE_CONCURRENCY) await Promise.race(this.writes);
    const body = async (): Promise<Buffer> => (compress ? gzipAsync(content, RAW_GZIP) : content);
    const write: Promise<void> = body().then((data) => this.writeStaged(entry, data)).catch((error: unknown) => {
      this.writeError ??= { error };
    });
    const tracked = write.finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
    return object;
  }

  private async writeStaged(entry: Staged, content: Buffer): Promise<void> {
    const handle = await fs.open(entry.tmp, 'wx');
    try {
      await handle.writeFile(content);
      if (this.openHandles < MAX_OPEN_HANDLES) {
        this.openHandles++;
        entry.handle = handle;
        return;
      }
      await handle.sync();
      entry.synced = true;
    } catch (err) {
      await handle.close();
      throw err;
    }
    await handle.close();
  }

  /** fsync of one written temp file (through its open handle when it has one). */
  private async syncStaged(entry: Staged): Promise<void> {
    const handle = entry.handle;
    if (!handle) {
      if (!entry.synced) await fsyncPath(entry.tmp);
      return;
    }
    entry.handle = undefined;
    this.openHandles--;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async removeAll(entries: Staged[]): Promise<void> {
    await forEachLimit(entries, SYNC_CONCURRENCY, async (e) => {
      if (e.handle) {
        const handle = e.handle;
        e.handle = undefined;
        this.openHandles--;
        await handle.close().catch(() => undefined);
      }
      await fs.rm(e.tmp, { force: true });
    });
  }

  private async settleWrites(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  async commit(): Promise<void> {
    await this.settleWrites();
    const entries = this.staged;
    const failed = this.writeError;
    this.staged = [];
    this.byKey.clear();
    this.writeError = undefined;
    try {
      if (failed) throw failed.error; // disk full, permissions: an infrastructure failure, reported to the caller
      await forEachLimit(entries, SYNC_CONCURRENCY, (e) => this.syncStaged(e));
      await this.store.publish(entries);
    } catch (err) {
      await this.removeAll(entries);
      throw err;
    }
  }

  async discard(): Promise<void> {
    await this.settleWrites();
    const entries = this.staged;
    this.staged = [];
    this.byKey.clear();
    this.writeError = undefined;
    await this.removeAll(entries);
  }
}

function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Runs `work` on every item with at most `limit` in flight; rejects with the first error once all settled. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/** fsync of a file or a directory (opened read-only: enough for fsync on Linux, and the only way for a directory). */
async function fsyncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
