import { mkdirSync } from 'node:fs';
import { types as pgTypes } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '@/config/app.config';
import { ENTITIES } from '@/database/entities';
import { MIGRATIONS } from '@/database/migrations';

const OID_INT8 = 20;
const OID_DATE = 1082;

// Both drivers must hand back the same JS shapes: `date` columns as 'YYYY-MM-DD' strings (no timezone
// shift), counts (int8) as numbers, `numeric` as strings (exact money, never floats).
pgTypes.setTypeParser(OID_DATE, (v: string) => v);
pgTypes.setTypeParser(OID_INT8, (v: string) => Number(v));

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseTarget {
  kind: DatabaseKind;
  /** PostgreSQL URL, or PGlite data directory ('memory://' for a throwaway in-memory database). */
  location: string;
}

export function databaseTarget(config: AppConfig): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', location: config.databaseUrl }
    : { kind: 'pglite', location: config.pgliteDir };
}

export async function dataSourceOptions(target: DatabaseTarget): Promise<DataSourceOptions> {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13 and PGlite: no extension to install (PGlite has none).
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
    logging: false,
  };
  if (target.kind === 'postgres') {
    return { ...common, url: target.location, extra: { max: 10 } };
  }
  if (!target.location.startsWith('memory://')) mkdirSync(target.location, { recursive: true });
  // Loaded only for the embedded database: a service or CLI on PostgreSQL does not load PGlite (~40 ms at each start).
  const { PGliteDriver } = await import('typeorm-pglite');
  const driver = new PGliteDriver({
    dataDir: target.location,
    parsers: { [OID_INT8]: (v: string) => Number(v), [OID_DATE]: (v: string) => v },
  }).driver;
  return { ...common, driver } as DataSourceOptions;
}

export async function openDataSource(target: DatabaseTarget, runMigrations = true): Promise<DataSource> {
  const ds = new DataSource(await dataSourceOptions(target));
  await ds.initialize();
  if (runMigrations) await ds.runMigrations({ transaction: 'each' });
  return ds;
}
