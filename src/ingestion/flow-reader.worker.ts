import { parentPort, workerData } from 'node:worker_threads';
import { asBuffer, FlowReader, FlowReading } from '@/ingestion/flow-reader';
import { FlowInput } from '@/ingestion/flow-sources';
import { FlowReaderThreadData, FromReaderThread, MessageBatcher, toThreadError, ToReaderThread } from '@/ingestion/flow-reader.protocol';
import { LocalFileStore } from '@/storage/local-file.store';

/**
 * Entry point of the reader thread (see FlowReaderThread): reads flows with its own LocalFileStore on the same root,
 * so that XML scanning, base64, unzipping, hashing and file writes use the second core while the main thread stores
 * the previous flow in the database.
 */
const data = workerData as FlowReaderThreadData;
const reader = new FlowReader(new LocalFileStore(data.storeRoot, { syncWrites: true }), data.limits);
/** Readings whose files may still be discarded: until their commit settled (a discard after it has nothing to do). */
const readings = new Map<number, FlowReading>();
const port = parentPort!;
const replies = new MessageBatcher<FromReaderThread>((batch) => port.postMessage(batch));
const send = (message: FromReaderThread): void => replies.send(message);

/**
 * Reads run one after the other, in the order asked: the caller stores flows in that order, so the head of its queue
 * must not share the thread with the flows read ahead of it (interleaved, they would all finish late together).
 */
let queue: Promise<void> = Promise.resolve();

port.on('message', (batch: ToReaderThread[]) => {
  for (const message of batch) {
    if (message.type === 'read') {
      reader.announce(); // the group of flows being read stays open for this one (see FlowReader.read)
      queue = queue.then(() => read(message.id, message.input));
    } else void discard(message.id);
  }
});

async function read(id: number, input: FlowInput): Promise<void> {
  let reading: FlowReading;
  // Buffers arrive as plain Uint8Arrays (structured clone): viewed as Buffers again, without a copy.
  input = { ...input, content: asBuffer(input.content), gzipped: asBuffer(input.gzipped) };
  try {
    reading = await reader.read(input, true);
  } catch (err) {
    send({ type: 'read-failed', id, error: toThreadError(err) });
    return;
  }
  readings.set(id, reading);
  send({ type: 'read', id, raw: reading.raw, read: reading.read });
  reading.filesReady.then(
    () => {
      readings.delete(id);
      send({ type: 'files', id });
    },
    (err: unknown) => {
      readings.delete(id);
      send({ type: 'files', id, error: toThreadError(err) });
    },
  );
}

async function discard(id: number): Promise<void> {
  const reading = readings.get(id);
  readings.delete(id);
  try {
    await reading?.discardFiles();
    send({ type: 'discarded', id });
  } catch (err) {
    send({ type: 'discarded', id, error: toThreadError(err) });
  }
}
