import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { PullService } from '@/pull/pull.service';
import { PullReport } from '@/pull/pull.types';
import { countInvoices, PullHarness, startPullHarness } from '@test/pull/pull-test.support';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';

/** The pid of a process of this machine that has exited (what a kill -9 leaves in a claim). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/**
 * A pull killed mid-way left its claim with no outcome: a rerun with the same run key skipped the structure with exit 0
 * (forever), and a rerun straight after the kill skipped it for the 300 s of the lease without saying so.
 */
describe('pull claims after a crash', () => {
  let h: PullHarness;
  afterEach(async () => h?.close());

  const structureId = async (siret: string): Promise<string> => (await h.db.query(`SELECT id FROM structures WHERE siret = $1`, [siret]))[0].id;
  /** What a pull process killed while pulling the structure leaves behind: a claim with no outcome and its lease. */
  const crashedClaim = async (siret: string, runKey: string, holder: string, leaseSeconds: number) => {
    const id = await structureId(siret);
    await h.db.query(`INSERT INTO pull_claims (structure_id, run_key, instance_id, claimed_at) VALUES ($1, $2, $3, now() - interval '2 minutes')`, [id, runKey, holder]);
    await h.db.query(
      `INSERT INTO pull_windows (structure_id, locked_by, locked_until) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (structure_id) DO UPDATE SET locked_by = EXCLUDED.locked_by, locked_until = EXCLUDED.locked_until`,
      [id, holder, leaseSeconds],
    );
  };

  it('takes over at once the claim and lease of a killed process of this machine, and a claim whose lease expired', async () => {
    h = await startPullHarness({ structures: 2, invoices: 6 });
    const [a, b] = h.sim.state.structures;
    // a: killed a second ago on this machine (lease still valid 299 s); b: a process elsewhere whose lease expired.
    await crashedClaim(a.siret, 'cron-2025-03-14T02:00', `${hostname()}:${deadPid()}:abcdef`, 299);
    await crashedClaim(b.siret, 'cron-2025-03-14T02:00', 'autre-serveur:4242:abcdef', -10);
    const report = await h.get(PullService).run({ runKey: 'cron-2025-03-14T02:00' });
    expect(report.skippedStructures).toEqual([]);
    expect(report.structures).toBe(2);
    expect(report.errors).toEqual([]);
    expect(await countInvoices(h.db)).toBe(6);
    expect(await h.db.query(`SELECT outcome FROM pull_claims ORDER BY outcome`)).toEqual([{ outcome: 'ok' }, { outcome: 'ok' }]);
  });

  it('lists a structure busy with a live pull in the summary with its reason, exits non-zero, and shows each last outcome (API, /metrics)', async () => {
    h = await startPullHarness({ structures: 3, invoices: 6 });
    const [a, b, c] = h.sim.state.structures;
    // b: being pulled right now by a live process of another machine (another run); c: its password changed.
    await crashedClaim(b.siret, 'manual-1', 'autre-serveur:4242:abcdef', 250);
    c.password = 'changed-on-chorus-pro';
    const cli = await runCliInProcess(h.t.app, ['pull', '--json']);
    expect(cli.exitCode).toBe(2);
    const report = JSON.parse(cli.lines[cli.lines.length - 1]) as PullReport;
    expect(report.skippedStructures).toEqual([
      { siret: b.siret, reason: 'busy', message: expect.stringMatching(/^structure en cours de relève par un autre processus \(autre-serveur:4242:abcdef, bail jusqu’à .+\) : non relevée$/) },
    ]);
    const human = await runCliInProcess(h.t.app, ['pull']);
    expect(human.lines).toEqual(expect.arrayContaining(['1 structure(s) non relevée(s) par ce processus :', expect.stringMatching(new RegExp(`^  ${b.siret} : structure en cours de relève`))]));

    const admin = apiAs(h.t, await createUserAndToken(h.t, { email: 'admin@pull.fr', role: 'admin', structureSirets: [a.siret, b.siret, c.siret] }));
    const outcomes = await admin.get('/api/pull/outcomes');
    expect(outcomes.status).toBe(200);
    expect((outcomes.body as Array<Record<string, unknown>>).map((o) => [o.siret, o.outcome, o.message])).toEqual(
      [
        [a.siret, 'ok', null],
        [b.siret, 'skipped', expect.stringContaining('en cours de relève par un autre processus')],
        [c.siret, 'failed', expect.stringMatching(/[a-zé]/)],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    // Scoped: an agent of a sees a only.
    const agent = apiAs(h.t, await createUserAndToken(h.t, { email: 'agent@pull.fr', role: 'agent', structureSirets: [a.siret] }));
    expect(((await agent.get('/api/pull/outcomes')).body as Array<{ siret: string }>).map((o) => o.siret)).toEqual([a.siret]);

    const metrics = await fetch(`${h.t.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain(`passerelle_pull_last_outcome{siret="${b.siret}",outcome="skipped"} 1`);
    expect(metrics).toContain(`passerelle_pull_last_outcome{siret="${c.siret}",outcome="failed"} 1`);
    expect(metrics).toContain(`passerelle_pull_last_outcome{siret="${a.siret}",outcome="ok"} 1`);
    expect(metrics).toMatch(new RegExp(`passerelle_pull_last_outcome_timestamp_seconds\\{siret="${a.siret}"\\} \\d+`));
  });
});
