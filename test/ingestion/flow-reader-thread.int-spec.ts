import { existsSync, promises as fs, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FlowReader } from '@/ingestion/flow-reader';
import { FlowReaderThread } from '@/ingestion/flow-reader.thread';
import { LocalFileStore } from '@/storage/local-file.store';

/**
 * The reader thread as the service and the CLI run it: the compiled worker script from dist/ (built by `npm ci`).
 * Under ts-jest the service reads in-process (no compiled script next to the sources), so this is where the thread
 * path itself is checked, besides the CLI tests that import through it.
 */
const WORKER = resolve(__dirname, '..', '..', 'dist', 'ingestion', 'flow-reader.worker.js');
const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const LIMITS = { maxFlowBytes: 150 * 1024 * 1024, maxAttachmentBytes: 200 * 1024 * 1024 };

const input = (path: string) => ({ fileName: path.split('/').pop()!, path, temporary: false });
// Pack names are random, and where each object lies in its pack depends on the order the writes finished in (the
// thread writes synchronously, the main thread through the thread pool): compared without name nor offset.
const samePacks = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/pack:[0-9a-f]{32}:\d+:/g, 'pack:…:…:'));

describe('reader thread (compiled worker)', () => {
  let root: string;
  let thread: FlowReaderThread;

  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} est absent : lancer « npm run build » (npm ci le fait).`);
  });
  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'reader-thread-'));
    thread = new FlowReaderThread(WORKER, { storeRoot: join(root, 'thread'), limits: LIMITS });
  });
  afterEach(async () => {
    await thread.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reads every fixture flow, good and bad, exactly as the in-process reader does', async () => {
    const local = new FlowReader(new LocalFileStore(join(root, 'local')), LIMITS);
    const threadStore = new LocalFileStore(join(root, 'thread'));
    const files = ['pivot', 'pivot-bad'].flatMap((dir) => readdirSync(join(FIXTURES, dir)).sort().map((f) => join(FIXTURES, dir, f)));
    expect(files.length).toBeGreaterThan(20);
    // Several reads asked at once, as the import reads ahead: answered in order, each complete.
    const threaded = await Promise.all(files.map((f) => thread.read(input(f))));
    for (const [i, file] of files.entries()) {
      const inProcess = await local.read(input(file));
      await inProcess.filesReady;
      await threaded[i].filesReady;
      // Same result but for the pack names, random (an attachment's key says which pack holds it, and where).
      expect(samePacks({ file, raw: threaded[i].raw, read: threaded[i].read })).toEqual(samePacks({ file, raw: inProcess.raw, read: inProcess.read }));
      for (const invoice of threaded[i].read.invoices) {
        for (const a of invoice.attachments) if (a.content) expect(await threadStore.exists(a.content.storageKey)).toBe(true);
      }
    }
    expect(await fs.readdir(join(root, 'thread', 'tmp')).catch(() => [])).toEqual([]);
  });

  it('a storage failure in the thread fails the read with the system error (the flow is not at fault)', async () => {
    await fs.mkdir(join(root, 'thread'), { recursive: true });
    await fs.writeFile(join(root, 'thread', 'tmp'), 'a file where the temp directory should be');
    await expect(thread.read(input(join(FIXTURES, 'pivot', 'flux-001.xml')))).rejects.toMatchObject({
      code: expect.stringMatching(/^E[A-Z]+$/),
    });
  });

  it('a crashed thread fails the reads in hand with a French message; the next read starts a new thread', async () => {
    // First start: dies on its first message. Next start: the real worker.
    const script = join(root, 'crash-once.worker.js');
    const marker = join(root, 'crashed');
    await fs.writeFile(
      script,
      `const { existsSync, writeFileSync } = require('node:fs');
       const { parentPort } = require('node:worker_threads');
       if (existsSync(${JSON.stringify(marker)})) require(${JSON.stringify(WORKER)});
       else { writeFileSync(${JSON.stringify(marker)}, ''); parentPort.once('message', () => process.exit(3)); }`,
    );
    const flaky = new FlowReaderThread(script, { storeRoot: join(root, 'thread'), limits: LIMITS });
    try {
      await expect(flaky.read(input(join(FIXTURES, 'pivot', 'flux-001.xml')))).rejects.toThrow(/fil de lecture des flux s’est arrêté/);
      const again = await flaky.read(input(join(FIXTURES, 'pivot', 'flux-001.xml')));
      expect(again.raw.ok).toBe(true);
      expect(again.read.invoices.length).toBeGreaterThan(0);
      await again.filesReady;
    } finally {
      await flaky.close();
    }
  });

  it('discarding a read flow leaves no temp file behind', async () => {
    const reading = await thread.read(input(join(FIXTURES, 'pivot', 'flux-002.xml')));
    await reading.discardFiles();
    await reading.filesReady;
    expect(await fs.readdir(join(root, 'thread', 'tmp')).catch(() => [])).toEqual([]);
  });
});
