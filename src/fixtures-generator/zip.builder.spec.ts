import * as yauzl from 'yauzl';
import { assembleZip, assembleZipBase64, base64ZipRecord, compressZipEntry } from '@/fixtures-generator/zip.builder';

function readZip(bytes: Buffer): Promise<Array<{ name: string; data: Buffer }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err) return reject(err);
      const out: Array<{ name: string; data: Buffer }> = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}

describe('base64 ZIP records set end to end (the simulator’s telecharger/groupe answers)', () => {
  // Names of 1 to 3 characters: the three possible lengths modulo 3 of a bare record.
  const inputs = ['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((name, i) => ({ name: `${name}.xml`, data: Buffer.from(`<f n="${i}">${'x'.repeat(i * 7)}</f>`) }));

  it('pads each record to a multiple of 3 bytes, so that their base64 concatenated is the base64 of one valid ZIP', async () => {
    const records = inputs.map((input) => base64ZipRecord(compressZipEntry(input)));
    expect(records.every((r) => r.length % 3 === 0 && !r.base64.includes('='))).toBe(true);
    // Any order, any subset: the central directory is the only part made per answer.
    for (const order of [[0, 1, 2, 3, 4], [4, 2, 0], [3]]) {
      const zip = Buffer.from(assembleZipBase64(order.map((k) => records[k])).toString('ascii'), 'base64');
      expect(await readZip(zip)).toEqual(order.map((k) => inputs[k]));
    }
  });

  it('holds the same entries as assembleZip, which adds no padding', async () => {
    const plain = assembleZip(inputs.map((input) => compressZipEntry(input)));
    expect(await readZip(plain)).toEqual(inputs);
  });
});
