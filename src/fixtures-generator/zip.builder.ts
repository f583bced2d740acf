import { constants, crc32, deflateRawSync } from 'node:zlib';

// Minimal synchronous ZIP writer. Hand-built rather than yazl because (1) bad-case fixtures need entry names
// such as "../evil.pdf" that yazl refuses, and (2) the benchmark writes ~20,000 archives: a sync call per
// attachment keeps the XML writer simple and fast. Output is deterministic (fixed DOS timestamp).

export interface ZipEntryInput {
  name: string;
  data: Buffer;
  /** Defaults to 'deflate' (what Chorus Pro sends). */
  method?: 'deflate' | 'store';
}

// 2024-01-01 00:00:00 in MS-DOS format: a fixed date so the same input always gives the same bytes.
const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;
const UTF8_FLAG = 0x0800;

export interface ZipOptions {
  level?: number;
  /** 'huffman-only' is a valid deflate stream ~3× faster to make, for data that barely compresses anyway. */
  strategy?: 'default' | 'huffman-only';
}

export function buildZip(entries: ZipEntryInput[], options: ZipOptions = {}): Buffer {
  return assembleZip(entries.map((entry) => compressZipEntry(entry, options)));
}

/** An entry compressed once, to be placed in any number of archives (the simulator's cached invoices). */
export interface CompressedZipEntry {
  name: Buffer;
  method: 0 | 8;
  crc: number;
  size: number;
  payload: Buffer;
}

export function compressZipEntry(entry: ZipEntryInput, options: ZipOptions = {}): CompressedZipEntry {
  const deflateOptions = {
    level: options.level ?? 6,
    strategy: options.strategy === 'huffman-only' ? constants.Z_HUFFMAN_ONLY : constants.Z_DEFAULT_STRATEGY,
  };
  const method = entry.method === 'store' ? 0 : 8;
  return {
    name: Buffer.from(entry.name, 'utf8'),
    method,
    crc: crc32(entry.data),
    size: entry.data.length,
    payload: method === 8 ? deflateRawSync(entry.data, deflateOptions) : entry.data,
  };
}

/** The archive of already compressed entries: headers and central directory only, no compression work. */
export function assembleZip(entries: CompressedZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const local = localHeader(entry, 0);
    parts.push(local, entry.name, entry.payload);
    central.push(centralHeader(entry, offset), entry.name);
    offset += local.length + entry.name.length + entry.payload.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = endOfCentralDirectory(entries.length, centralSize, offset);
  return Buffer.concat([...parts, ...central, end]);
}

/** APPNOTE 4.6 third-party mappings, 0xa220 « Microsoft Open Packaging Growth Hint »: padding, skipped by readers. */
const PADDING_EXTRA_ID = 0xa220;

/**
 * One entry's local record (header, name, data) whose length is a multiple of 3, so that its base64 can be computed
 * once and set end to end with other records' (base64 of concatenated bytes = concatenated base64 when every part but
 * the last is a multiple of 3 bytes long). The padding is an extra field of the local header (4 to 6 bytes).
 */
export interface Base64ZipRecord {
  entry: CompressedZipEntry;
  /** Bytes of the local record, padding included. */
  length: number;
  /** Its base64, as ASCII bytes. */
  base64: Buffer;
}

export function base64ZipRecord(entry: CompressedZipEntry): Base64ZipRecord {
  const bare = 30 + entry.name.length + entry.payload.length;
  const extra = bare % 3 === 0 ? 0 : 4 + ((3 - ((bare + 4) % 3)) % 3);
  const local = localHeader(entry, extra);
  const record = Buffer.concat([local, entry.name, padding(extra), entry.payload]);
  return { entry, length: record.length, base64: Buffer.from(record.toString('base64'), 'ascii') };
}

/**
 * The base64 (ASCII bytes) of the ZIP of these records, in this order: their ready base64 end to end, then the
 * central directory's, the only part computed here. Same archive as assembleZip but for the padding fields.
 */
export function assembleZipBase64(records: Base64ZipRecord[]): Buffer {
  const central: Buffer[] = [];
  let offset = 0;
  for (const { entry, length } of records) {
    central.push(centralHeader(entry, offset), entry.name);
    offset += length;
  }
  const directory = Buffer.concat([...central, endOfCentralDirectory(records.length, central.reduce((n, b) => n + b.length, 0), offset)]);
  return Buffer.concat([...records.map((r) => r.base64), Buffer.from(directory.toString('base64'), 'ascii')]);
}

function padding(extra: number): Buffer {
  if (extra === 0) return Buffer.alloc(0);
  const field = Buffer.alloc(extra);
  field.writeUInt16LE(PADDING_EXTRA_ID, 0);
  field.writeUInt16LE(extra - 4, 2);
  return field;
}

function localHeader(entry: CompressedZipEntry, extra: number): Buffer {
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0
  local.writeUInt16LE(UTF8_FLAG, 6);
  writeEntryFields(local, 8, entry);
  local.writeUInt16LE(extra, 28);
  return local;
}

function centralHeader(entry: CompressedZipEntry, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(UTF8_FLAG, 8);
  writeEntryFields(header, 10, entry);
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attrs: regular file rw-r--r--
  header.writeUInt32LE(offset, 42);
  return header;
}

/** Method, time, date, CRC-32, sizes and name length: the same run of fields in both headers (APPNOTE 4.3.7, 4.3.12). */
function writeEntryFields(header: Buffer, at: number, { name, method, crc, size, payload }: CompressedZipEntry): void {
  header.writeUInt16LE(method, at);
  header.writeUInt16LE(DOS_TIME, at + 2);
  header.writeUInt16LE(DOS_DATE, at + 4);
  header.writeUInt32LE(crc, at + 6);
  header.writeUInt32LE(payload.length, at + 10);
  header.writeUInt32LE(size, at + 14);
  header.writeUInt16LE(name.length, at + 18);
}

function endOfCentralDirectory(count: number, centralSize: number, centralOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return end;
}
