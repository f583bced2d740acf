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

/** One message; each postMessage carries an array of them (MessageBatcher). */
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

/** Messages sent at most together: a reply waits no longer than its batch takes to fill. */
const BATCH_MAX = 16;

/**
 * Messages to the other thread sent in batches (an array per postMessage): the ones posted in the same turn of the
 * event loop, up to BATCH_MAX, go together. A pull posts three messages per one-invoice flow each way; each
 * postMessage has a fixed cost on both sides (serialisation, a wake-up of the other loop) larger than a small flow's
 * clone.
 */
export class MessageBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (batch: T[]) => void) {}

  send(message: T): void {
    this.pending.push(message);
    if (this.pending.length >= BATCH_MAX) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.post(batch);
  }
}
