import { Readable } from 'node:stream';

/**
 * The delimiter of a CSV file, from its header line: French exports use « ; » (decimal commas inside the
 * values), others « , » or a tab. csv-parse cannot be given several delimiters safely for that reason.
 */
export function sniffDelimiter(head: string): ';' | ',' | '\t' {
  const line = head.split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string) => line.split(c).length - 1;
  const candidates: Array<';' | ',' | '\t'> = [';', '\t', ','];
  return candidates.reduce((best, c) => (count(c) > count(best) ? c : best), ';' as ';' | ',' | '\t');
}

/** Reads the first chunk of a stream (to sniff it) and gives back a stream that still starts with it. */
export async function peekStream(stream: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
  );
  return { head, stream: rest };
}
