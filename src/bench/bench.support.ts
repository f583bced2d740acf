import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseTarget } from '@/database/data-source.factory';

/** A throwaway PostgreSQL database on the local server (BENCH_POSTGRES_URL to point elsewhere). */
export async function benchDatabase(): Promise<{ target: DatabaseTarget; drop: () => Promise<void> }> {
  const admin = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `passerelle_bench_${randomBytes(4).toString('hex')}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', location: url.toString() },
    drop: async () => {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export function benchDir(prefix: string): string {
  return mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `passerelle-bench-${prefix}-`));
}

export function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(48)} ${value}\n`);
}
