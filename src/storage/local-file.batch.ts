import { randomUUID } from 'node:crypto';
import { closeSync, fsync, openSync, promises as fs, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import { FileBatch, FileTooLargeError, PutOptions, StoredObject } from '@/storage/file-store.port';
import { forEachLimit, fsyncPath, packKey, RAW_GZIP, RAW_GZIP_SMALL, sha256Hex, Staged, StagedObject, SYNC_CONCURRENCY } from '@/storage/local-file.io';
import type { LocalFileStore } from '@/storage/local-file.store';

const gzipAsync = promisify(gzip);
const fsyncAsync = promisify(fsync);

/** Buffers written at once in the background (asynchronous mode). */
const WRITE_CONCURRENCY = 3;
/**
 * fsyncs running in the background while the flow is still being read: few, so that the flow file's own reads, queued
 * in the same thread pool, never wait long behind them. The commit raises it to SYNC_CONCURRENCY for what is left.
 */
const BACKGROUND_SYNCS = 2;
/** Written temp files kept open for their fsync; beyond, a file is closed and its fsync reopens it. */
const MAX_OPEN_HANDLES = 256;
/**
 * Objects in memory up to this size go into the batch's pack instead of a file each: a flow's PJs (typically a few
 * dozen KB) then cost one file and one fsync per flow instead of one per PJ — on a server disk an fsync takes
 * milliseconds, so a flow of 1,000 PJs spent seconds on them. Small raw flows go in too, as gzip members; larger
 * objects and raw flows stay loose files.
 */
const PACK_OBJECT_MAX_BYTES = 1024 * 1024;
/** A pack is closed past this size and a new one started (keeps each file, and its final fsync, bounded). */
const PACK_MAX_BYTES = 64 * 1024 * 1024;

/** The pack being filled: objects appended at known offsets, positional writes (order-independent). */
interface OpenPack {
  entry: Staged;
  name: string;
  size: number;
}

/**
 * Puts that are written at once but made durable together. Small objects in memory are appended to a pack (one file,
 * fsynced once, at commit); other files are fsynced in the background as soon as they are written (write-behind,
 * while the reader goes on). `commit` waits for the last fsyncs, renames the files to their final names, then fsyncs
 * their directories once each. Until `commit` resolves nothing is under a final name, so a
 * crash before it leaves only temp files; callers commit the batch BEFORE the database transaction that references the
 * objects, so a committed row never points at a lost file.
 */
export class LocalFileBatch implements FileBatch {
  private staged: Staged[] = [];
  /** Same content twice in one batch (a re-sent PJ): written once (by SHA-256, and whether stored gzip). */
  private readonly byKey = new Map<string, StoredObject>();
  /** Buffers being written in the background: `put` returns once the key is known, `commit` waits for them. */
  private readonly writes = new Set<Promise<void>>();
  /** Written files waiting for their fsync, in write order. */
  private toSync: Staged[] = [];
  private syncing = 0;
  private syncLimit = BACKGROUND_SYNCS;
  private syncWaiters: Array<() => void> = [];
  private failure: { error: unknown } | undefined;
  private openHandles = 0;
  private pack: OpenPack | undefined;
  /** A pack being created (its temp file opening), shared by the puts that arrive meanwhile. */
  private packOpening: Promise<OpenPack> | undefined;

  constructor(private readonly store: LocalFileStore) {}

  async put(content: Readable | Buffer, options: PutOptions = {}): Promise<StoredObject> {
    if (Buffer.isBuffer(content)) return this.putBuffer(content, options);
    const staged = await this.store.stage(content, options);
    const key = contentKey(staged.object.sha256, options.compress ?? false);
    if (this.byKey.has(key)) {
      await fs.rm(staged.tmp, { force: true });
      return staged.object;
    }
    this.byKey.set(key, staged.object);
    this.staged.push(staged);
    this.syncLater(staged);
    return staged.object;
  }

  async commit(): Promise<void> {
    await this.settleWrites();
    this.syncLimit = SYNC_CONCURRENCY;
    this.pumpSyncs();
    await this.syncsSettled();
    const entries = this.staged;
    const failed = this.failure;
    this.reset();
    try {
      if (failed) throw failed.error; // disk full, permissions: an infrastructure failure, reported to the caller
      await forEachLimit(
        entries.filter((e) => !e.synced),
        SYNC_CONCURRENCY,
        (e) => this.syncStaged(e),
      );
      await this.store.publish(entries);
    } catch (err) {
      await this.removeAll(entries);
      throw err;
    }
  }

  async discard(): Promise<void> {
    await this.settleWrites();
    this.toSync = [];
    await this.syncsSettled();
    const entries = this.staged;
    this.reset();
    await this.removeAll(entries);
  }

  /**
   * An object already in memory (an attachment, or a small raw flow read whole): its key is computed here and its temp
   * file written — synchronously in the reader thread (LocalFileStoreOptions.syncWrites), else in the background —
   * so the reader goes on with the next attachment instead of waiting for open/write/close.
   */
  private async putBuffer(content: Buffer, options: PutOptions): Promise<StoredObject> {
    if (options.maxBytes !== undefined && content.length > options.maxBytes) throw new FileTooLargeError(options.maxBytes);
    const sha256 = sha256Hex(content);
    const compress = options.compress ?? false;
    const known = this.byKey.get(contentKey(sha256, compress));
    if (known) return known;
    if (content.length <= PACK_OBJECT_MAX_BYTES) {
      if (!compress) return this.putPacked(content, sha256, content.length, false);
      // A small raw flow (the pull's one-invoice flows): a gzip member of the pack, not a file of its own — one file
      // created, fsynced and renamed per group of flows instead of one per flow. Given already compressed (a ZIP
      // entry's deflate data), it is not compressed again.
      const gz = options.gzipped ?? (this.store.options.syncWrites ? gzipSync(content, RAW_GZIP_SMALL) : await gzipAsync(content, RAW_GZIP_SMALL));
      return this.putPacked(gz, sha256, content.length, true);
    }
    const object: StoredObject = { key: sha256, sha256, size: content.length };
    this.byKey.set(contentKey(sha256, compress), object);
    const entry: StagedObject = { tmp: await this.store.tempPath(), final: this.store.pathFor(sha256, compress), object };
    this.staged.push(entry);
    if (this.store.options.syncWrites) {
      this.writeSync(entry, compress ? gzipSync(content, RAW_GZIP) : content);
      this.syncLater(entry);
      return object;
    }
    // Bounded: the reader waits here when the disk lags, which also bounds the memory held by pending buffers.
    while (this.writes.size >= WRITE_CONCURRENCY) await Promise.race(this.writes);
    const body = async (): Promise<Buffer> => (compress ? gzipAsync(content, RAW_GZIP) : content);
    const write: Promise<void> = body()
      .then((data) => this.writeAsync(entry, data))
      .then(
        () => this.syncLater(entry),
        (error: unknown) => {
          this.failure ??= { error };
        },
      );
    const tracked = write.finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
    return object;
  }

  /**
   * Appends a small object to the pack; its key says where it lies (see packKey). `content` is what is written (the
   * gzip member when `compressed`), `size` the object's own size.
   */
  private async putPacked(content: Buffer, sha256: string, size: number, compressed: boolean): Promise<StoredObject> {
    const pack = await this.packFor(content.length);
    const known = this.byKey.get(contentKey(sha256, compressed)); // the same content put again while the pack was being opened
    if (known) return known;
    const offset = pack.size;
    pack.size += content.length;
    const object: StoredObject = { key: packKey(pack.name, offset, content.length, compressed), sha256, size };
    this.byKey.set(contentKey(sha256, compressed), object);
    if (pack.entry.fd !== undefined) {
      for (let at = 0; at < content.length; ) at += writeSync(pack.entry.fd, content, at, content.length - at, offset + at);
      return object;
    }
    while (this.writes.size >= WRITE_CONCURRENCY) await Promise.race(this.writes);
    const handle = pack.entry.handle!;
    const write: Promise<void> = (async () => {
      for (let at = 0; at < content.length; ) at += (await handle.write(content, at, content.length - at, offset + at)).bytesWritten;
    })().catch((error: unknown) => {
      this.failure ??= { error };
    });
    const tracked = write.finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
    return object;
  }

  /** The pack to append `bytes` to: the open one, or a new one (the full one stays staged, fsynced at commit). */
  private async packFor(bytes: number): Promise<OpenPack> {
    if (this.packOpening) await this.packOpening.catch(() => undefined);
    if (this.pack && this.pack.size + bytes <= PACK_MAX_BYTES) return this.pack;
    const opening = this.openPack();
    this.packOpening = opening;
    try {
      this.pack = await opening;
      return this.pack;
    } finally {
      if (this.packOpening === opening) this.packOpening = undefined;
    }
  }

  private async openPack(): Promise<OpenPack> {
    const name = randomUUID().replace(/-/g, '');
    const entry: Staged = { tmp: await this.store.tempPath('.pack'), final: this.store.packPath(name) };
    if (this.store.options.syncWrites) entry.fd = openSync(entry.tmp, 'wx');
    else entry.handle = await fs.open(entry.tmp, 'wx');
    this.openHandles++;
    this.staged.push(entry); // fsynced at commit (not write-behind: it is still being appended to)
    return { entry, name, size: 0 };
  }

  private async writeAsync(entry: Staged, content: Buffer): Promise<void> {
    const handle = await fs.open(entry.tmp, 'wx');
    try {
      await handle.writeFile(content);
      if (this.openHandles < MAX_OPEN_HANDLES) {
        this.openHandles++;
        entry.handle = handle;
        return;
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    await handle.close();
  }

  private writeSync(entry: Staged, content: Buffer): void {
    const fd = openSync(entry.tmp, 'wx');
    try {
      for (let at = 0; at < content.length; ) at += writeSync(fd, content, at);
      if (this.openHandles < MAX_OPEN_HANDLES) {
        this.openHandles++;
        entry.fd = fd;
        return;
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    closeSync(fd);
  }

  private syncLater(entry: Staged): void {
    this.toSync.push(entry);
    this.pumpSyncs();
  }

  private pumpSyncs(): void {
    while (this.syncing < this.syncLimit && this.toSync.length > 0) {
      const entry = this.toSync.shift()!;
      this.syncing++;
      this.syncStaged(entry)
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.syncing--;
          this.pumpSyncs();
          if (this.syncing === 0 && this.toSync.length === 0) for (const wake of this.syncWaiters.splice(0)) wake();
        });
    }
  }

  private syncsSettled(): Promise<void> {
    if (this.syncing === 0 && this.toSync.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** fsync of one written temp file, through its open descriptor or handle when it has one, then closes it. */
  private async syncStaged(entry: Staged): Promise<void> {
    if (entry.fd !== undefined) {
      const fd = entry.fd;
      entry.fd = undefined;
      this.openHandles--;
      try {
        await fsyncAsync(fd);
      } finally {
        closeSync(fd);
      }
    } else if (entry.handle) {
      const handle = entry.handle;
      entry.handle = undefined;
      this.openHandles--;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await fsyncPath(entry.tmp);
    }
    entry.synced = true;
  }

  private async removeAll(entries: Staged[]): Promise<void> {
    await forEachLimit(entries, SYNC_CONCURRENCY, async (e) => {
      if (e.fd !== undefined) {
        closeSync(e.fd);
        e.fd = undefined;
        this.openHandles--;
      }
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

  private reset(): void {
    this.pack = undefined;
    this.staged = [];
    this.byKey.clear();
    this.toSync = [];
    this.failure = undefined;
    this.syncLimit = BACKGROUND_SYNCS;
  }
}

function contentKey(sha256: string, compressed: boolean): string {
  return compressed ? `${sha256}:gz` : sha256;
}
