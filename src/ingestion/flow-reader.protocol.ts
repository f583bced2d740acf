import { FlowInput } from '@/ingestion/flow-sources';
import { FlowReadLimits, RawCopy, ReadResult } from '@/ingestion/flow-reader';

/** What the reader thread is started with (`workerData`). */
export interface FlowReaderThreadData {
  storeRoot: string;
  limits: FlowReadLimits;
}

/** An error crossing the thread boundary (class instances do not survive structured clone). */
export interface ThreadError {
  message: string;
  code?: string;
}

export type ToReaderThread = { type: 'read'; id: number; input: FlowInput } | { type: 'discard'; id: number };

export type FromReaderThread =
  | { type: 'read'; id: number; raw: RawCopy; read: ReadResult }
  | { type: 'read-failed'; id: number; error: ThreadError }
  | { type: 'files'; id: number; error?: ThreadError }
  | { type: 'discarded'; id: number; error?: ThreadError };

export function toThreadError(err: unknown): ThreadError {
  const code = (err as { code?: unknown })?.code;
  return { message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
}

export function fromThreadError(error: ThreadError): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
}
