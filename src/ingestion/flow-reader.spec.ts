import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FlowReader } from '@/ingestion/flow-reader';
import { LocalFileStore } from '@/storage/local-file.store';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const LIMITS = { maxFlowBytes: 150 * 1024 * 1024, maxAttachmentBytes: 200 * 1024 * 1024 };

describe('FlowReader', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'flow-reader-'));
    store = new LocalFileStore(join(root, 'store'));
  });
  afterEach(async () => fs.rm(root, { recursive: true, force: true }));

  const input = (path: string) => ({ fileName: path.split('/').pop()!, path, temporary: false });

  it('reads a flow, keeps its raw copy and makes its attachments durable under their keys', async () => {
    const reading = await new FlowReader(store, LIMITS).read(input(join(FIXTURES, 'pivot', 'flux-001.xml')));
    expect(reading.raw.ok).toBe(true);
    expect(reading.read.flowError).toBeUndefined();
    expect(reading.read.invoices.length).toBeGreaterThan(0);
    await reading.filesReady;
    const keys = reading.read.invoices.flatMap((i) => i.attachments.map((a) => a.content?.storageKey)).filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await store.exists(key!)).toBe(true);
    if (reading.raw.ok) expect(await store.exists(reading.raw.stored.key)).toBe(true);
  });

  it('a flow file that cannot be read is a rejected flow (FLOW_UNREADABLE), not a failure of the import', async () => {
    const reading = await new FlowReader(store, LIMITS).read(input(join(root, 'absent.xml')));
    expect(reading.raw).toMatchObject({ ok: false, code: 'FLOW_UNREADABLE' });
    expect(reading.read.invoices).toEqual([]);
  });

  // Disk full, permissions: the flow is not at fault. Calling it unreadable would reject it for good (its SHA-256 would
  // then be « already imported »); failing the import leaves the file where it is, imported once the disk is fixed.
  it('a failure of its own storage rejects the read instead of calling the flow unreadable', async () => {
    await fs.mkdir(join(root, 'store'), { recursive: true });
    await fs.writeFile(join(root, 'store', 'tmp'), 'a file where the temp directory should be');
    await expect(new FlowReader(store, LIMITS).read(input(join(FIXTURES, 'pivot', 'flux-001.xml')))).rejects.toMatchObject({
      code: expect.stringMatching(/^E[A-Z]+$/),
    });
  });
});

describe('FlowReader: flows held in memory (the pull) share one file batch', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'flow-reader-group-'));
    store = new LocalFileStore(join(root, 'store'));
  });
  afterEach(async () => fs.rm(root, { recursive: true, force: true }));

  const inMemory = async (path: string) => ({ fileName: `group.zip!${path.split('/').pop()}`, path: `group.zip!${path}`, temporary: false, content: await fs.readFile(path) });
  const packOf = (key: string) => key.split(':')[1];
  const readBack = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await store.openRead(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('their raw copies and attachments go in one pack, durable once the group is committed', async () => {
    const reader = new FlowReader(store, LIMITS);
    const inputs = await Promise.all(['flux-001.xml', 'flux-002.xml', 'flux-003.xml'].map((f) => inMemory(join(FIXTURES, 'pivot', f))));
    const readings = await Promise.all(inputs.map((i) => reader.read(i)));
    await Promise.all(readings.map((r) => r.filesReady));
    const packs = new Set<string>();
    for (const [k, reading] of readings.entries()) {
      expect(reading.raw.ok).toBe(true);
      if (!reading.raw.ok) continue;
      expect(reading.raw.stored.key).toMatch(/^pack:.*:gz$/);
      expect(await readBack(reading.raw.stored.key)).toEqual(inputs[k].content);
      packs.add(packOf(reading.raw.stored.key));
      for (const a of reading.read.invoices.flatMap((i) => i.attachments)) if (a.content) packs.add(packOf(a.content.storageKey));
    }
    expect(packs.size).toBe(1);
  });

  it('waits for the reads announced (the reader thread) before committing, then commits them together', async () => {
    const reader = new FlowReader(store, LIMITS);
    const [a, b] = await Promise.all(['flux-001.xml', 'flux-002.xml'].map((f) => inMemory(join(FIXTURES, 'pivot', f))));
    reader.announce();
    reader.announce();
    const first = await reader.read(a, true);
    let ready = false;
    void first.filesReady.then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(ready).toBe(false); // a read is still announced: the group stays open for it
    const second = await reader.read(b, true);
    await Promise.all([first.filesReady, second.filesReady]);
    if (first.raw.ok && second.raw.ok) expect(packOf(first.raw.stored.key)).toBe(packOf(second.raw.stored.key));
  });

  it('a rejected flow in a group keeps its raw copy on its own; its neighbours are stored as usual', async () => {
    const reader = new FlowReader(store, LIMITS);
    const good = await inMemory(join(FIXTURES, 'pivot', 'flux-001.xml'));
    const bad = await inMemory(join(FIXTURES, 'pivot-bad', 'malformed-xml.xml'));
    const [r1, r2] = await Promise.all([reader.read(good), reader.read(bad)]);
    await Promise.all([r1.filesReady, r2.filesReady]);
    expect(r2.read.flowError).toBeDefined();
    expect(r2.raw.ok).toBe(true);
    if (r2.raw.ok) {
      expect(r2.raw.stored.key).toBe(r2.raw.stored.sha256); // a loose file, not a pack member
      expect(await readBack(r2.raw.stored.key)).toEqual(bad.content);
    }
    if (r1.raw.ok) expect(await store.exists(r1.raw.stored.key)).toBe(true);
  });
});
