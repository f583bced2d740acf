import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { FileBatch, FileStore, FileTooLargeError, PutOptions, StoredObject, StoreGcReport } from '@/storage/file-store.port';
import { LocalFileBatch } from '@/storage/local-file.batch';
import { fileExists, forEachLimit, fsyncPath, parsePackKey, RAW_GZIP, removeIfOlder, sha256Hex, Staged, StagedObject, SYNC_CONCURRENCY } from '@/storage/local-file.io';

export interface LocalFileStoreOptions {
  /**
   * Batches write in-memory objects with synchronous calls (open, write, close: page-cache copies of a few dozen KB)
   * instead of promise round trips through libuv's thread pool; fsyncs stay asynchronous and parallel at commit. Meant
   * for the flow reader's worker thread, where blocking costs nobody and each promise-based write cost more CPU than
   * the copy itself; the main thread keeps the default (asynchronous), which never blocks its event loop.
   */
  syncWrites?: boolean;
}

/**
 * Files addressed by SHA-256 under `<root>/<aa>/<sha>[.gz]`, and the packs a batch writes its small objects into
 * (`<root>/packs/<aa>/<name>.pack`, see LocalFileBatch; small raw flows there too, each a gzip member). Writes go to a temp file first, which is fsynced BEFORE being
 * renamed to its final name, and the directories holding the new names are fsynced after: an object is under its
 * final name only complete, and once `put` (or a batch's `commit`) resolved it survives a crash.
 */
export class LocalFileStore extends FileStore {
  /** Directories created (or found) durably by this process, or being so: no mkdir nor parent fsync for them again. */
  private readonly dirs = new Map<string, Promise<void>>();
  private tmpDir: string | undefined;

  constructor(
    readonly root: string,
    readonly options: LocalFileStoreOptions = {},
  ) {
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
    const packed = parsePackKey(key);
    if (packed) {
      const path = this.packPath(packed.pack);
      if (!(await this.packHolds(path, packed.offset + packed.size))) throw new Error(`Objet introuvable dans le stockage : ${key}`);
      if (packed.size === 0) return Readable.from([]);
      const member = createReadStream(path, { start: packed.offset, end: packed.offset + packed.size - 1 });
      return packed.compressed ? member.pipe(createGunzip()) : member;
    }
    const plain = this.pathFor(key, false);
    if (await fileExists(plain)) return createReadStream(plain);
    const gz = this.pathFor(key, true);
    if (await fileExists(gz)) return createReadStream(gz).pipe(createGunzip());
    throw new Error(`Objet introuvable dans le stockage : ${key}`);
  }

  async exists(key: string): Promise<boolean> {
    const packed = parsePackKey(key);
    if (packed) return this.packHolds(this.packPath(packed.pack), packed.offset + packed.size);
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

  override async collect(options: { isReferenced: (pack: string) => boolean; olderThan: Date }): Promise<StoreGcReport> {
    const report: StoreGcReport = { tempFiles: 0, packs: 0, bytes: 0 };
    const cutoff = options.olderThan.getTime();
    const tmp = join(this.root, 'tmp');
    for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
      const freed = await removeIfOlder(join(tmp, name), cutoff);
      if (freed !== null) {
        report.tempFiles++;
        report.bytes += freed;
      }
    }
    const packs = join(this.root, 'packs');
    for (const dir of await fs.readdir(packs).catch(() => [] as string[])) {
      for (const file of await fs.readdir(join(packs, dir)).catch(() => [] as string[])) {
        const name = /^([0-9a-f]{32})\.pack$/.exec(file)?.[1];
        if (!name || options.isReferenced(name)) continue;
        const freed = await removeIfOlder(join(packs, dir, file), cutoff);
        if (freed !== null) {
          report.packs++;
          report.bytes += freed;
        }
      }
    }
    return report;
  }

  /** Writes the content to a fresh temp file (no fsync) and computes its key. */
  async stage(content: Readable | Buffer, options: PutOptions = {}): Promise<StagedObject> {
    // A stream failing before the pipeline below is attached (a missing flow file, while the temp directory is being
    // created) must not crash the process with an unhandled 'error' event: pipeline() reports the stored error.
    if (!Buffer.isBuffer(content)) content.once('error', () => undefined);
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

  /** Final path of a pack (a random 32-hex name): 256 directories, as for loose objects. */
  packPath(name: string): string {
    return join(this.root, 'packs', name.slice(0, 2), `${name}.pack`);
  }

  private async packHolds(path: string, end: number): Promise<boolean> {
    const st = await fs.stat(path).catch(() => null);
    return st !== null && st.size >= end;
  }
}

