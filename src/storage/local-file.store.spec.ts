import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FileTooLargeError } from '@/storage/file-store.port';
import { forEachLimit } from '@/storage/local-file.io';
import { LocalFileStore } from '@/storage/local-file.store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'file-store-'));
    store = new LocalFileStore(root);
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const tmpLeft = async () => fs.readdir(join(root, 'tmp')).catch(() => []);

  it('put: stores under the SHA-256, readable at once, no temp file left', async () => {
    const data = randomBytes(5000);
    const stored = await store.put(data);
    expect(stored).toEqual({ key: sha(data), sha256: sha(data), size: 5000 });
    expect(await readAll(await store.openRead(stored.key))).toEqual(data);
    expect(await tmpLeft()).toEqual([]);
  });

  it('put: compressed objects keep the key of the plain bytes', async () => {
    const data = Buffer.from('<CPPFacturePivot/>'.repeat(1000));
    const stored = await store.put(Readable.from([data]), { compress: true });
    expect(stored.key).toBe(sha(data));
    expect(await fs.stat(join(root, stored.key.slice(0, 2), `${stored.key}.gz`))).toBeTruthy();
    expect(await readAll(await store.openRead(stored.key))).toEqual(data);
  });

  it('put: refuses content over maxBytes and leaves nothing behind', async () => {
    await expect(store.put(Readable.from([randomBytes(2000)]), { maxBytes: 1000 })).rejects.toBeInstanceOf(FileTooLargeError);
    await expect(store.put(randomBytes(2000), { maxBytes: 1000 })).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await tmpLeft()).toEqual([]);
  });

  // Asynchronous writes (main thread) and synchronous ones (the flow reader's worker thread) keep the same contract.
  describe.each([
    ['asynchronous', {}],
    ['synchronous', { syncWrites: true }],
  ])('batch, %s writes', (_mode, options) => {
    beforeEach(() => {
      store = new LocalFileStore(root, options);
    });

    it('nothing is under its final name before commit; everything is after, temp files gone', async () => {
      const batch = store.batch();
      const items = Array.from({ length: 50 }, () => randomBytes(3000));
      const stored = await Promise.all(items.map((b) => batch.put(b)));
      stored.push(await batch.put(Readable.from([randomBytes(10_000)])));
      for (const s of stored) expect(await store.exists(s.key)).toBe(false);
      await batch.commit();
      for (const [i, s] of stored.entries()) {
        expect(await store.exists(s.key)).toBe(true);
        if (i < items.length) expect(await readAll(await store.openRead(s.key))).toEqual(items[i]);
      }
      expect(await tmpLeft()).toEqual([]);
    });

    it('keeps a small compressed object (a raw flow) as a gzip member of the pack, read back as its plain bytes', async () => {
      const batch = store.batch();
      const flow = Buffer.from('<CPPFacturePivot>' + 'x'.repeat(20_000) + '</CPPFacturePivot>');
      const pj = randomBytes(3000);
      const [raw, attachment, same] = await Promise.all([batch.put(flow, { compress: true }), batch.put(pj), batch.put(flow)]);
      expect(raw).toMatchObject({ sha256: sha(flow), size: flow.length });
      expect(raw.key).toMatch(/^pack:[0-9a-f]{32}:\d+:\d+:gz$/);
      expect(raw.key.length).toBeLessThanOrEqual(100); // the storage_key columns
      // One pack for both; the same bytes put plain are a separate object (not read back gunzipped by mistake).
      expect(raw.key.split(':')[1]).toBe(attachment.key.split(':')[1]);
      expect(same.key).not.toBe(raw.key);
      await batch.commit();
      expect(await readAll(await store.openRead(raw.key))).toEqual(flow);
      expect(await readAll(await store.openRead(same.key))).toEqual(flow);
      expect(await readAll(await store.openRead(attachment.key))).toEqual(pj);
      // Stored compressed: the member is smaller than the flow.
      expect(Number(raw.key.split(':')[3])).toBeLessThan(flow.length / 10);
    });

    it('stores a raw flow given already gzipped (a ZIP entry\'s deflate data) as is, without compressing it again', async () => {
      const batch = store.batch();
      const flow = Buffer.from('<CPPFacturePivot>' + 'y'.repeat(20_000) + '</CPPFacturePivot>');
      const gzipped = gzipSync(flow, { level: 9 });
      const raw = await batch.put(flow, { compress: true, gzipped });
      await batch.commit();
      expect(raw).toMatchObject({ sha256: sha(flow), size: flow.length });
      expect(Number(raw.key.split(':')[3])).toBe(gzipped.length); // the member is the bytes given
      expect(await readAll(await store.openRead(raw.key))).toEqual(flow);
    });

    it('writes identical content once, and accepts objects that already exist', async () => {
      const data = randomBytes(4000);
      await store.put(data);
      const batch = store.batch();
      const a = await batch.put(data);
      const b = await batch.put(Buffer.from(data));
      expect(a.key).toBe(b.key);
      await batch.commit();
      expect(await readAll(await store.openRead(a.key))).toEqual(data);
      expect(await tmpLeft()).toEqual([]);
    });

    it('discard drops every pending object and temp file', async () => {
      const batch = store.batch();
      const s = await batch.put(randomBytes(3000));
      await batch.put(Readable.from([randomBytes(3000)]));
      await batch.discard();
      expect(await store.exists(s.key)).toBe(false);
      expect(await tmpLeft()).toEqual([]);
    });

    it('refuses a Buffer over maxBytes without writing it', async () => {
      const batch = store.batch();
      await expect(batch.put(randomBytes(2000), { maxBytes: 1000 })).rejects.toBeInstanceOf(FileTooLargeError);
      await batch.commit();
      expect(await tmpLeft()).toEqual([]);
    });

    it('keeps far more loose objects than it holds open files (beyond the cap, closed and reopened for their fsync)', async () => {
      const batch = store.batch();
      // Compressed objects are never packed: 600 temp files.
      const stored = await Promise.all(Array.from({ length: 600 }, () => batch.put(randomBytes(100), { compress: true })));
      await batch.commit();
      for (const s of stored) expect(await store.exists(s.key)).toBe(true);
      expect(await tmpLeft()).toEqual([]);
    });

    it('packs small objects: one file for the batch, each object read back by its key, nothing readable before commit', async () => {
      const batch = store.batch();
      const items = [Buffer.alloc(0), ...Array.from({ length: 300 }, (_, i) => randomBytes(1 + i * 37))];
      const stored = await Promise.all(items.map((b) => batch.put(b)));
      const big = randomBytes(1024 * 1024 + 1); // over the pack threshold: a loose object keyed by its SHA-256
      const loose = await batch.put(big);
      expect(loose.key).toBe(sha(big));
      for (const [i, s] of stored.entries()) {
        expect(s).toEqual({ key: expect.stringMatching(/^pack:[0-9a-f]{32}:\d+:\d+$/), sha256: sha(items[i]), size: items[i].length });
        expect(s.key.length).toBeLessThanOrEqual(100); // the storage_key column
        expect(await store.exists(s.key)).toBe(false);
      }
      await batch.commit();
      const packs = await fs.readdir(join(root, 'packs'), { recursive: true });
      expect(packs.filter((p) => String(p).endsWith('.pack'))).toHaveLength(1);
      for (const [i, s] of stored.entries()) {
        expect(await store.exists(s.key)).toBe(true);
        expect(await readAll(await store.openRead(s.key))).toEqual(items[i]);
      }
      expect(await readAll(await store.openRead(loose.key))).toEqual(big);
      expect(await tmpLeft()).toEqual([]);
    });

    it('a pack key past the end of its pack is not found', async () => {
      const batch = store.batch();
      const s = await batch.put(randomBytes(10));
      await batch.commit();
      const beyond = s.key.replace(/:(\d+)$/, ':11');
      expect(await store.exists(beyond)).toBe(false);
      await expect(store.openRead(beyond)).rejects.toThrow(/introuvable/);
    });

    it.each([
      ['a pack', (b: Buffer) => b, () => 'packs'],
      ['a loose object', (b: Buffer) => Buffer.concat([b, randomBytes(1024 * 1024)]), (key: string) => key.slice(0, 2)],
    ])('a commit failing on the disk rejects and cleans its temp files (%s)', async (_kind, content, blocked) => {
      const batch = store.batch();
      const s = await batch.put(content(randomBytes(3000)));
      // A file where the directory should be: mkdir fails (ENOTDIR/EEXIST), as a broken disk would.
      await fs.writeFile(join(root, blocked(s.key)), 'not a directory');
      await expect(batch.commit()).rejects.toThrow();
      expect(await tmpLeft()).toEqual([]);
    });

    it('recreates a cached directory removed behind its back', async () => {
      const data = randomBytes(1024 * 1024 + 100); // loose: over the pack threshold
      const first = await store.put(data);
      await fs.rm(join(root, first.key.slice(0, 2)), { recursive: true });
      const batch = store.batch();
      await batch.put(data);
      await batch.commit();
      expect(await readAll(await store.openRead(first.key))).toEqual(data);
    });
  });

  it('forEachLimit runs everything, never more than the limit at once, and reports the first error', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      seen.push(n);
      running--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
    await expect(forEachLimit([1, 2], 2, async (n) => { if (n === 2) throw new Error('boom'); })).rejects.toThrow('boom');
  });
});
