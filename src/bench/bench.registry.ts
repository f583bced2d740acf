// name → benchmark (`npm run bench -- <name>`); each lives in src/bench/<name>.bench.ts.
import { ingestBench, ingestLargeChild } from '@/bench/ingest.bench';
import { pesBench } from '@/bench/pes.bench';
import { pullBench } from '@/bench/pull.bench';
import { statusBench } from '@/bench/status.bench';
import { webBench } from '@/bench/web.bench';

export type Bench = (args: string[]) => Promise<void>;

export const BENCHES: Record<string, Bench> = {
  ingest: ingestBench,
  pull: pullBench,
  pes: pesBench,
  web: webBench,
  status: statusBench,
  // Internal: the 120 MB flow measured in a fresh process, so its peak RSS is its own.
  'ingest-large-child': ingestLargeChild,
};
