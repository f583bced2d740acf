import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseTarget } from '@/database/data-source.factory';

/**
 * A throwaway database for one test file: a fresh PostgreSQL database on the local server when
 * TEST_DB=postgres (CI runs the suite on both), else an in-memory PGlite. Migrations run as in production.
 */
export interface TestDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

export const TEST_DB_KIND = (process.env.TEST_DB ?? 'pglite') as 'pglite' | 'postgres';
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(kind = TEST_DB_KIND): Promise<TestDatabase> {
  if (kind === 'pglite') return { target: { kind: 'pglite', location: 'memory://' }, drop: async () => {} };
  const name = `passerelle_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', location: url.toString() },
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
