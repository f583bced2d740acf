import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { assembleZip, buildZip, compressZipEntry } from '@/fixtures-generator/zip.builder';
import { expandFlowInputs, expandZipInMemory } from '@/ingestion/flow-sources';
import { LocalFileStore } from '@/storage/local-file.store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('expandFlowInputs: ZIP entries in memory or in temp files', () => {
  let root: string;
  let store: LocalFileStore;
  let zipPath: string;
  const entries = [
    { name: 'a.xml', data: Buffer.from('<a/>'.repeat(100)) },
    { name: 'b.xml', data: Buffer.from('<b/>'.repeat(100)) },
    { name: 'c.xml', data: Buffer.from('<c/>'.repeat(100)) },
  ];

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'flow-sources-'));
    store = new LocalFileStore(join(root, 'store'));
    zipPath = join(root, 'groupe.zip');
    await fs.writeFile(zipPath, buildZip(entries));
  });
  afterEach(async () => fs.rm(root, { recursive: true, force: true }));

  it('keeps small entries in memory within the budget given, the others as temp files; each with its SHA-256 and size', async () => {
    const { inputs, problems } = await expandFlowInputs([zipPath], store, 10_000_000, 2 * 400);
    expect(problems).toEqual([]);
    expect(inputs.map((i) => [i.fileName, Boolean(i.content), i.temporary])).toEqual([
      ['groupe.zip!a.xml', true, false],
      ['groupe.zip!b.xml', true, false],
      ['groupe.zip!c.xml', false, true],
    ]);
    for (const [k, input] of inputs.entries()) {
      expect([input.sha256, input.size]).toEqual([sha(entries[k].data), entries[k].data.length]);
      const bytes = input.content ?? (await fs.readFile(input.path));
      expect(bytes).toEqual(entries[k].data);
    }
  });

  it('without a budget (imports from the CLI, the inbox), every entry goes to a temp file as before', async () => {
    const { inputs } = await expandFlowInputs([zipPath], store, 10_000_000);
    expect(inputs.every((i) => i.temporary && !i.content)).toBe(true);
  });

  it('an entry larger than the flow limit is refused in memory too, and leaves no temp file', async () => {
    const { inputs, problems } = await expandFlowInputs([zipPath], store, 100, 1_000_000);
    expect(inputs).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ code: 'ZIP_UNREADABLE' })]);
    expect(await fs.readdir(join(root, 'store', 'tmp')).catch(() => [])).toEqual([]);
  });

  it('reads a downloaded ZIP held in memory the same way, and refuses a broken one in French without throwing', async () => {
    const { inputs, problems } = await expandZipInMemory({ name: 'cpp-groupe.zip', bytes: buildZip(entries) }, store, 10_000_000, 1_000_000);
    expect(problems).toEqual([]);
    expect(inputs.map((i) => [i.fileName, i.sha256])).toEqual(entries.map((e) => [`cpp-groupe.zip!${e.name}`, sha(e.data)]));
    expect(inputs.every((i) => i.content && !i.temporary)).toBe(true);
    const broken = await expandZipInMemory({ name: 'cpp-casse.zip', bytes: buildZip(entries).subarray(0, 100) }, store, 10_000_000, 1_000_000);
    expect(broken.inputs).toEqual([]);
    expect(broken.problems).toEqual([expect.objectContaining({ fileName: 'cpp-casse.zip', code: 'ZIP_UNREADABLE', message: expect.stringMatching(/^Archive ZIP illisible/) })]);
  });

  it('keeps a deflated entry of a ZIP in memory as a ready gzip member (no second compression), never a wrong one', async () => {
    const deflated = compressZipEntry({ name: 'd.xml', data: Buffer.from('<d/>'.repeat(500)) });
    const stored = compressZipEntry({ name: 's.xml', data: Buffer.from('<s/>'.repeat(500)), method: 'store' });
    // Bytes after the end of the deflate stream, counted in the entry: the content reads, but they would be taken for
    // the gzip trailer, so the raw copy is compressed by the store instead.
    const padded = compressZipEntry({ name: 'p.xml', data: Buffer.from('<p/>'.repeat(500)) });
    padded.payload = Buffer.concat([padded.payload, Buffer.from('PADDING')]);
    const { inputs, problems } = await expandZipInMemory({ name: 'g.zip', bytes: assembleZip([deflated, stored, padded]) }, store, 10_000_000, 1_000_000);
    expect(problems).toEqual([]);
    const [d, st, p] = inputs;
    expect(d.content).toEqual(Buffer.from('<d/>'.repeat(500)));
    expect(gunzipSync(d.gzipped!)).toEqual(d.content);
    expect(st.content).toEqual(Buffer.from('<s/>'.repeat(500)));
    expect(st.gzipped).toBeUndefined();
    expect(p.content).toEqual(Buffer.from('<p/>'.repeat(500)));
    expect(p.gzipped).toBeUndefined();
  });

  it('refuses an entry of a ZIP in memory whose CRC-32 or size does not match its header', async () => {
    const bad = compressZipEntry({ name: 'x.xml', data: Buffer.from('<x/>'.repeat(500)) });
    bad.crc = (bad.crc + 1) >>> 0;
    const lying = compressZipEntry({ name: 'y.xml', data: Buffer.from('<y/>'.repeat(500)) });
    lying.size = 10;
    for (const entry of [bad, lying]) {
      const { inputs, problems } = await expandZipInMemory({ name: 'g.zip', bytes: assembleZip([entry]) }, store, 10_000_000, 1_000_000);
      expect(inputs).toEqual([]);
      expect(problems).toEqual([expect.objectContaining({ code: 'ZIP_UNREADABLE' })]);
    }
  });

  it('refuses a streamed entry (a file on disk: temp file or memory) whose CRC-32 does not match, in French, and leaves no temp file', async () => {
    const good = compressZipEntry({ name: 'ok.xml', data: Buffer.from('<ok/>'.repeat(100)) });
    const bad = compressZipEntry({ name: 'x.xml', data: Buffer.from('<x/>'.repeat(500)) });
    bad.crc = (bad.crc + 1) >>> 0;
    await fs.writeFile(zipPath, assembleZip([good, bad]));
    for (const memoryBytes of [undefined, 1_000_000]) {
      const { inputs, problems } = await expandFlowInputs([zipPath], store, 10_000_000, memoryBytes);
      expect(inputs).toEqual([]);
      expect(problems).toEqual([
        expect.objectContaining({ code: 'ZIP_UNREADABLE', message: 'Archive ZIP illisible (groupe.zip) : somme de contrôle CRC-32 incorrecte pour « x.xml » : archive ZIP corrompue' }),
      ]);
      expect(await fs.readdir(join(root, 'store', 'tmp')).catch(() => [])).toEqual([]);
    }
  });
});
