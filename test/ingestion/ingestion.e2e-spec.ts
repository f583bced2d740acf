import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IngestionService } from '@/ingestion/ingestion.service';
import { InvoicesQueryService } from '@/invoices/invoices-query.service';
import { StructuresService } from '@/structures/structures.service';
import { FileStore } from '@/storage/file-store.port';
import { ALL_INVOICES } from '@/users/principal';
import { createTestApp, TestApp } from '@test/support/test-app';
import { describeWithReference, PASTELL_DIR } from '@test/support/shared';

const ALL = ALL_INVOICES;

describeWithReference('ingestion of pivot flows (real samples)', () => {
  let t: TestApp;
  let ingestion: IngestionService;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ingestion = t.app.get(IngestionService);
    db = t.app.get(DataSource);
    await t.app.get(StructuresService).upsert({
      siret: '21930053000017',
      name: 'Commune de Noisy-le-Sec',
      services: [{ code: 'GN5CAFZ069', label: 'COMPTABILITE' }],
    });
  });
  afterAll(async () => t?.close());

  it('imports every pivot sample of pastell/ with no rejected flow', async () => {
    const report = await ingestion.importPaths(
      [
        join(PASTELL_DIR, 'fakeCpp', 'facture_1221.xml'),
        join(PASTELL_DIR, 'fakeCpp', 'facture_1222.xml'),
        join(PASTELL_DIR, 'fakeCpp', 'facture_1223.xml'),
        join(PASTELL_DIR, 'fakeCpp', 'facture_1224.xml'),
        join(PASTELL_DIR, 'fakeCpp', 'CPPFichierFormatPivot.xml'),
        join(PASTELL_DIR, 'fixtures_chorus', 'facture-pivot.xml'),
        join(PASTELL_DIR, 'fixtures_chorus', 'pivot.zip'),
      ],
      { source: 'cli' },
    );
    expect(report.flows.rejected).toBe(0);
    // pivot.zip holds facture-pivot.xml: the same bytes, recognised by their SHA-256.
    expect(report.flows).toEqual({ integrated: 6, partial: 0, rejected: 0, alreadyImported: 1, alreadyRejected: 0 });
    // CPPFichierFormatPivot.xml carries the four invoices of facture_122x again: never stored twice.
    expect(report.invoices.created).toBe(5);
    expect(report.invoices.duplicates).toBe(4);
    expect(report.errors.filter((e) => e.code !== 'DUPLICATE_INVOICE')).toEqual([]);
  });

  it('keeps every field of fakeCpp/facture_1221.xml, its attachments unzipped and its history', async () => {
    const page = await t.app.get(InvoicesQueryService).list(ALL, { number: 'AVA20150923' });
    expect(page.items).toHaveLength(1);
    const inv = await t.app.get(InvoicesQueryService).get(ALL, page.items[0].id);
    expect(inv).toMatchObject({
      supplierIdType: '1',
      supplierId: '32682006500083',
      supplierName: 'SARL Structure 1 SIRET',
      supplierCountry: 'FR',
      supplierEmissionMode: 'flux',
      bankType: 'IBAN',
      bankAccount: 'FR2420020202260600024M02606',
      bankEstablishment: 'HSBC France',
      debtorId: '21930053000017',
      debtorName: 'Commune de Noisy Le Sec',
      serviceCode: 'GN5CAFZ069',
      serviceName: 'COMPTABILITE',
      number: 'AVA20150923',
      originNumber: 'AVA20150923',
      type: '380',
      cadre: 'A1',
      issueDate: '2015-08-19',
      receptionDate: '2015-08-19',
      currency: 'EUR',
      paymentModeCode: '42',
      paymentModeLabel: 'Virement',
      amountHt: '3245.000000',
      amountTtc: '3245.681450',
      netAmount: '3245.681450',
      marketNumber: null,
      engagementNumber: '2412345673',
      status: 'A_TRAITER',
      dueDate: '2015-09-18',
    });
    expect(inv.vats).toEqual([expect.objectContaining({ rate: '0.021000', baseHt: '3245.000000', amount: '0.681450' })]);
    expect(inv.lines.map((l) => [l.numOrdre, l.productRef, l.unitPrice, l.quantity, l.amountHt, l.vatRate])).toEqual([
      [1, 'Chmili21', '1789.000000', '1.000000', '1789.000000', '0.021000'],
      [2, 'Chmili22', '1456.000000', '1.000000', '1456.000000', '0.021000'],
    ]);
    expect(inv.attachments.map((a) => [a.name, a.type, a.mimeType, a.readable])).toEqual([
      ['FACAVA2015092332682006500083.pdf', '01', 'application/pdf', true],
      ['PJFACAVA2015092332682006500083.pdf', '02', 'application/pdf', true],
    ]);
    const { stream: stored } = await t.app.get(InvoicesQueryService).attachment(ALL, inv.id, inv.attachments[0].id);
    const head = await new Promise<Buffer>((resolve) => stored.once('data', (c: Buffer) => { resolve(c); stored.destroy(); }));
    expect(head.subarray(0, 4).toString()).toBe('%PDF');
    expect(inv.validations).toEqual([
      expect.objectContaining({ statusDate: '2015-08-19', statusCode: '01', complement: 'Déposée' }),
    ]);
    // The sample's IBAN fails the ISO 13616 check: kept, and flagged for the staff.
    expect(inv.anomalies.map((a) => a.code)).toEqual(['INVALID_IBAN']);
    expect(inv.history).toEqual([expect.objectContaining({ step: 'LECTURE_FLUX', label: 'Lecture flux', toStatus: 'A_TRAITER' })]);
    const flow = await db.query('SELECT id_flx, dt_prd, sender_id, receiver_id, status, file_name FROM flows WHERE id = $1', [inv.flowId]);
    expect(flow[0]).toEqual({ id_flx: 'CPP0020036000000000000004', dt_prd: '2015-12-20', sender_id: 'CPP001', receiver_id: 'SEI001', status: 'integrated', file_name: 'facture_1221.xml' });
  });

  it('re-importing the same files changes nothing and says so', async () => {
    const before = await db.query('SELECT count(*)::int AS n FROM invoices');
    const report = await ingestion.importPaths([join(PASTELL_DIR, 'fakeCpp'), join(PASTELL_DIR, 'fixtures_chorus', 'pivot.zip')], { source: 'cli' });
    expect(report.flows.alreadyImported).toBeGreaterThanOrEqual(6);
    expect(report.flows.integrated).toBe(0);
    expect(report.invoices.created).toBe(0);
    expect(await db.query('SELECT count(*)::int AS n FROM invoices')).toEqual(before);
  });

  it('keeps the raw flow compressed under its SHA-256', async () => {
    const rows = await db.query(`SELECT sha256, storage_key, size FROM flows WHERE file_name = 'facture_1222.xml'`);
    const original = readFileSync(join(PASTELL_DIR, 'fakeCpp', 'facture_1222.xml'));
    expect(Number(rows[0].size)).toBe(original.length);
    const stream = await t.app.get(FileStore).openRead(rows[0].storage_key);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(original)).toBe(true);
  });

  it('rejects a file that is not a pivot flow with a French reason, and keeps it', async () => {
    const report = await ingestion.importPaths([join(PASTELL_DIR, 'fixtures_chorus', 'Facture-IN_DP_E2_CPP_FACTURE_MIN.xml')], { source: 'cli' });
    expect(report.flows.rejected).toBe(1);
    expect(report.errors[0]).toMatchObject({ code: 'WRONG_ROOT' });
    const flows = await db.query(`SELECT status, error_code, error_message FROM flows WHERE file_name LIKE 'Facture-IN_DP_E2%'`);
    expect(flows[0]).toMatchObject({ status: 'rejected', error_code: 'WRONG_ROOT' });
    expect(flows[0].error_message).toMatch(/CPPFacturePivot/);
  });

  it('scans the inbox: imports, then moves files to archive/ or rejected/ with the reason', async () => {
    const { InboxService } = await import('@/ingestion/inbox.service');
    const inbox = t.app.get(InboxService);
    mkdirSync(inbox.inboxDir, { recursive: true });
    copyFileSync(join(PASTELL_DIR, 'fakeCpp', 'facture_1223.xml'), join(inbox.inboxDir, 'a.xml'));
    writeFileSync(join(inbox.inboxDir, 'b.xml'), '<CPPFacturePivot><Enveloppe>');
    const report = await inbox.scan(0);
    expect(report.flows.alreadyImported + report.flows.rejected).toBe(2);
    expect(readFileSync(join(inbox.inboxDir, 'archive', 'a.xml')).length).toBeGreaterThan(0);
    expect(readFileSync(join(inbox.inboxDir, 'rejected', 'b.xml.motif.txt'), 'utf8')).toMatch(/TRUNCATED_XML|MALFORMED_XML/);
  });
});
