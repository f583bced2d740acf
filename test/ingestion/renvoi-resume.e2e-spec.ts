import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { createTestApp, TestApp } from '@test/support/test-app';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

/**
 * Resuming an interrupted import of a `Renvoi=Complétée` flow added a second RENVOI_COMPLETEE step (and its validation
 * rows again), and the re-sent flow, carrying the whole validation cycle again, duplicated the steps already recorded.
 */
describe('Renvoi=Complétée: applied once, even when its import is resumed', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    await declareFixtureStructures(t.app);
  });
  afterAll(async () => t?.close());

  const counts = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM invoice_history WHERE step = 'RENVOI_COMPLETEE') AS steps,
                (SELECT count(*)::int FROM invoice_validations) AS validations,
                (SELECT count(*)::int FROM invoice_attachments) AS attachments`,
      )
    )[0] as { steps: number; validations: number; attachments: number };

  it('adds one step, the new attachment and no validation twice; a resumed import changes nothing more', async () => {
    const ingestion = t.app.get(IngestionService);
    await ingestion.importPaths([join(FIXTURES, 'pivot', 'flux-001.xml')], { source: 'cli' });
    const before = await counts();

    const first = await ingestion.importPaths([join(FIXTURES, 'pivot-bad', 'renvoi-completee.xml')], { source: 'cli' });
    expect(first.invoices.updated).toBe(1);
    const after = await counts();
    expect(after).toEqual({ steps: 1, validations: before.validations, attachments: before.attachments + 1 });

    // Interrupted before the flow was finalised: the next import resumes it.
    await db.query(`UPDATE flows SET status = 'processing' WHERE file_name = 'renvoi-completee.xml'`);
    const resumed = await ingestion.importPaths([join(FIXTURES, 'pivot-bad', 'renvoi-completee.xml')], { source: 'cli' });
    expect(resumed.flows.integrated).toBe(1);
    expect(resumed.invoices.updated).toBe(0);
    expect(await counts()).toEqual(after);
    const [flow] = await db.query(`SELECT status FROM flows WHERE file_name = 'renvoi-completee.xml'`);
    expect(flow.status).toBe('integrated');
  });
});
