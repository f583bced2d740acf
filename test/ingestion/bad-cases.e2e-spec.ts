import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { ALL_INVOICES } from '@/users/principal';
import { createTestApp, TestApp } from '@test/support/test-app';

// The project's own fixtures (made by `npm run fixtures`), each bad case with the outcome it expects.
const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as {
  good: Array<{ file: string; invoices: Array<{ number: string }> }>;
  bad: Array<{ file: string; level: 'invoice' | 'flow'; expectedCode: string; title: string; prerequisite?: string }>;
};

describe('ingestion of the generated fixtures: good flows and every bad case', () => {
  let t: TestApp;
  let ingestion: IngestionService;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ingestion = t.app.get(IngestionService);
    db = t.app.get(DataSource);
    await declareFixtureStructures(t.app);
  });
  afterAll(async () => t?.close());

  it('integrates the good flows, every invoice, with no anomaly and the right due dates', async () => {
    const report = await ingestion.importPaths([join(FIXTURES, 'pivot')], { source: 'cli' });
    const expected = manifest.good.reduce((n, g) => n + g.invoices.length, 0);
    expect(report.flows).toEqual({ integrated: manifest.good.length, partial: 0, rejected: 0, alreadyImported: 0, alreadyRejected: 0 });
    expect(report.invoices).toEqual({ created: expected, updated: 0, duplicates: 0, withAnomalies: 0 });
    // The hospital's payment delay is 50 days, the others' 30.
    const rows = await db.query(
      `SELECT s.payment_delay_days AS delay, (i.due_date - i.reception_date) AS days FROM invoices i JOIN structures s ON s.id = i.structure_id`,
    );
    for (const r of rows) expect(Number(r.days)).toBe(Number(r.delay));
  });

  it('links credit notes to their origin invoice', async () => {
    const rows = await db.query(`SELECT c.number, o.number AS origin FROM invoices c JOIN invoices o ON o.id = c.origin_invoice_id WHERE c.type = '381'`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const notLinked = await db.query(`SELECT number FROM invoices WHERE type = '381' AND origin_invoice_id IS NULL`);
    expect(notLinked).toEqual([]);
  });

  for (const bad of manifest.bad) {
    it(`${bad.file}: ${bad.title}`, async () => {
      const path = join(FIXTURES, bad.file);
      const before = Number((await db.query('SELECT count(*)::int AS n FROM invoices'))[0].n);
      const report = await ingestion.importPaths([path], { source: 'cli' });
      const codes = report.errors.map((e) => e.code);
      if (bad.level === 'flow' && bad.expectedCode !== 'NONE') {
        expect(report.flows.rejected).toBe(1);
        expect(codes).toContain(bad.expectedCode);
        expect(report.errors[0].message).toMatch(/[a-zé]/i);
        // A rejected flow stores no invoice, and its raw file is kept.
        expect(Number((await db.query('SELECT count(*)::int AS n FROM invoices'))[0].n)).toBe(before);
        const flow = await db.query(`SELECT status, error_code FROM flows WHERE file_name = $1`, [bad.file.split('/').pop()]);
        expect(flow[0]).toEqual({ status: 'rejected', error_code: bad.expectedCode });
        return;
      }
      expect(report.flows.rejected).toBe(0);
      if (bad.expectedCode === 'INVOICE_UNREADABLE') {
        expect(report.flows.partial).toBe(1);
        expect(report.invoices.created).toBe(2);
        expect(codes).toEqual(['INVOICE_UNREADABLE']);
      } else if (bad.expectedCode === 'DUPLICATE_INVOICE') {
        expect(report.invoices.duplicates).toBeGreaterThanOrEqual(1);
        expect(codes).toContain('DUPLICATE_INVOICE');
      } else if (bad.expectedCode !== 'NONE') {
        const numbers = await db.query(
          `SELECT i.anomaly_codes FROM invoices i JOIN flows f ON f.id = i.flow_id WHERE f.file_name = $1`,
          [bad.file.split('/').pop()],
        );
        expect(numbers.length).toBeGreaterThan(0);
        expect(numbers.flatMap((r: { anomaly_codes: string[] }) => r.anomaly_codes)).toContain(bad.expectedCode);
        expect(report.invoices.withAnomalies).toBeGreaterThan(0);
      }
    });
  }

  it('Renvoi « Complétée » updated the known invoice with one more attachment and a history step', async () => {
    const first = manifest.good[0].invoices[0].number;
    const inv = await db.query(`SELECT id, cpp_status, attachment_count FROM invoices WHERE number = $1`, [first]);
    expect(inv).toHaveLength(1);
    const attachments = await db.query(`SELECT count(*)::int AS n FROM invoice_attachments WHERE invoice_id = $1`, [inv[0].id]);
    expect(Number(attachments[0].n)).toBeGreaterThanOrEqual(2);
    const steps = await db.query(`SELECT step FROM invoice_history WHERE invoice_id = $1 ORDER BY id`, [inv[0].id]);
    expect(steps.map((s: { step: string }) => s.step)).toEqual(expect.arrayContaining(['LECTURE_FLUX', 'RENVOI_COMPLETEE']));
  });

  it('the ISO-8859-1 flow is decoded correctly', async () => {
    const rows = await db.query(`SELECT supplier_name FROM invoices i JOIN flows f ON f.id = i.flow_id WHERE f.file_name = 'iso-8859-1-accents.xml'`);
    expect(rows.map((r: { supplier_name: string }) => r.supplier_name).join(' ')).toMatch(/[ÉéœâÂ]/);
  });

  it('a crashed run is completed by re-running the import, with no duplicate', async () => {
    // State a crash between two batches leaves: the flow row 'processing', only some invoices stored.
    const file = join(FIXTURES, 'pivot', 'flux-002.xml');
    const flow = await db.query(`SELECT id FROM flows WHERE file_name = 'flux-002.xml'`);
    const ids = await db.query(`SELECT id FROM invoices WHERE flow_id = $1 ORDER BY num_ordre`, [flow[0].id]);
    const total = ids.length;
    await db.query(`UPDATE invoices SET origin_invoice_id = NULL WHERE origin_invoice_id = ANY($1::uuid[])`, [ids.slice(2).map((r: { id: string }) => r.id)]);
    await db.query(`DELETE FROM invoices WHERE id = ANY($1::uuid[])`, [ids.slice(2).map((r: { id: string }) => r.id)]);
    await db.query(`UPDATE flows SET status = 'processing', completed_at = NULL WHERE id = $1`, [flow[0].id]);
    const report = await ingestion.importPaths([file], { source: 'cli' });
    expect(report.flows.integrated).toBe(1);
    expect(report.invoices.created).toBe(total - 2);
    expect(report.invoices.duplicates).toBe(0);
    const after = await db.query(`SELECT count(*)::int AS n FROM invoices WHERE flow_id = $1`, [flow[0].id]);
    expect(Number(after[0].n)).toBe(total);
  });

  it('the daily anomaly report lists the anomalies per structure', async () => {
    const { AnomalyReportService } = await import('@/flows/anomaly-report.service');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const report = await t.app.get(AnomalyReportService).forDate(today, 'Europe/Paris', ALL_INVOICES);
    const codes = report.structures.flatMap((s) => s.lines.map((l) => l.code));
    expect(codes).toEqual(expect.arrayContaining(['UNKNOWN_SERVICE', 'INVALID_IBAN', 'WRONG_ROOT', 'INVOICE_UNREADABLE']));
    const withSiret = report.structures.filter((s) => s.siret);
    expect(withSiret.length).toBeGreaterThan(0);
    for (const line of withSiret[0].lines) expect(line).toEqual(expect.objectContaining({ flowId: expect.any(String), date: today }));
  });
});
