import { mkdirSync, mkdtempSync, promises as fs, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { findStructure } from '@/fixtures-generator/good-flows.fixtures';
import { buildFlowSpec, renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { buildZip } from '@/fixtures-generator/zip.builder';
import { IngestionService } from '@/ingestion/ingestion.service';
import { exited, runCliInProcess, spawnPasserelle } from '@test/support/cli';
import { createTestApp, TestApp } from '@test/support/test-app';
import { createTestDatabase, TestDatabase, TEST_DB_KIND } from '@test/support/test-database';

const COMMUNE = findStructure('Commune de Saint-Aubin-sur-Loire');

/** Bytes and number of the files under `dir` (recursively). */
async function usage(dir: string): Promise<{ bytes: number; files: number }> {
  const out = { bytes: 0, files: 0 };
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await usage(path);
      out.bytes += sub.bytes;
      out.files += sub.files;
    } else {
      out.bytes += (await fs.stat(path)).size;
      out.files++;
    }
  }
  return out;
}

function writeFlows(dir: string, count: number, invoices: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const spec = buildFlowSpec(new SeededRng(500 + i), { index: 50 + i, invoiceCount: invoices, structure: COMMUNE, creditNoteRatio: 0, supplementaryAttachments: 1 });
    writeFileSync(join(dir, `flux-${String(i).padStart(3, '0')}.xml`), renderPivotFlow(spec));
  }
}

/**
 * The store used to grow without bound: every re-read of a known flow wrote a new randomly named pack of its
 * attachments, killed runs left their temp files, a flow-level zip bomb left its inflated bytes in store/tmp.
 */
describe('store hygiene', () => {
  const work = mkdtempSync(join(tmpdir(), 'store-hygiene-'));
  const flows = join(work, 'flows');
  let t: TestApp;
  /** The store after one clean import of `flows`. */
  let cleanUsage: { bytes: number; files: number };

  beforeAll(async () => {
    writeFlows(flows, 30, 25);
    t = await createTestApp({ config: { ingestion: { maxFlowBytes: 4 * 1024 * 1024 } } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('writes nothing for flows whose SHA-256 is known (re-importing them leaves the store as it was)', async () => {
    const ingestion = t.app.get(IngestionService);
    const first = await ingestion.importPaths([flows], { source: 'cli' });
    expect(first.flows.integrated).toBe(30);
    const before = await usage(t.config.storeDir);
    cleanUsage = before;
    for (let i = 0; i < 3; i++) {
      const again = await ingestion.importPaths([flows], { source: 'inbox' });
      expect(again.flows.alreadyImported).toBe(30);
    }
    expect(await usage(t.config.storeDir)).toEqual(before);
  });

  it('leaves nothing in store/tmp after a flow-level zip bomb', async () => {
    // 40 MB of one XML entry deflated into a few dozen KB, ten times the 4 MB flow limit of this app.
    const bomb = buildZip([
      { name: 'petit.xml', data: renderPivotFlow(buildFlowSpec(new SeededRng(1), { index: 99, invoiceCount: 1, structure: COMMUNE })) },
      { name: 'bombe.xml', data: Buffer.alloc(40 * 1024 * 1024, 0x20) },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const path = join(work, 'bombe.zip');
    writeFileSync(path, bomb);
    const report = await t.app.get(IngestionService).importPaths([path], { source: 'cli' });
    expect(report.errors).toEqual([expect.objectContaining({ code: 'ZIP_UNREADABLE', message: expect.stringMatching(/bombe\.xml dépasse 4\sMo/) })]);
    expect(await usage(join(t.config.storeDir, 'tmp'))).toEqual({ bytes: 0, files: 0 });
  });

  it('collects the temp files and unreferenced packs of killed runs (store gc), and nothing in use', async () => {
    const tmp = join(t.config.storeDir, 'tmp');
    writeFileSync(join(tmp, 'left-by-a-killed-run.pack'), Buffer.alloc(1000));
    const orphan = join(t.config.storeDir, 'packs', 'ab', `ab${'0'.repeat(30)}.pack`);
    mkdirSync(join(t.config.storeDir, 'packs', 'ab'), { recursive: true });
    writeFileSync(orphan, Buffer.alloc(2000));
    const before = await usage(t.config.storeDir);
    const gc = await runCliInProcess(t.app, ['store', 'gc', '--grace', '0']);
    expect(gc.lines).toEqual([expect.stringMatching(/^Stockage : 1 fichier\(s\) temporaire\(s\) et 1 paquet\(s\) de pièces jointes inutilisé\(s\) supprimé\(s\), 2,9\sKo libéré\(s\)\.$/)]);
    expect(await usage(t.config.storeDir)).toEqual({ bytes: before.bytes - 3000, files: before.files - 2 });
    const again = await runCliInProcess(t.app, ['store', 'gc']);
    expect(again.lines).toEqual(['Stockage : rien à libérer.']);
  });

  it('keeps a pack that only a raw flow points into (the pull keeps small raw flows as pack members)', async () => {
    const name = `cd${'1'.repeat(30)}`;
    mkdirSync(join(t.config.storeDir, 'packs', 'cd'), { recursive: true });
    const pack = join(t.config.storeDir, 'packs', 'cd', `${name}.pack`);
    writeFileSync(pack, Buffer.alloc(500));
    await t.app.get(DataSource).query(
      `INSERT INTO flows (sha256, file_name, source, size, storage_key, status, invoice_count) VALUES ($1, 'releve.zip!f.xml', 'api', 900, $2, 'integrated', 0)`,
      ['e'.repeat(64), `pack:${name}:0:500:gz`],
    );
    const gc = await runCliInProcess(t.app, ['store', 'gc', '--grace', '0']);
    expect(gc.lines).toEqual(['Stockage : rien à libérer.']);
    expect((await fs.stat(pack)).size).toBe(500);
  });

  describe('an import killed mid-way (kill -9)', () => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const db of dbs) await db.drop();
    });

    /** A data directory (and, under TEST_DB=postgres, a database) for one `passerelle` run. */
    const environment = async (name: string): Promise<NodeJS.ProcessEnv> => {
      const env: NodeJS.ProcessEnv = { DATA_DIR: join(work, name), LOG_LEVEL: 'warn' };
      if (TEST_DB_KIND === 'postgres') {
        const db = await createTestDatabase();
        dbs.push(db);
        env.DATABASE_URL = db.target.location;
      }
      return env;
    };

    it('returns, once the import is run again and `store gc` ran, to the size of a clean import', async () => {
      const killed = await environment('killed');
      const store = join(killed.DATA_DIR!, 'store');
      const child = spawnPasserelle(['import', flows, '--json'], killed);
      // Killed once a few flows have their files written, well before the 30th.
      while ((await usage(join(store, 'packs'))).files < 4 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      const end = await exited(child);
      expect([end.code, child.signalCode]).toEqual([null, 'SIGKILL']);

      const rerun = await exited(spawnPasserelle(['import', flows, '--json'], killed));
      expect(rerun.code).toBe(0);
      const report = JSON.parse(rerun.stdout.trim().split('\n').pop()!) as { flows: { integrated: number; alreadyImported: number } };
      expect(report.flows.integrated + report.flows.alreadyImported).toBe(30);
      const gc = await exited(spawnPasserelle(['store', 'gc', '--grace', '0', '--json'], killed));
      expect(gc.code).toBe(0);
      expect(JSON.parse(gc.stdout.trim().split('\n').pop()!)).toEqual({ tempFiles: expect.any(Number), packs: expect.any(Number), bytes: expect.any(Number) });
      expect(await usage(store)).toEqual(cleanUsage);
    });
  });
});
