import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { FlowInput } from '@/ingestion/flow-sources';
import { PivotReader } from '@/pivot/pivot.reader';
import { PivotEnvelope, PivotFlowError, PivotInvoice } from '@/pivot/pivot.types';
import { FileBatch, FileStore, FileTooLargeError, ObjectWriter, StoredObject } from '@/storage/file-store.port';
import { formatBytes } from '@/common/money/french-format';
import { unstorableField } from '@/ingestion/invoice-field.limits';

/**
 * 1 MB reads instead of 64 KB: each read waits in libuv's thread-pool queue behind the attachments' writes and
 * fsyncs, so fewer, larger reads keep the parser fed. Memory stays bounded (two such chunks per flow in flight).
 */
const READ_OPTIONS = { highWaterMark: 1024 * 1024 };
/** Flows up to this size are read whole into memory once (see read). */
const SMALL_FLOW_BYTES = 1024 * 1024;
/**
 * In-memory flows sharing one file batch, at most (see FlowReader.read): the main thread stores 100 flows per
 * transaction from two reader threads, 50 from each, and waits for their files: a group that size is committed as
 * the previous transaction is stored.
 */
const GROUP_MAX_FLOWS = 50;

export interface FlowReadLimits {
  maxFlowBytes: number;
  maxAttachmentBytes: number;
}

export interface ReadError {
  numOrdre?: number;
  number?: string;
  code: string;
  message: string;
}

/**
 * What was read of one flow. Plain data only (no class instances): it crosses from the reader thread to the main
 * thread by structured clone.
 */
export interface ReadResult {
  envelope?: PivotEnvelope;
  invoices: PivotInvoice[];
  invoiceErrors: ReadError[];
  flowError?: { code: PivotFlowError['code']; message: string };
}

/** The raw copy of the flow: stored, or refused (too large, unreadable file). */
export type RawCopy = { ok: true; stored: StoredObject } | { ok: false; code: 'FLOW_TOO_LARGE' | 'FLOW_UNREADABLE'; message: string };

/** A flow read and its files written, nothing in the database yet. */
export interface FlowReading {
  raw: RawCopy;
  read: ReadResult;
  /** Resolves once the flow's attachments are durable under their keys (rejects on a storage failure). */
  filesReady: Promise<void>;
  /** Drops the attachments not yet made durable (the flow will not be stored). */
  discardFiles: () => Promise<void>;
}

/**
 * Reads one flow file with no database access: raw copy (gzip, SHA-256) and streaming read, attachments written to
 * a file batch. Runs in the main thread or in the reader thread (see FlowReaderService) — same code, same result.
 *
 * The attachments are made durable together (fsync of the files in parallel, renames, fsync of their directories) as
 * soon as the flow is known to be readable; the caller waits for `filesReady` BEFORE its first invoice transaction,
 * so a committed invoice never points at a file a crash could lose. A flow that is rejected leaves no attachment.
 *
 * A storage failure (disk full, permissions) is not the flow's fault: it rejects the read instead of marking the
 * flow unreadable, so that importing the file again once the disk is fixed stores it.
 */
export class FlowReader {
  private readonly reader = new PivotReader();
  /** The group of in-memory flows being filled (see read), and how many reads are announced or running. */
  private group: FlowGroup | undefined;
  private pending = 0;

  constructor(
    private readonly store: FileStore,
    private readonly limits: FlowReadLimits,
  ) {}

  /**
   * A read is on its way (the reader thread, when a read is queued behind the one running): the open group of flows
   * stays open for it instead of being committed at the end of the current read.
   */
  announce(): void {
    this.pending++;
  }

  /**
   * `announced`: the caller called announce() for this read.
   *
   * The pull's one-invoice flows (in memory) share one file batch, up to GROUP_MAX_FLOWS of them or until no read is
   * waiting: their PJs and raw copies go in one pack, made durable by ONE commit (one file created, fsynced and renamed,
   * directories fsynced once) instead of two files per flow. Each flow's `filesReady` is that commit, made once the
   * group is closed and its last read ended. A flow rejected in a group leaves its bytes in the pack (unreferenced, a
   * few KB) and keeps its raw copy as a file of its own.
   */
  async read(input: FlowInput, announced = false): Promise<FlowReading> {
    if (!announced) this.pending++;
    let group: FlowGroup | undefined;
    try {
      if (input.content) {
        group = this.group ??= new FlowGroup(this.store.batch());
        group.members++;
        group.running++;
        if (group.members >= GROUP_MAX_FLOWS) this.group = undefined; // full: the next flows start another
        return await this.readInto(input, group.batch, group);
      }
      // A flow on disk may be large (thousands of PJs): its own batch, committed as soon as it is read.
      this.closeGroup();
      return await this.readInto(input, this.store.batch(), null);
    } finally {
      this.pending--;
      if (group) group.running--;
      if (this.pending === 0) this.closeGroup();
      if (group && group !== this.group && group.running === 0) group.commit();
    }
  }

  /** No more flows join the open group; it is committed now, or by its last read still running. */
  private closeGroup(): void {
    const group = this.group;
    this.group = undefined;
    if (group && group.running === 0) group.commit();
  }

  private async readInto(input: FlowInput, files: FileBatch, group: FlowGroup | null): Promise<FlowReading> {
    const rawOptions = { compress: true, maxBytes: this.limits.maxFlowBytes, gzipped: asBuffer(input.gzipped) };
    const settle = (p: Promise<StoredObject>): Promise<RawCopy> =>
      p.then(
        (stored) => ({ ok: true as const, stored }),
        (error: unknown) => rawFailure(error, input.path, this.limits.maxFlowBytes),
      );
    // A shared batch is committed by its group, whatever becomes of this flow.
    const discard = async (): Promise<void> => {
      if (!group) await files.discard();
    };
    // Raw copy concurrently with the parse below (gzip runs on libuv's thread pool), in the attachments' batch: one
    // commit fsyncs the raw copy and the attachments together, and their directories once each.
    // A small flow (the nightly pull: one invoice each) is read once into memory, for both the raw copy and the parse:
    // half the file operations, and the raw copy goes through the batch's in-memory path (no stream, handle kept).
    const whole = input.content ?? (await readIfSmall(input.path, SMALL_FLOW_BYTES));
    const open = (): Readable => (whole ? Readable.from([whole]) : createReadStream(input.path, READ_OPTIONS));
    const rawPromise = settle(files.put(whole ?? open(), rawOptions));
    rawPromise.catch(() => undefined); // awaited below on every path
    let read: ReadResult;
    let raw: RawCopy;
    try {
      read = await this.readAll(whole ?? open(), files);
    } catch (err) {
      const failedRaw = await rawPromise.catch(() => undefined);
      await discard();
      // The flow file itself could not be read (gone, a directory …): that is the raw copy's FLOW_UNREADABLE.
      if (failedRaw && !failedRaw.ok) return { raw: failedRaw, read: { invoices: [], invoiceErrors: [] }, filesReady: Promise.resolve(), discardFiles: async () => undefined };
      throw err;
    }
    try {
      raw = await rawPromise;
    } catch (err) {
      await discard();
      throw err;
    }
    let filesReady: Promise<void>;
    if (raw.ok && !read.flowError) {
      filesReady = group ? group.committed : files.commit();
      filesReady.catch(() => undefined); // awaited by the caller; a failure is reported there
    } else {
      await discard();
      // An unreadable flow keeps its raw copy (the rejected flow row points at it), not its attachments: stored again
      // on its own — rare, so the second read and gzip do not matter.
      if (raw.ok) raw = await settle(this.store.put(whole ?? open(), rawOptions));
      filesReady = Promise.resolve();
    }
    return { raw, read, filesReady, discardFiles: group ? async () => undefined : () => files.discard() };
  }

  /** Reads the whole flow before storing anything: a flow ending in an error stores no invoice. */
  private async readAll(input: Readable | Buffer, attachments: ObjectWriter): Promise<ReadResult> {
    const out: ReadResult = { invoices: [], invoiceErrors: [] };
    try {
      for await (const event of this.reader.read(input, {
        store: this.store,
        attachments,
        maxFlowBytes: this.limits.maxFlowBytes,
        maxAttachmentBytes: this.limits.maxAttachmentBytes,
        unstorable: unstorableField,
      })) {
        if (event.kind === 'envelope') out.envelope = event.envelope;
        else if (event.kind === 'invoice') out.invoices.push(event.invoice);
        else out.invoiceErrors.push({ numOrdre: event.numOrdre, number: event.number, code: event.code, message: event.message });
      }
    } catch (err) {
      if (err instanceof PivotFlowError) out.flowError = { code: err.code, message: err.message };
      else if (isSystemError(err)) throw err;
      else out.flowError = { code: 'MALFORMED_XML', message: `Flux illisible : ${(err as Error).message}` };
    }
    return out;
  }
}

/** Why the raw copy failed, as the flow's rejection; a failure of our own storage is thrown instead (see FlowReader). */
function rawFailure(error: unknown, inputPath: string, limit: number): RawCopy {
  if (isSystemError(error) && (error as NodeJS.ErrnoException).path !== inputPath) throw error;
  if (error instanceof FileTooLargeError) {
    return { ok: false, code: 'FLOW_TOO_LARGE', message: `Flux refusé : taille supérieure à la limite de ${formatBytes(limit)}` };
  }
  return { ok: false, code: 'FLOW_UNREADABLE', message: `Flux illisible : ${(error as Error).message}` };
}

/**
 * An operating-system failure of our own storage (ENOSPC, EACCES, EIO …), as opposed to bad flow content. Reading the
 * flow file itself failing (ENOENT, EISDIR) surfaces on the raw copy, as FLOW_UNREADABLE.
 */
function isSystemError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return typeof e?.code === 'string' && typeof e.syscall === 'string';
}

/** A Buffer that crossed to the reader thread arrives as a plain Uint8Array (structured clone): viewed again, no copy. */
export function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes && !Buffer.isBuffer(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

/** The whole file when it holds at most `limit` bytes (one open, fstat, read, close), otherwise undefined. */
async function readIfSmall(path: string, limit: number): Promise<Buffer | undefined> {
  try {
    const handle = await fs.open(path, 'r');
    try {
      const { size } = await handle.stat();
      return size <= limit ? await handle.readFile() : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // the streaming path reports the problem, as before
  }
}

/** Flows whose files share one batch; `committed` settles once the batch is durable (or failed). */
class FlowGroup {
  members = 0;
  /** Reads of the group not yet ended: the batch is committed once none is left (and no flow may join). */
  running = 0;
  readonly committed: Promise<void>;
  private start!: () => void;

  constructor(readonly batch: FileBatch) {
    this.committed = new Promise<void>((resolve) => (this.start = resolve)).then(() => batch.commit());
    this.committed.catch(() => undefined); // each member's caller sees the failure through filesReady
  }

  /** Idempotent. */
  commit(): void {
    this.start();
  }
}
