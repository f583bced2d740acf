import { Readable } from 'node:stream';

export interface StoredObject {
  /** Storage key: the SHA-256 (hex) of the content, so identical files are stored once. */
  key: string;
  sha256: string;
  size: number;
}

export interface PutOptions {
  /** Stop and throw FileTooLargeError once this many bytes have been written (zip bombs, oversized flows). */
  maxBytes?: number;
  /** Gzip the content at rest (raw flows): the key stays the SHA-256 of the uncompressed bytes. */
  compress?: boolean;
}

/** Content-addressed store for attachments and raw flows (port: tests may bind a fake). */
export abstract class FileStore {
  abstract put(content: Readable | Buffer, options?: PutOptions): Promise<StoredObject>;
  /** Streams the original (uncompressed) bytes back. */
  abstract openRead(key: string): Promise<Readable>;
  abstract exists(key: string): Promise<boolean>;
  /** A fresh temporary file path inside the store's volume (same filesystem, so renames are atomic). */
  abstract tempPath(suffix?: string): Promise<string>;
}

export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Contenu supérieur à la limite de ${limit} octets`);
  }
}
