import { gunzipSync } from 'node:zlib';
import { CrcMismatchError, gzipMemberOf, inflateEntryAt, ZipDataError } from '@/common/zip/zip-entry';
import { compressZipEntry } from '@/fixtures-generator/zip.builder';

const header = (e: ReturnType<typeof compressZipEntry>) => ({ compressionMethod: e.method, crc32: e.crc, uncompressedSize: e.size });

describe('ZIP entries inflated in one call', () => {
  const data = Buffer.from('<CPPFacturePivot/>'.repeat(300));

  it('makes a deflated entry into a gzip member of its own bytes, which reads back as the content', () => {
    const entry = compressZipEntry({ name: 'f.xml', data });
    const inflated = inflateEntryAt(header(entry), entry.payload);
    expect(inflated.data).toEqual(data);
    const member = gzipMemberOf(header(entry), entry.payload, inflated)!;
    expect(member.length).toBe(entry.payload.length + 18); // header and trailer only: nothing compressed again
    expect(gunzipSync(member)).toEqual(data);
  });

  it('makes no gzip member of a stored entry, nor of one whose deflate stream ends before the entry does', () => {
    const stored = compressZipEntry({ name: 's.xml', data, method: 'store' });
    expect(gzipMemberOf(header(stored), stored.payload, inflateEntryAt(header(stored), stored.payload))).toBeUndefined();
    // Bytes after the deflate stream would be read as the gzip trailer: the content is fine, the member would not be.
    const padded = compressZipEntry({ name: 'p.xml', data });
    const bytes = Buffer.concat([padded.payload, Buffer.from('PADDING')]);
    const inflated = inflateEntryAt(header(padded), bytes);
    expect(inflated.data).toEqual(data);
    expect(gzipMemberOf(header(padded), bytes, inflated)).toBeUndefined();
  });

  it('refuses an entry whose CRC-32 or size does not match its header, and never inflates past the size declared', () => {
    const entry = compressZipEntry({ name: 'x.xml', data });
    expect(() => inflateEntryAt({ ...header(entry), crc32: (entry.crc + 1) >>> 0 }, entry.payload)).toThrow(CrcMismatchError);
    expect(() => inflateEntryAt({ ...header(entry), uncompressedSize: 10 }, entry.payload)).toThrow(ZipDataError);
    expect(() => inflateEntryAt({ ...header(entry), uncompressedSize: data.length + 5 }, entry.payload)).toThrow(/not enough bytes/);
    expect(() => inflateEntryAt(header(entry), entry.payload.subarray(0, 20))).toThrow(ZipDataError);
  });
});
