import 'reflect-metadata';
import { BENCHES } from '@/bench/bench.registry';

/**
 * `npm run bench -- <name> [options]`: speed and memory targets are measured here, never in unit tests.
 * Each bench prints its figures and ratios, and a last line of JSON.
 */
async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    process.stderr.write(`Usage : npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
    process.exitCode = 2;
    return;
  }
  await bench(args);
}

main().catch((err: unknown) => {
  process.stderr.write(`Benchmark en échec : ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
