import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAppContext } from '@/app.bootstrap';
import { arg, benchDatabase, benchDir, line, mb } from '@/bench/bench.support';
import { loadConfig } from '@/config/app.config';
import { DatabaseTarget } from '@/database/data-source.factory';
import { encodeFacture, FlowContext, writeAller, writeFacture } from '@/pes/pes-flow.builder';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { PesGenerateService } from '@/pes/pes-generate.service';
import { TitreData } from '@/pes/pes.types';
import { Xmlbuilder2Sink } from '@/bench/xmlbuilder2.sink';
import { TitresRepository } from '@/pes/titres.repository';
import { TitresService } from '@/pes/titres.service';

/**
 * Issue 6 targets: 10,000 titres into PES files — titres per second, ratio to xmlbuilder2's bare serialisation
 * of the same documents (each ASAP + each PES_Aller; target ≤ 2×), peak RSS.
 * Options: --titres N (10000), --per-bordereau N (1000), --pglite (embedded database instead of PostgreSQL).
 */
export async function pesBench(args: string[]): Promise<void> {
  const count = arg(args, 'titres', 10000);
  const perBordereau = arg(args, 'per-bordereau', 1000);
  const dir = benchDir('pes');
  const fixture = JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/titres/titres-2024.json'), 'utf8'));
  const pg = args.includes('--pglite') ? null : await benchDatabase();
  const target: DatabaseTarget = pg?.target ?? { kind: 'pglite', location: 'memory://' };
  const app = await createAppContext({ config: loadConfig({ ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' }), database: target });
  try {
    const budget = await app.get(PesBudgetsService).upsert(fixture.budget);
    // Editions 01 and 04 only (02 needs the directory), persons and entities, 1 to 2 lines, several VAT rates.
    const models = fixture.titres.filter((t: { edition: string }) => t.edition !== '02');
    const bodies = Array.from({ length: count }, (_, i) => ({ ...models[i % models.length], ref: `BENCH-${i}` }));
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < bodies.length; i += 1000) await app.get(TitresService).createMany(budget.code, bodies.slice(i, i + 1000));
    const recordMs = Number(process.hrtime.bigint() - t0) / 1e6;

    const generator = app.get(PesGenerateService);
    t0 = process.hrtime.bigint();
    const result = await generator.generate(budget.code, { outDir: join(dir, 'out'), maxTitres: perBordereau });
    const generateMs = Number(process.hrtime.bigint() - t0) / 1e6;
    // Peak so far: recording + generation (the xmlbuilder2 reference below builds whole DOMs and weighs more).
    const generateRss = process.resourceUsage().maxRSS * 1024;

    // Reference: the same documents (same titres, bordereaux, ASAP base64 computed beforehand) through
    // xmlbuilder2, serialisation only: no database, no gzip, no file.
    const titres: TitreData[] = (await app.get(TitresRepository).findAllForFlow(budget.id)).map(({ pdfName: _n, pdfStorageKey: _k, ...t }) => ({ ...t, pdf: null }));
    const byBordereau: Array<{ ctx: FlowContext; titres: TitreData[]; asap: Map<number, string> }> = [];
    for (const item of result.items) {
      const ctx: FlowContext = { settings: budget.settings, year: item.year, bordereauNumber: item.number, emittedOn: '2024-04-05', nomFic: item.fileName.replace(/\.xml$/, '') };
      const list = titres.slice((item.number - 1) * perBordereau, item.number * perBordereau);
      byBordereau.push({ ctx, titres: list, asap: new Map(list.map((t) => [t.number, encodeFacture(ctx, t).base64])) });
    }
    t0 = process.hrtime.bigint();
    let bytes = 0;
    for (const b of byBordereau) {
      for (const t of b.titres) {
        const f = new Xmlbuilder2Sink();
        writeFacture(f, b.ctx, t);
        bytes += f.end().length;
      }
      const w = new Xmlbuilder2Sink();
      writeAller(w, b.ctx, b.titres, { asap: (t) => b.asap.get(t.number)!, pdf: () => null });
      bytes += w.end().length;
    }
    const xb2Ms = Number(process.hrtime.bigint() - t0) / 1e6;

    const perSecond = result.titres / (generateMs / 1000);
    const ratio = generateMs / xb2Ms;
    const maxRss = process.resourceUsage().maxRSS * 1024;
    line('Base de données', pg ? 'PostgreSQL' : 'PGlite (mémoire)');
    line('Titres enregistrés', `${count} en ${(recordMs / 1000).toFixed(2)} s (${(count / (recordMs / 1000)).toFixed(0)}/s)`);
    line('Génération PES (bordereaux, ASAP gzip+base64, fichiers)', `${(generateMs / 1000).toFixed(2)} s, ${result.bordereaux} bordereaux, ${result.titres} titres`);
    line('Titres par seconde', perSecond.toFixed(0));
    line('xmlbuilder2, sérialisation seule', `${(xb2Ms / 1000).toFixed(2)} s (${mb(bytes)})`);
    line('Ratio génération / xmlbuilder2 (cible ≤ 2)', `${ratio.toFixed(2)} ${ratio <= 2 ? 'OK' : 'KO'}`);
    line('RSS maximal après génération', mb(generateRss));
    line('RSS maximal (avec la référence xmlbuilder2)', mb(maxRss));
    process.stdout.write(
      JSON.stringify({
        bench: 'pes',
        database: pg ? 'postgres' : 'pglite',
        titres: result.titres,
        bordereaux: result.bordereaux,
        recordSeconds: recordMs / 1000,
        generateSeconds: generateMs / 1000,
        titresPerSecond: Math.round(perSecond),
        xmlbuilder2Seconds: xb2Ms / 1000,
        ratio: Number(ratio.toFixed(2)),
        generateMaxRssMb: Math.round(generateRss / 1024 / 1024),
        maxRssMb: Math.round(maxRss / 1024 / 1024),
      }) + '\n',
    );
  } finally {
    await app.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
