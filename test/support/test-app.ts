import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication, Provider } from '@nestjs/common';
import { createHttpApp } from '@/app.bootstrap';
import { AppConfig, loadConfig } from '@/config/app.config';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataDir: string;
  db: TestDatabase;
  /** Base URL of the listening server (real HTTP on loopback). */
  url: string;
  close(): Promise<void>;
}

/**
 * The whole application on a throwaway database and data directory, listening on a random loopback port.
 * `overrides` bind fakes to ports (Clock, FileStore, ChorusProApi …); `config` overrides configuration.
 */
export async function createTestApp(
  options: { overrides?: Provider[]; config?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-test-'));
  const db = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(options.env ?? {}) }, options.config ?? {});
  const app = await createHttpApp({ config, database: db.target, overrides: options.overrides, scheduler: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    dataDir,
    db,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
