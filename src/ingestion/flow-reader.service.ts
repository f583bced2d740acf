import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';
import { FlowReader, FlowReading } from '@/ingestion/flow-reader';
import { FlowReaderThread } from '@/ingestion/flow-reader.thread';
import { FlowInput } from '@/ingestion/flow-sources';
import { FileStore } from '@/storage/file-store.port';
import { LocalFileStore } from '@/storage/local-file.store';

/** The compiled worker script; absent when the code runs from TypeScript sources (ts-jest), then reads stay in-process. */
const WORKER_SCRIPT = join(__dirname, 'flow-reader.worker.js');
/**
 * Reader threads. Two: the pull's one-invoice flows cost their reading (raw copy, files, fsyncs) far more than their
 * storing, so the main thread waited on a single reader; with two, reading uses what the main thread leaves. Each
 * thread has its own store instance on the same root (content-addressed names, temp files renamed: safe side by side).
 */
const READER_THREADS = 2;

/**
 * Reads flows (FlowReader) in a worker thread when it can: reading is pure CPU and file work, storing is database
 * work, and on two cores running them side by side is what keeps the import close to a bare XML parse of the flows
 * (issue « Ingest Chorus Pro pivot flows », benchmark). In-process when `ingestion.readerThread` is off, when the store
 * is not a LocalFileStore (a fake bound by tests lives in this thread only) or when running from the TypeScript sources.
 */
@Injectable()
export class FlowReaderService implements OnModuleDestroy {
  private readonly logger = new Logger(FlowReaderService.name);
  private readonly local: FlowReader;
  private readonly threads: FlowReaderThread[] = [];
  private nextThread = 0;

  constructor(store: FileStore, config: AppConfig) {
    const limits = { maxFlowBytes: config.ingestion.maxFlowBytes, maxAttachmentBytes: config.ingestion.maxAttachmentBytes };
    this.local = new FlowReader(store, limits);
    if (config.ingestion.readerThread && store instanceof LocalFileStore && existsSync(WORKER_SCRIPT)) {
      for (let i = 0; i < READER_THREADS; i++) this.threads.push(new FlowReaderThread(WORKER_SCRIPT, { storeRoot: store.root, limits }));
    } else if (config.ingestion.readerThread) {
      this.logger.debug('Lecture des flux dans le fil principal (pas de script de fil compilé ou stockage non local)');
    }
  }

  /** Whether flows are read in the worker thread. */
  get threaded(): boolean {
    return this.threads.length > 0;
  }

  /** Flows asked together go to the threads in turn; each answers in order, and the caller awaits them in order. */
  read(input: FlowInput): Promise<FlowReading> {
    if (this.threads.length === 0) return this.local.read(input);
    const thread = this.threads[this.nextThread];
    this.nextThread = (this.nextThread + 1) % this.threads.length;
    return thread.read(input);
  }

  /** Starts the reader threads ahead of the first read (see FlowReaderThread.warmUp). */
  warmUp(): void {
    for (const thread of this.threads) thread.warmUp();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
