import { Worker } from 'node:worker_threads';
import { FlowReading } from '@/ingestion/flow-reader';
import { FlowReaderThreadData, fromThreadError, FromReaderThread, MessageBatcher, ToReaderThread } from '@/ingestion/flow-reader.protocol';
import { FlowInput } from '@/ingestion/flow-sources';

interface Deferred<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> & { promise: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Main-thread side of the reader thread: `read` has the same contract as FlowReader.read, the work happens in the
 * worker (`flow-reader.worker.js`). The worker is started on first use and started again after a crash (the reads
 * it had in hand fail, with their flows left for the next import: nothing was stored of them).
 */
export class FlowReaderThread {
  private worker: Worker | undefined;
  private outbox: MessageBatcher<ToReaderThread> | undefined;
  private nextId = 1;
  private readonly reads = new Map<number, Deferred<FlowReading>>();
  private readonly files = new Map<number, Deferred<void>>();
  private readonly discards = new Map<number, Deferred<void>>();

  constructor(
    private readonly script: string,
    private readonly data: FlowReaderThreadData,
  ) {}

  read(input: FlowInput): Promise<FlowReading> {
    const id = this.nextId++;
    const read = deferred<FlowReading>();
    this.reads.set(id, read);
    this.post({ type: 'read', id, input });
    return read.promise;
  }

  /**
   * Starts the worker now (idempotent), so that its start-up (Node, modules: ~0.2 s of the other core) overlaps what
   * comes before the first read — the pull's search — instead of delaying it. Idle, it keeps nobody alive.
   */
  warmUp(): void {
    if (!this.worker) this.start().unref();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('Lecture des flux interrompue : le service s’arrête'));
  }

  private post(message: ToReaderThread): void {
    const worker = this.worker ?? this.start();
    // Referenced only while something is awaited from it, so an idle reader thread never keeps the process alive.
    worker.ref();
    this.outbox!.send(message);
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: this.data });
    // Its own batcher: messages pending for a worker that crashed are not sent to the next one.
    this.outbox = new MessageBatcher((batch) => worker.postMessage(batch));
    worker.on('message', (batch: FromReaderThread[]) => {
      for (const message of batch) this.receive(message);
    });
    worker.on('error', (err) => this.crashed(worker, err));
    worker.on('exit', (code) => this.crashed(worker, new Error(`code de sortie ${code}`)));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromReaderThread): void {
    switch (message.type) {
      case 'read': {
        const files = deferred<void>();
        files.promise.catch(() => undefined); // awaited by the caller, like FlowReader's
        this.files.set(message.id, files);
        this.take(this.reads, message.id)?.resolve({
          raw: message.raw,
          read: message.read,
          filesReady: files.promise,
          discardFiles: () => this.discard(message.id),
        });
        break;
      }
      case 'read-failed':
        this.take(this.reads, message.id)?.reject(fromThreadError(message.error));
        break;
      case 'files': {
        const files = this.take(this.files, message.id);
        if (message.error) files?.reject(fromThreadError(message.error));
        else files?.resolve();
        break;
      }
      case 'discarded': {
        const discard = this.take(this.discards, message.id);
        if (message.error) discard?.reject(fromThreadError(message.error));
        else discard?.resolve();
        break;
      }
    }
    if (this.reads.size + this.files.size + this.discards.size === 0) this.worker?.unref();
  }

  private discard(id: number): Promise<void> {
    if (!this.worker) return Promise.resolve(); // the thread that held the files is gone: nothing was committed
    const discard = deferred<void>();
    this.discards.set(id, discard);
    this.post({ type: 'discard', id });
    return discard.promise;
  }

  private take<T>(map: Map<number, Deferred<T>>, id: number): Deferred<T> | undefined {
    const entry = map.get(id);
    map.delete(id);
    return entry;
  }

  private crashed(worker: Worker, cause: Error): void {
    if (this.worker !== worker) return; // closed on purpose, or an earlier worker
    this.worker = undefined;
    this.failAll(new Error(`Le fil de lecture des flux s’est arrêté : ${cause.message}`));
  }

  private failAll(error: Error): void {
    for (const map of [this.reads, this.files, this.discards] as Array<Map<number, Deferred<unknown>>>) {
      for (const entry of map.values()) entry.reject(error);
      map.clear();
    }
  }
}
