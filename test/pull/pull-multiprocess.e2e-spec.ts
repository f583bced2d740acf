import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PullReport } from '@/pull/pull.types';
import { countInvoices, PullHarness, startPullHarness, TEST_SECRET_KEY } from '@test/pull/pull-test.support';
import { TEST_DB_KIND } from '@test/support/test-database';

const ROOT = resolve(__dirname, '../..');

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test/pull/support/ts-register.js'), join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// PGlite is one process's database: several instances need PostgreSQL.
const itPostgres = TEST_DB_KIND === 'postgres' ? it : it.skip;

describe('several instances on one PostgreSQL', () => {
  let h: PullHarness;
  const dirs: string[] = [];
  afterAll(async () => {
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  itPostgres(
    'pulls each structure exactly once per run with three processes started together',
    async () => {
      h = await startPullHarness({ structures: 6, invoices: 60 });
      const env = (i: number): NodeJS.ProcessEnv => {
        const dataDir = mkdtempSync(join(tmpdir(), `passerelle-mp-${i}-`));
        dirs.push(dataDir);
        return {
          DATA_DIR: dataDir,
          DATABASE_URL: h.t.db.target.location,
          LOG_LEVEL: 'warn',
          PASSERELLE_SECRET_KEY: TEST_SECRET_KEY,
          CHORUS_PRO_API_URL: h.sim.apiUrl,
          CHORUS_PRO_TOKEN_URL: h.sim.tokenUrl,
          PISTE_CLIENT_ID: h.sim.clientId,
          PISTE_CLIENT_SECRET: h.sim.clientSecret,
        };
      };
      const runs = await Promise.all([0, 1, 2].map((i) => runCli(['pull', '--run-key', 'nightly-test', '--json'], env(i))));
      const reports = runs.map((r) => {
        const lines = r.stdout.trim().split('\n');
        if (r.code !== 0) throw new Error(`pull a échoué (${r.code}) : ${r.stderr}`);
        return JSON.parse(lines[lines.length - 1]) as PullReport;
      });
      expect(reports.reduce((n, r) => n + r.structures, 0)).toBe(6);
      expect(reports.reduce((n, r) => n + r.skipped, 0)).toBe(12);
      expect(reports.reduce((n, r) => n + r.invoices.created, 0)).toBe(60);
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      expect(await countInvoices(h.db)).toBe(60);
      expect(h.sim.state.stats.downloads.size).toBe(60);
      expect([...h.sim.state.stats.downloads.values()].every((n) => n === 1)).toBe(true);
      const claims: Array<{ n: number }> = await h.db.query(`SELECT count(*)::int AS n FROM pull_claims WHERE run_key = 'nightly-test' AND outcome = 'ok'`);
      expect(Number(claims[0].n)).toBe(6);

      // The same run key again (a late instance): nothing is pulled twice.
      const late = await runCli(['pull', '--run-key', 'nightly-test', '--json'], env(3));
      const lateReport = JSON.parse(late.stdout.trim().split('\n').pop() as string) as PullReport;
      expect(lateReport).toMatchObject({ structures: 0, skipped: 6, apiCalls: 0 });
    },
  );
});
