import { Readable } from 'node:stream';
import { formatBytes } from '@/common/money/french-format';

export interface StoredObject {
  /**
   * Storage key, to read the object back: its SHA-256 (hex) for an object stored on its own (identical files are then
   * stored once), or a location inside a pack for the small objects of a batch (see LocalFileBatch). At most 100
   * characters (the `storage_key` columns).
   */
  key: string;
  sha256: string;
  size: number;
}

export interface PutOptions {
  /** Stop and throw FileTooLargeError once this many bytes have been written (zip bombs, oversized flows). */
  maxBytes?: number;
  /** Gzip the content at rest (raw flows): the key stays the SHA-256 of the uncompressed bytes. */
  compress?: boolean;
  /**
   * With `compress`: the content already as one gzip member (a ZIP entry's own deflate data, see gzipMemberOf), stored
   * as is when the content goes into a pack. The caller vouches that it inflates to the content.
   */
  gzipped?: Buffer;
}

/** Anything objects can be put into: the store itself, or a batch of it. */
export interface ObjectWriter {
  put(content: Readable | Buffer, options?: PutOptions): Promise<StoredObject>;
}

/**
 * Objects put in a batch are written but not yet durable nor readable under their key: `commit` makes all of them
 * durable in one go and MUST resolve before any row referencing them is committed. `discard` drops what was not
 * committed (a rejected flow leaves nothing behind).
 */
export interface FileBatch extends ObjectWriter {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Content-addressed store for attachments and raw flows (port: tests may bind a fake). */
export abstract class FileStore implements ObjectWriter {
  /** Writes the object durably under its key before resolving. */
  abstract put(content: Readable | Buffer, options?: PutOptions): Promise<StoredObject>;
  /** Streams the original (uncompressed) bytes back. */
  abstract openRead(key: string): Promise<Readable>;
  abstract exists(key: string): Promise<boolean>;
  /** A fresh temporary file path inside the store's volume (same filesystem, so renames are atomic). */
  abstract tempPath(suffix?: string): Promise<string>;

  /**
   * Removes what no row can reference: temp files (and temp directories) of runs that were killed, and packs whose
   * name `isReferenced` does not know. Only entries last modified before `olderThan` (an import in flight in another
   * process keeps its files). Default: nothing to collect.
   */
  async collect(_options: { isReferenced: (pack: string) => boolean; olderThan: Date }): Promise<StoreGcReport> {
    return { tempFiles: 0, packs: 0, bytes: 0 };
  }

  /** A batch of puts made durable together. Default: each put is already durable, commit has nothing to do. */
  batch(): FileBatch {
    return { put: (content, options) => this.put(content, options), commit: async () => undefined, discard: async () => undefined };
  }
}

/** What `collect` removed. */
export interface StoreGcReport {
  tempFiles: number;
  packs: number;
  bytes: number;
}

export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Contenu supérieur à la limite de ${formatBytes(limit)}`);
  }
}
