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
