import { UnitOfWork } from '@/database/unit-of-work';
import { StatusFlowImportService } from '@/status-return/status-flow-import.service';
import { createOutboxInvoices } from '@test/support/outbox.factory';
import { describeWithReference, sharedPath } from '@test/support/shared';
import { createTestApp, TestApp } from '@test/support/test-app';

const fixture = (name: string) => sharedPath('reference', 'chorus-pro', 'pastell', 'statut-facture-cpp-fixtures', name);
const XSD_PATH = () => sharedPath('reference', 'chorus-pro', 'pastell', 'xsd-pivot', 'CPPStatutPivot_V1_19.xsd');

// Pastell's README for these samples: Example01 valid; Example02 an unmapped status (17); Example03 invalid
// against the schema (Horodatage month 15); Example04 a flow-level block (CPPFluxStatuts).
describeWithReference('CPPStatut import (Pastell samples)', () => describe.each([
  ['with the official XSD', true],
  ['with the built-in checks only', false],
])('%s', (_label, withXsd: boolean) => {
  let t: TestApp;
  let importer: StatusFlowImportService;

  beforeAll(async () => {
    t = await createTestApp({ env: withXsd ? { CPP_STATUT_XSD: XSD_PATH() } : {} });
    importer = t.app.get(StatusFlowImportService);
  });
  afterAll(async () => t?.close());

  it('Example01 (valid, IdStatut 07) records SERVICE_FAIT on the matching invoice, once', async () => {
    const before = await importer.importFile(fixture('Example01-FactureStatut-ok.xml'), 'test');
    // No invoice Example01 yet: reported, not guessed.
    expect(before).toMatchObject({ result: 'imported', counts: { recorded: 0, notFound: 1 } });

    // Same supplier, number and debtor as the sample. (The first import is remembered by its SHA-256.)
    await t.app.get(UnitOfWork).run((em) => em.query(`DELETE FROM status_flows WHERE direction = 'in'`));
    const [inv] = await createOutboxInvoices(t, null, [{ number: 'Example01', debtorId: '00000000169991', statuses: [] }]);
    await t.app.get(UnitOfWork).run((em) => em.query(`UPDATE invoices SET supplier_id = '00000000169959' WHERE id = $1`, [inv.invoiceId]));
    const report = await importer.importFile(fixture('Example01-FactureStatut-ok.xml'), 'test');
    expect(report).toMatchObject({ result: 'imported', idFlx: '1000000000', alreadyImported: false, counts: { recorded: 1 } });
    expect(report.statuses[0]).toMatchObject({ idStatut: '07', cppStatus: 'SERVICE_FAIT', outcome: 'recorded', invoiceId: inv.invoiceId });
    const [invoice] = await t.app.get(UnitOfWork).dataSource.query(`SELECT cpp_status AS "cppStatus" FROM invoices WHERE id = $1`, [inv.invoiceId]);
    expect(invoice.cppStatus).toBe('SERVICE_FAIT');
    const history = await t.app.get(UnitOfWork).dataSource.query(`SELECT step, details FROM invoice_history WHERE invoice_id = $1 AND step = 'CPP_STATUS'`, [inv.invoiceId]);
    expect(history).toHaveLength(1);

    const again = await importer.importFile(fixture('Example01-FactureStatut-ok.xml'), 'test');
    expect(again).toMatchObject({ alreadyImported: true, counts: { recorded: 1 } });
    const history2 = await t.app.get(UnitOfWork).dataSource.query(`SELECT id FROM invoice_history WHERE invoice_id = $1 AND step = 'CPP_STATUS'`, [inv.invoiceId]);
    expect(history2).toHaveLength(1);
  });

  it('Example02 (IdStatut 17) is reported as an unknown status', async () => {
    const report = await importer.importFile(fixture('Example02-FactureStatut-ko.xml'), 'test');
    expect(report).toMatchObject({ result: 'imported', counts: { recorded: 0, unknownStatus: 1 } });
    expect(report.statuses[0]).toMatchObject({ idStatut: '17', cppStatus: null, outcome: 'unknown-status' });
  });

  it('Example03 (Horodatage month 15) is rejected by the schema', async () => {
    const report = await importer.importFile(fixture('Example03-FactureStatut-ko.xml'), 'test');
    expect(report.result).toBe('rejected');
    expect(report.errors.join('\n')).toMatch(/Horodatage/);
    expect(report.statuses).toEqual([]);
  });

  it('Example04 (CPPFluxStatuts) is reported as a flow-level block', async () => {
    const report = await importer.importFile(fixture('Example04-FactureStatut-ko.xml'), 'test');
    expect(report.result).toBe('flow-level');
    expect(report.fluxStatuses[0]).toMatchObject({ idStatut: '92', label: 'Reçu destinataire final', idFlux: '1000000000' });
    expect(report.errors[0]).toMatch(/CPPFluxStatuts/);
  });
}));
