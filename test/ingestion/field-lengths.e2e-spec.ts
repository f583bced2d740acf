import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { NUMERIC_COLUMNS, VARCHAR_COLUMNS } from '@/database/column.limits';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { findStructure } from '@/fixtures-generator/good-flows.fixtures';
import { buildFlowSpec, PivotFlowSpec, renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { InboxService } from '@/ingestion/inbox.service';
import { IngestionService } from '@/ingestion/ingestion.service';
import { createTestApp, TestApp } from '@test/support/test-app';

const COMMUNE = findStructure('Commune de Saint-Aubin-sur-Loire');

/** A flow of `count` good invoices of the commune, numbered from `index` × 10,000. */
function flow(index: number, count: number, poison?: (spec: PivotFlowSpec) => void): Buffer {
  const spec = buildFlowSpec(new SeededRng(index), { index, invoiceCount: count, structure: COMMUNE, creditNoteRatio: 0 });
  poison?.(spec);
  return renderPivotFlow(spec);
}

/**
 * One over-long field (a 101-character CodeService, a 10,000-character invoice number, an amount beyond numeric(24,6))
 * used to abort the whole flow with « value too long for type character varying(100) »: 0 of its invoices stored, and
 * the next files of the scan not imported either. Lengths are now checked when reading, against the columns
 * (src/database/column.limits.ts) and the XSD.
 */
describe('field lengths: one over-long value never blocks its neighbours', () => {
  let t: TestApp;
  let db: DataSource;
  const dir = mkdtempSync(join(tmpdir(), 'field-lengths-'));

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    await declareFixtureStructures(t.app);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches the limits table with the database columns', async () => {
    const rows: Array<{ t: string; c: string; len: number | null; p: number | null; s: number | null }> = await db.query(
      `SELECT table_name AS t, column_name AS c, character_maximum_length AS len, numeric_precision AS p, numeric_scale AS s
         FROM information_schema.columns WHERE table_schema = current_schema()`,
    );
    const byName = new Map(rows.map((r) => [`${r.t}.${r.c}`, r]));
    for (const [column, max] of Object.entries(VARCHAR_COLUMNS)) expect([column, Number(byName.get(column)?.len)]).toEqual([column, max]);
    for (const [column, [p, s]] of Object.entries(NUMERIC_COLUMNS)) {
      expect([column, Number(byName.get(column)?.p), Number(byName.get(column)?.s)]).toEqual([column, p, s]);
    }
  });

  it('stores the 9 good invoices beside a 101-character CodeService, and the good file next to it in the same scan', async () => {
    const inbox = t.app.get(InboxService);
    const files = {
      'a-poison-service.xml': flow(71, 10, (s) => (s.invoices[3].debtor.serviceCode = 'S'.repeat(101))),
      'b-poison-number.xml': flow(72, 10, (s) => (s.invoices[5].number = '9'.repeat(10_000))),
      'c-good.xml': flow(73, 4),
    };
    mkdirSync(inbox.inboxDir, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    for (const [name, bytes] of Object.entries(files)) {
      writeFileSync(join(inbox.inboxDir, name), bytes);
      utimesSync(join(inbox.inboxDir, name), old, old);
    }
    const report = await inbox.scan(0);
    expect(report.flows).toEqual({ integrated: 1, partial: 2, rejected: 0, alreadyImported: 0, alreadyRejected: 0 });
    expect(report.invoices.created).toBe(9 + 9 + 4);
    const unreadable = report.errors.filter((e) => e.code === 'INVOICE_UNREADABLE');
    expect(unreadable.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Facture illisible : Debiteur\/CodeService de 101 caractères \(100 au plus\)$/),
      expect.stringMatching(/^Facture illisible : DonneesFacture\/Id de 10\s000 caractères \(100 au plus\)$/),
    ]);
    const flows = await db.query(`SELECT file_name, status, invoice_count FROM flows ORDER BY file_name`);
    expect(flows).toEqual([
      { file_name: 'a-poison-service.xml', status: 'partial', invoice_count: 9 },
      { file_name: 'b-poison-number.xml', status: 'partial', invoice_count: 9 },
      { file_name: 'c-good.xml', status: 'integrated', invoice_count: 4 },
    ]);
    const errors = await db.query(`SELECT num_ordre, code FROM flow_errors ORDER BY num_ordre`);
    expect(errors).toEqual([
      { num_ordre: 4, code: 'INVOICE_UNREADABLE' },
      { num_ordre: 6, code: 'INVOICE_UNREADABLE' },
    ]);
    // A scan again changes nothing (the files were archived; re-importing them: « déjà importé »).
    const again = await t.app.get(IngestionService).importPaths([join(inbox.inboxDir, 'archive')], { source: 'cli' });
    expect(again.flows.alreadyImported).toBe(3);
  });

  it('stores with a FIELD_TOO_LONG anomaly a value over the XSD that fits its column; refuses an amount numeric(24,6) cannot hold', async () => {
    const path = join(dir, 'xsd-over.xml');
    writeFileSync(
      path,
      flow(74, 3, (s) => {
        s.invoices[0].number = `N${'1'.repeat(29)}`; // 30 characters: XSD 20, column 100
        s.invoices[1].amounts.ht = '1234567890123456789.50'; // 19 digits before the point
        s.invoices[2].lines[0].quantity = '1.1234567'; // 7 decimals: PostgreSQL would round it
      }),
    );
    const report = await t.app.get(IngestionService).importPaths([path], { source: 'cli' });
    expect(report.invoices.created).toBe(1);
    expect(report.errors.map((e) => e.message)).toEqual([
      'Facture illisible : Montants/MontantHT « 1234567890123456789.50 » : 18 chiffres au plus avant la virgule',
      'Facture illisible : Ligne/Quantite « 1.1234567 » : 6 décimales au plus',
    ]);
    const [stored] = await db.query(
      `SELECT i.number, i.anomaly_codes, a.message FROM invoices i JOIN invoice_anomalies a ON a.invoice_id = i.id AND a.code = 'FIELD_TOO_LONG' WHERE i.number LIKE 'N111%'`,
    );
    expect(stored).toMatchObject({ number: `N${'1'.repeat(29)}`, anomaly_codes: expect.arrayContaining(['FIELD_TOO_LONG']) });
    expect(stored.message).toBe('Champ trop long : DonneesFacture/Id de 30 caractères (20 au plus selon le format pivot)');
  });

  it('keeps a flow whose IdFlx is too long for its column (the value stays in the envelope)', async () => {
    const path = join(dir, 'long-idflx.xml');
    writeFileSync(path, flow(75, 2, (s) => (s.idFlx = 'X'.repeat(150))));
    const report = await t.app.get(IngestionService).importPaths([path], { source: 'cli' });
    expect(report.flows.integrated).toBe(1);
    const [row] = await db.query(`SELECT id_flx, envelope->>'idFlx' AS whole FROM flows WHERE file_name = 'long-idflx.xml'`);
    expect(row).toEqual({ id_flx: null, whole: 'X'.repeat(150) });
  });
});
