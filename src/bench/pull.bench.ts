import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createAppContext } from '@/app.bootstrap';
import { arg, benchDatabase, benchDir, line } from '@/bench/bench.support';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { startSimulator } from '@/chorus-pro/simulator/simulator.server';
import { loadConfig } from '@/config/app.config';
import { PullService } from '@/pull/pull.service';
import { StructuresService } from '@/structures/structures.service';

/**
 * Issue « Pull received invoices from the Chorus Pro API » targets: pull 5,000 invoices from the simulator at
 * --rate 20 with no 429 received, ≤ 0.1 API call per invoice, wall time compared with the floor calls / 20;
 * then the client alone, call-bound (--rate-calls calls from 10 concurrent callers): calls/s achieved ≥ 18.
 */
export async function pullBench(args: string[]): Promise<void> {
  const invoices = arg(args, 'invoices', 5000);
  const structures = arg(args, 'structures', 5);
  const rate = arg(args, 'rate', 20);
  const groupMaxInvoices = arg(args, 'group-max-invoices', 200);
  const downloadConcurrency = arg(args, 'download-concurrency', 8);
  const rateCalls = arg(args, 'rate-calls', 400);
  const pivotPerGroup = args.includes('--pivot-per-group');
  const dir = benchDir('pull');
  process.stdout.write(
    `Simulateur : ${structures} structures, ${invoices} factures, ${rate} appels/s, ${pivotPerGroup ? 'un flux pivot par groupe' : 'un flux pivot par facture'}…\n`,
  );
  const sim = await startSimulator({ structures, invoices, rate, pivotPerGroup });
  const db = await benchDatabase();
  const config = loadConfig(
    { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PASSERELLE_SECRET_KEY: 'bench-secret-key-0123456789abcdef' },
    {
      chorusPro: {
        apiUrl: sim.apiUrl,
        tokenUrl: sim.tokenUrl,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        callsPerSecond: rate,
        groupMaxInvoices,
        downloadConcurrency,
      },
    },
  );
  const app = await createAppContext({ config, database: db.target });
  try {
    const structuresService = app.get(StructuresService);
    for (const s of sim.state.structures) {
      await structuresService.upsert({
        siret: s.siret,
        name: s.name,
        services: s.demo.services,
        serviceRequired: s.demo.serviceRequired,
        engagementRequired: s.demo.engagementRequired,
        paymentDelayDays: s.demo.paymentDelayDays,
      });
      await structuresService.setTechnicalAccount(s.siret, s.login, s.password);
    }

    // 1. The nightly pull.
    const t0 = Date.now();
    const report = await app.get(PullService).run();
    const wallS = (Date.now() - t0) / 1000;
    const stats = sim.state.stats;
    const calls = stats.total;
    const apiSpanS = (stats.arrivals[stats.arrivals.length - 1] - stats.arrivals[0]) / 1000 || 1;
    const floorS = calls / rate;
    line('Factures créées', `${report.invoices.created} / ${invoices} (${report.errors.length} erreur(s))`);
    line('Appels API (simulateur)', `${calls} (${Object.entries(stats.calls).map(([k, v]) => `${k.split('/').slice(-2).join('/')} ${v}`).join(', ')})`);
    line('Appels par facture (cible ≤ 0,1)', `${(calls / invoices).toFixed(3)} ${calls / invoices <= 0.1 ? 'OK' : 'KO'}`);
    line('429 reçus (cible 0)', `${stats.rejected429} ${stats.rejected429 === 0 ? 'OK' : 'KO'}`);
    line('Durée totale de la relève', `${wallS.toFixed(1)} s (plancher appels / ${rate} : ${floorS.toFixed(1)} s, ratio ${(wallS / floorS).toFixed(1)})`);
    line('Appels/s sur la période d’appels', `${(calls / apiSpanS).toFixed(1)} (1er → dernier appel : ${apiSpanS.toFixed(1)} s)`);
    line('dont import des groupes / statuts', `${((report.timings?.importMs ?? 0) / 1000).toFixed(1)} s / ${((report.timings?.statusMs ?? 0) / 1000).toFixed(1)} s`);
    line('Factures par seconde (bout en bout)', `${(report.invoices.created / wallS).toFixed(0)}`);
    line('Max appels reçus sur 1 s glissante', `${maxInWindow(stats.arrivals, 1000)}`);

    // 2. The client alone, call-bound: does the shared quota reach the rate without a 429?
    const before = { total: stats.total, rejected: stats.rejected429, arrivals: stats.arrivals.length };
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
    const achieved = (stats.total - before.total) / rateS;
    line(`Client seul : ${rateCalls} appels, 10 appelants`, `${rateS.toFixed(1)} s`);
    line('Appels/s atteints (cible ≥ 18)', `${achieved.toFixed(1)} ${achieved >= 18 ? 'OK' : 'KO'}`);
    line('429 reçus (cible 0)', `${stats.rejected429 - before.rejected} ${stats.rejected429 === before.rejected ? 'OK' : 'KO'}`);
    line('Max appels reçus sur 1 s glissante', `${maxInWindow(stats.arrivals.slice(before.arrivals), 1000)}`);
    process.stdout.write(
      JSON.stringify({
        bench: 'pull',
        invoices: report.invoices.created,
        calls,
        callsPerInvoice: calls / invoices,
        wallSeconds: wallS,
        floorSeconds: floorS,
        rejected429: stats.rejected429,
        callBoundCallsPerSecond: achieved,
      }) + '\n',
    );
  } finally {
    await app.close();
    await sim.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
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
