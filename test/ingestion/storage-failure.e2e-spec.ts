import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { createTestApp, TestApp } from '@test/support/test-app';

const FLOW = resolve(__dirname, '..', '..', 'fixtures', 'pivot', 'flux-001.xml');

/**
 * A failure of the attachment store (disk full, permissions) is not the flow's fault: the import fails with the system
 * error and records nothing, so the same file imports normally once the disk is fixed. (Recording the flow as rejected
 * would make it « already imported » for good, and the inbox would file it under rejected/.)
 */
describe('storage failure during an import', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
  });
  afterAll(async () => t?.close());

  it('fails the import and stores nothing; the same file imports once the store works again', async () => {
    const broken = join(t.config.storeDir, 'tmp');
    await fs.mkdir(t.config.storeDir, { recursive: true });
    await fs.writeFile(broken, 'a file where the temp directory should be');
    await expect(t.app.get(IngestionService).importPaths([FLOW], { source: 'cli' })).rejects.toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) });
    const db = t.app.get(DataSource);
    expect(await db.query('SELECT count(*)::int AS n FROM flows')).toEqual([{ n: 0 }]);
    expect(await db.query('SELECT count(*)::int AS n FROM invoices')).toEqual([{ n: 0 }]);

    await fs.rm(broken);
    const report = await t.app.get(IngestionService).importPaths([FLOW], { source: 'cli' });
    expect(report.flows).toEqual({ integrated: 1, partial: 0, rejected: 0, alreadyImported: 0, alreadyRejected: 0 });
    expect(report.invoices.created).toBeGreaterThan(0);
  });
});
