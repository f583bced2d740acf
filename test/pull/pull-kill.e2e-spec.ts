import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createAppContext } from '@/app.bootstrap';
import { startSimulator, StartedSimulator } from '@/chorus-pro/simulator/simulator.server';
import { loadConfig } from '@/config/app.config';
import { FileStore } from '@/storage/file-store.port';
import { PullService } from '@/pull/pull.service';
import { StructuresService } from '@/structures/structures.service';
import { chorusProConfig, TEST_SECRET_KEY } from '@test/pull/pull-test.support';
import { createTestDatabase, TEST_DB_KIND, TestDatabase } from '@test/support/test-database';

const ROOT = resolve(__dirname, '../..');
const INVOICES = 40;

function runChild(input: unknown): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test/pull/support/ts-register.js'), join(ROOT, 'test/pull/support/pull-child.ts')], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', PULL_CHILD: JSON.stringify(input) },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

describe('a pull killed (kill -9) in the middle, then run again', () => {
  let sim: StartedSimulator;
  let dir: string;
  let db: TestDatabase;
  afterEach(async () => {
    await sim?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['after 15 flows of the first group were stored', { phase: 'store', at: 15 }],
    ['when the second group arrives', { phase: 'download', at: 2 }],
  ] as const)('%s: every invoice ends up stored exactly once', async (_label, kill) => {
    sim = await startSimulator({ structures: 1, invoices: INVOICES });
    dir = mkdtempSync(join(tmpdir(), 'passerelle-kill-'));
    // PGlite on disk (the child and this process open it in turn), or a PostgreSQL database both use.
    db = TEST_DB_KIND === 'postgres' ? await createTestDatabase('postgres') : { target: { kind: 'pglite', location: join(dir, 'pglite') }, drop: async () => {} };
    const env = { DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PASSERELLE_SECRET_KEY: TEST_SECRET_KEY };
    // Groups of 20, transactions of 5 invoices: the kill falls inside a group, between two of its transactions.
    const overrides = { ...chorusProConfig(sim, { groupMaxInvoices: 20, downloadConcurrency: 1 }), ingestion: { batchSize: 5 } };
    const open = () => createAppContext({ config: loadConfig(env, overrides), database: db.target });

    let app = await open();
    const s = sim.state.structures[0];
    await app.get(StructuresService).upsert({ siret: s.siret, name: s.name, services: s.demo.services, serviceRequired: false, engagementRequired: false, paymentDelayDays: 30 });
    await app.get(StructuresService).setTechnicalAccount(s.siret, s.login, s.password);
    await app.close();

    const child = await runChild({ target: db.target, env, overrides, kill });
    expect({ signal: child.signal, stderr: child.stderr.includes('Error') ? child.stderr : '' }).toEqual({ signal: 'SIGKILL', stderr: '' });

    // The dead child's PGlite lock would go stale after 15 s (pglite.lock.ts); it is dead for sure: removed now.
    if (TEST_DB_KIND !== 'postgres') rmSync(`${join(dir, 'pglite')}.lock`, { recursive: true, force: true });
    app = await open();
    try {
      const ds = app.get(DataSource);
      const before: Array<{ cpro_id: string }> = await ds.query(`SELECT cpro_id FROM invoices`);
      if (kill.phase === 'store') expect(before).toHaveLength(kill.at);
      expect(before.length).toBeLessThan(INVOICES);
      // The dead process's lease on the structure expires (LEASE_SECONDS); here at once.
      await ds.query(`UPDATE pull_windows SET locked_until = now() - interval '1 second'`);
      const windows: Array<{ window_end: Date | null }> = await ds.query(`SELECT window_end FROM pull_windows`);
      expect(windows[0].window_end).toBeNull(); // the killed pull did not advance the window

      const rerun = await app.get(PullService).run();
      expect(rerun.errors).toEqual([]);
      expect(rerun.invoices.created).toBe(INVOICES - before.length);
      expect(rerun.invoices.duplicates).toBe(0);
      const counts: Array<{ n: number; d: number; f: number }> = await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT cpro_id)::int AS d, count(DISTINCT flow_id)::int AS f FROM invoices`,
      );
      expect(counts[0]).toEqual({ n: INVOICES, d: INVOICES, f: INVOICES });
      // What the killed run stored was recognised, not downloaded again.
      for (const r of before) expect(sim.state.stats.downloads.get(Number(r.cpro_id))).toBe(1);
      // One flow per pivot file, none left half-done, every raw copy readable; statuses recorded.
      const flows: Array<{ status: string; storage_key: string }> = await ds.query(`SELECT status, storage_key FROM flows`);
      expect(flows).toHaveLength(INVOICES);
      expect(flows.every((f) => f.status === 'integrated')).toBe(true);
      const store = app.get(FileStore);
      for (const f of flows) expect(await store.exists(f.storage_key)).toBe(true);
      const statuses: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM invoices WHERE cpp_status = 'MISE_A_DISPOSITION'`);
      expect(Number(statuses[0].n)).toBe(INVOICES);
    } finally {
      await app.close();
    }
  });
});
