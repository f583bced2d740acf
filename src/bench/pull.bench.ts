import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { createAppContext } from '@/app.bootstrap';
import { arg, benchDatabase, benchDir, line } from '@/bench/bench.support';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { SIMULATOR_SCENARIOS } from '@/chorus-pro/simulator/simulator.scenarios';
import { SimulatorStructureInfo, startSimulator } from '@/chorus-pro/simulator/simulator.server';
import { loadConfig } from '@/config/app.config';
import { PullService } from '@/pull/pull.service';
import { PullReport } from '@/pull/pull.types';
import { StructuresService } from '@/structures/structures.service';

/**
 * Issue « Pull at the API's pace »: 5,000 invoices in one structure, and 5,000 over 50 structures, each with no added
 * latency and with `--latency-ms 300`, pulled (a) in this process and (b) through the CLI (`passerelle pull` against
 * `passerelle simulator --scenario … --latency-ms …`, two processes). Target: wall time ≤ 3× the call floor
 * (calls ÷ quota), 0 × 429, every invoice stored once. The simulator serves prepared groups (built once per scenario)
 * and reports its own serving time, so that what is measured is the pull.
 *
 * Options: --scenario NAME (one of SIMULATOR_SCENARIOS), --latency-ms N, --rate 20, --only in-process|cli,
 * --group-max-invoices 200, --rate-calls 400 (the client alone, call-bound, in-process only).
 */

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SECRET = 'bench-secret-key-0123456789abcdef';

interface SimStats {
  total: number;
  rejected429: number;
  servingMs: number;
  maxInFlight: number;
  downloadedInvoices: number;
  downloadedTwice: number;
  firstCallAt: number | null;
  preparedAnswers: number;
  builtAnswers: number;
}

interface RunFigures {
  mode: 'in-process' | 'cli';
  scenario: string;
  latencyMs: number;
  expected: number;
  stored: number;
  distinct: number;
  created: number;
  errors: number;
  calls: number;
  wallS: number;
  /** CLI: from the spawn to the first API call (Node start, Nest bootstrap, database). */
  startupS?: number;
  floorS: number;
  ratio: number;
  servingS: number;
  /** telecharger/groupe answers served from prepared parts, and those the simulator had to build during the pull. */
  preparedAnswers: number;
  builtAnswers: number;
  maxInFlight: number;
  rejected429: number;
  importS?: number;
  statusS?: number;
}

export async function pullBench(args: string[]): Promise<void> {
  const rate = arg(args, 'rate', 20);
  const groupMaxInvoices = arg(args, 'group-max-invoices', 200);
  const scenarioArg = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : undefined;
  const scenarios = scenarioArg ? [scenarioArg] : ['one-structure', 'fifty-structures'];
  const latencies = args.includes('--latency-ms') ? [arg(args, 'latency-ms', 0)] : [0, 300];
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const figures: RunFigures[] = [];

  if (only !== 'cli') {
    for (const scenario of scenarios) {
      const t0 = Date.now();
      const sim = await startSimulator({ scenario, rate, prepareGroups: groupMaxInvoices });
      process.stdout.write(`\nSimulateur (dans ce processus) : ${scenario}, ${SIMULATOR_SCENARIOS[scenario].description}, préparé en ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      try {
        for (const latencyMs of latencies) {
          sim.setLatency(latencyMs);
          sim.state.resetStats();
          figures.push(await inProcessRun(scenario, latencyMs, rate, groupMaxInvoices, sim));
          printRun(figures[figures.length - 1]);
        }
        if (scenario === scenarios[0] && !args.includes('--no-rate-check')) await callBound(args, rate, sim);
      } finally {
        await sim.close();
      }
    }
  }
  if (only !== 'in-process') {
    for (const scenario of scenarios) {
      for (const latencyMs of latencies) {
        figures.push(await cliRun(scenario, latencyMs, rate, groupMaxInvoices));
        printRun(figures[figures.length - 1]);
      }
    }
  }

  process.stdout.write('\nRésumé (cible : durée ≤ 3 × plancher, 0 × 429, chaque facture une fois)\n');
  for (const f of figures) {
    const ok = f.ratio <= 3 && f.rejected429 === 0 && f.stored === f.expected && f.distinct === f.expected;
    line(`${f.mode} ${f.scenario} ${f.latencyMs} ms`, `${f.wallS.toFixed(1)} s / ${f.floorS.toFixed(1)} s = ${f.ratio.toFixed(2)}× ${ok ? 'OK' : 'KO'}`);
  }
  process.stdout.write(JSON.stringify({ bench: 'pull', rate, runs: figures }) + '\n');
}

/** The pull in this process, on a fresh database, against the prepared in-process simulator. */
async function inProcessRun(
  scenario: string,
  latencyMs: number,
  rate: number,
  groupMaxInvoices: number,
  sim: Awaited<ReturnType<typeof startSimulator>>,
): Promise<RunFigures> {
  const dir = benchDir('pull');
  const db = await benchDatabase();
  const config = loadConfig(
    { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PASSERELLE_SECRET_KEY: SECRET },
    { chorusPro: { apiUrl: sim.apiUrl, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, callsPerSecond: rate, groupMaxInvoices } },
  );
  const app = await createAppContext({ config, database: db.target });
  try {
    await declareStructures(app.get(StructuresService), sim.structures);
    sim.state.resetStats();
    const t0 = Date.now();
    const report = await app.get(PullService).run();
    const wallS = (Date.now() - t0) / 1000;
    const s = sim.state.statsSummary() as unknown as SimStats;
    return figuresOf('in-process', scenario, latencyMs, rate, sim.state.invoices.size, await storedCounts(app.get(DataSource)), report, s, wallS);
  } finally {
    await app.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `passerelle simulator --scenario … --latency-ms …` and `passerelle pull --json`, each its own process. */
async function cliRun(scenario: string, latencyMs: number, rate: number, groupMaxInvoices: number): Promise<RunFigures> {
  const dir = benchDir('pull-cli');
  const db = await benchDatabase();
  const t0 = Date.now();
  const simProcess = spawn(process.execPath, [CLI, 'simulator', '--port', '0', '--scenario', scenario, '--latency-ms', String(latencyMs), '--rate', String(rate), '--prepare-groups', String(groupMaxInvoices)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const info = (await firstLine(simProcess)) as { apiUrl: string; tokenUrl: string; statsUrl: string; clientId: string; clientSecret: string; structures: SimulatorStructureInfo[] };
    process.stdout.write(`\nSimulateur (passerelle simulator) : ${scenario}, latence ${latencyMs} ms, prêt en ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const env = {
      ...process.env,
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: db.target.location,
      LOG_LEVEL: 'warn',
      PASSERELLE_SECRET_KEY: SECRET,
      CHORUS_PRO_API_URL: info.apiUrl,
      CHORUS_PRO_TOKEN_URL: info.tokenUrl,
      PISTE_CLIENT_ID: info.clientId,
      PISTE_CLIENT_SECRET: info.clientSecret,
      CHORUS_PRO_CALLS_PER_SECOND: String(rate),
    };
    // Structures and accounts declared beforehand (not timed), as an administrator would have.
    const setup = await createAppContext({ config: loadConfig(env), database: db.target });
    try {
      await declareStructures(setup.get(StructuresService), info.structures);
    } finally {
      await setup.close();
    }
    const spawnedAt = Date.now();
    const pull = await runToEnd(spawn(process.execPath, [CLI, 'pull', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] }));
    const wallS = (Date.now() - spawnedAt) / 1000;
    if (pull.code !== 0 && pull.code !== 2) throw new Error(`passerelle pull a échoué (code ${pull.code})`);
    const report = JSON.parse(pull.stdout.trim().split('\n').pop() as string) as PullReport;
    const s = (await (await fetch(info.statsUrl)).json()) as SimStats;
    const check = await createAppContext({ config: loadConfig(env), database: db.target });
    try {
      const figures = figuresOf('cli', scenario, latencyMs, rate, SIMULATOR_SCENARIOS[scenario].invoices, await storedCounts(check.get(DataSource)), report, s, wallS);
      figures.startupS = s.firstCallAt ? (s.firstCallAt - spawnedAt) / 1000 : undefined;
      return figures;
    } finally {
      await check.close();
    }
  } finally {
    simProcess.kill('SIGTERM');
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function figuresOf(
  mode: RunFigures['mode'],
  scenario: string,
  latencyMs: number,
  rate: number,
  expected: number,
  counts: { stored: number; distinct: number },
  report: PullReport,
  s: SimStats,
  wallS: number,
): RunFigures {
  const floorS = s.total / rate;
  return {
    mode,
    scenario,
    latencyMs,
    expected,
    ...counts,
    created: report.invoices.created,
    errors: report.errors.length,
    calls: s.total,
    wallS,
    floorS,
    ratio: wallS / floorS,
    servingS: s.servingMs / 1000,
    preparedAnswers: s.preparedAnswers,
    builtAnswers: s.builtAnswers,
    maxInFlight: s.maxInFlight,
    rejected429: s.rejected429,
    importS: report.timings ? report.timings.importMs / 1000 : undefined,
    statusS: report.timings ? report.timings.statusMs / 1000 : undefined,
  };
}

function printRun(f: RunFigures): void {
  process.stdout.write(`— ${f.mode === 'cli' ? 'CLI' : 'dans le processus'} · ${f.scenario} · latence ${f.latencyMs} ms\n`);
  line('Durée de la relève (mur)', `${f.wallS.toFixed(2)} s${f.startupS !== undefined ? ` (dont démarrage jusqu’au 1er appel : ${f.startupS.toFixed(2)} s)` : ''}`);
  line('Plancher d’appels (appels ÷ quota)', `${f.floorS.toFixed(2)} s (${f.calls} appels ÷ ${(f.calls / f.floorS).toFixed(0)}/s)`);
  line('Ratio durée ÷ plancher (cible ≤ 3)', `${f.ratio.toFixed(2)} ${f.ratio <= 3 ? 'OK' : 'KO'}`);
  line('Temps de service du simulateur', `${f.servingS.toFixed(2)} s`);
  line('Téléchargements préparés / construits', `${f.preparedAnswers} / ${f.builtAnswers}${f.builtAnswers === 0 ? ' OK' : ''}`);
  line('Appels en vol au plus', `${f.maxInFlight}`);
  line('429 reçus (cible 0)', `${f.rejected429} ${f.rejected429 === 0 ? 'OK' : 'KO'}`);
  line('Factures enregistrées (attendu, distinctes)', `${f.stored} (${f.expected}, ${f.distinct} distinctes) ${f.stored === f.expected && f.distinct === f.expected ? 'OK' : 'KO'}${f.errors ? `, ${f.errors} erreur(s)` : ''}`);
  if (f.importS !== undefined) line('dont import / statuts (cumul des structures)', `${f.importS.toFixed(1)} s / ${(f.statusS ?? 0).toFixed(1)} s`);
}

/** The client alone, call-bound (10 concurrent callers): does the shared quota reach the rate without a 429? */
async function callBound(args: string[], rate: number, sim: Awaited<ReturnType<typeof startSimulator>>): Promise<void> {
  const rateCalls = arg(args, 'rate-calls', 400);
  const dir = benchDir('pull-rate');
  const db = await benchDatabase();
  const config = loadConfig(
    { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PASSERELLE_SECRET_KEY: SECRET },
    { chorusPro: { apiUrl: sim.apiUrl, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, callsPerSecond: rate } },
  );
  const app = await createAppContext({ config, database: db.target });
  try {
    sim.setLatency(0);
    sim.state.resetStats();
    const api = app.get(ChorusProApi);
    const account = { login: sim.state.structures[0].login, password: sim.state.structures[0].password };
    let left = rateCalls;
    const t1 = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (left-- > 0) await api.recupererEtatsTraitement({ account }, { statutCourant: 'MISE_A_DISPOSITION' });
      }),
    );
    const rateS = (Date.now() - t1) / 1000;
    const achieved = sim.state.stats.total / rateS;
    process.stdout.write(`— Client seul, limité par le quota : ${rateCalls} appels, 10 appelants\n`);
    line('Appels/s atteints (cible ≥ 18)', `${achieved.toFixed(1)} ${achieved >= 18 ? 'OK' : 'KO'}`);
    line('429 reçus (cible 0)', `${sim.state.stats.rejected429}`);
    line('Max appels reçus sur 1 s glissante', `${maxInWindow(sim.state.stats.arrivals, 1000)}`);
  } finally {
    await app.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function declareStructures(service: StructuresService, structures: SimulatorStructureInfo[]): Promise<void> {
  for (const s of structures) {
    await service.upsert({ siret: s.siret, name: s.name, services: s.services.map((code) => ({ code, label: code, active: true })), serviceRequired: false, engagementRequired: false, paymentDelayDays: 30 });
    await service.setTechnicalAccount(s.siret, s.login, s.password);
  }
}

async function storedCounts(db: DataSource): Promise<{ stored: number; distinct: number }> {
  const rows: Array<{ n: number; d: number }> = await db.query(`SELECT count(*)::int AS n, count(DISTINCT cpro_id)::int AS d FROM invoices`);
  return { stored: Number(rows[0].n), distinct: Number(rows[0].d) };
}

function firstLine(child: ChildProcess): Promise<unknown> {
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => done(JSON.parse(l)));
    child.once('exit', (code) => fail(new Error(`le simulateur s’est arrêté (code ${code})`)));
  });
}

function runToEnd(child: ChildProcess): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout }));
  });
}

function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
