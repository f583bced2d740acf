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
 * Reads flows (FlowReader) in a worker thread when it can: reading is pure CPU and file work, storing is database
 * work, and on two cores running them side by side is what keeps the import close to a bare XML parse of the flows
 * (issue « Ingest Chorus Pro pivot flows », benchmark). In-process when `ingestion.readerThread` is off, when the store
 * is not a LocalFileStore (a fake bound by tests lives in this thread only) or when running from the TypeScript sources.
 */
@Injectable()
export class FlowReaderService implements OnModuleDestroy {
  private readonly logger = new Logger(FlowReaderService.name);
  private readonly local: FlowReader;
  private readonly thread: FlowReaderThread | undefined;

  constructor(store: FileStore, config: AppConfig) {
    const limits = { maxFlowBytes: config.ingestion.maxFlowBytes, maxAttachmentBytes: config.ingestion.maxAttachmentBytes };
    this.local = new FlowReader(store, limits);
    if (config.ingestion.readerThread && store instanceof LocalFileStore && existsSync(WORKER_SCRIPT)) {
      this.thread = new FlowReaderThread(WORKER_SCRIPT, { storeRoot: store.root, limits });
    } else if (config.ingestion.readerThread) {
      this.logger.debug('Lecture des flux dans le fil principal (pas de script de fil compilé ou stockage non local)');
    }
  }

  /** Whether flows are read in the worker thread. */
  get threaded(): boolean {
    return this.thread !== undefined;
  }

  read(input: FlowInput): Promise<FlowReading> {
    return this.thread ? this.thread.read(input) : this.local.read(input);
  }

  async onModuleDestroy(): Promise<void> {
    await this.thread?.close();
  }
}
