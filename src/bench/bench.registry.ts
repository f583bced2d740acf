// name → benchmark (`npm run bench -- <name>`); each lives in src/bench/<name>.bench.ts.
import { ingestBench, ingestLargeChild } from '@/bench/ingest.bench';

export type Bench = (args: string[]) => Promise<void>;

export const BENCHES: Record<string, Bench> = {
  ingest: ingestBench,
  // Internal: the 120 MB flow measured in a fresh process, so its peak RSS is its own.
  'ingest-large-child': ingestLargeChild,
};
