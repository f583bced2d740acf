import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnitOfWork } from '@/database/unit-of-work';
import { StoreGcService } from '@/ingestion/store-gc.service';
import { PullService } from '@/pull/pull.service';
import { ordinaryInvoice, PullHarness, startPullHarness } from '@test/pull/pull-test.support';

/** Every file under `dir` (none when it does not exist). */
const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];

// What the start of a pull waits for (issue 15, « pull at the API's pace »): an ordinary invoice is downloaded and read
// without waiting for the works search (only a works invoice can be held on the works side) nor for the structure's
// settings (only storing checks invoices against them). Real HTTP to the simulator, one endpoint made slow.
describe('the start of a pull', () => {
  let h: PullHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** Index of an endpoint's first answer among the simulator's answers (a slowed endpoint is counted when it answers). */
  const firstAnswer = (endpoint: string) => h.sim.state.stats.order.indexOf(endpoint);
  const embedded = () => h.get(UnitOfWork).isEmbedded;

  it('downloads ordinary invoices while the works search is still running, and still keeps the held works invoice out', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 }, { chorusPro: { groupMaxInvoices: 2 } });
    const { state } = h.sim;
    const ordinary = state.addInvoices(4, { structure: state.structures[0] }).map(ordinaryInvoice);
    const [suspended] = state.addInvoices(1, { structure: state.structures[0] });
    state.works.makeWorks(suspended);
    state.works.setStatus(suspended, 'SUSPENDUE');
    state.slowEndpoints.set('facturesTravaux/v1/rechercher', 1500);

    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(4);
    expect(report.worksHeld).toBe(1);
    expect(state.stats.downloads.has(suspended.idFacture)).toBe(false);
    for (const i of ordinary) expect(state.stats.downloads.get(i.idFacture)).toBe(1);
    expect(firstAnswer('factures/v1/telecharger/groupe')).toBeGreaterThanOrEqual(0);
    expect(firstAnswer('factures/v1/telecharger/groupe')).toBeLessThan(firstAnswer('facturesTravaux/v1/rechercher'));
  });

  it('downloads and reads before the structure settings answer, but checks every invoice against them', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 }, { chorusPro: { groupMaxInvoices: 2 } });
    const { state } = h.sim;
    const sim = state.structures[0];
    state.structureSettings.setServiceActive(sim, 'ST', false); // closed on the portal, still active in Passerelle
    const invoices = state.addInvoices(4, { structure: sim }).map(ordinaryInvoice);
    invoices[3].spec.debtor.serviceCode = 'ST';
    invoices[3].spec.debtor.serviceName = 'Services techniques';
    state.slowEndpoints.set('structures/v1/consulter', 1500);

    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(4);
    const anomalies: Array<{ cpro_id: string; code: string }> = await h.db.query(
      `SELECT i.cpro_id, a.code FROM invoice_anomalies a JOIN invoices i ON i.id = a.invoice_id ORDER BY i.cpro_id`,
    );
    const toSt = invoices.filter((i) => i.spec.debtor.serviceCode === 'ST').map((i) => ({ cpro_id: String(i.idFacture), code: 'UNKNOWN_SERVICE' }));
    expect(toSt.length).toBeGreaterThan(0);
    expect(anomalies).toEqual(toSt.sort((a, b) => a.cpro_id.localeCompare(b.cpro_id)));
    // On the embedded database the settings are read first (its single connection is the sync's), by design.
    if (!embedded()) expect(firstAnswer('factures/v1/telecharger/groupe')).toBeLessThan(firstAnswer('structures/v1/consulter'));
  });

  it('stores nothing (no row, no file the store keeps) when the settings are refused after the first flows were read; the next pull stores them once', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 }, { chorusPro: { groupMaxInvoices: 2 } });
    const { state } = h.sim;
    const invoices = state.addInvoices(4, { structure: state.structures[0] }).map(ordinaryInvoice);
    state.slowEndpoints.set('structures/v1/consulter', 1000);
    state.injectFault({ kind: 'status', status: 403, endpoint: 'structures/v1/consulter' });

    const refused = await h.get(PullService).run();
    expect(refused.errors).toEqual([expect.objectContaining({ code: 'CHORUS_PRO_ACCOUNT_REFUSED' })]);
    expect(refused.invoices.created).toBe(0);
    expect(await h.db.query(`SELECT id FROM invoices`)).toEqual([]);
    expect(await h.db.query(`SELECT id FROM flows`)).toEqual([]);
    const kept = () => filesUnder(h.t.config.storeDir).filter((f) => !f.includes(join('store', 'tmp')));
    if (!embedded()) {
      // Downloaded and read (their files written) while the settings were still being asked for, then dropped.
      expect(state.stats.downloads.size).toBe(4);
      expect(kept().length).toBeGreaterThan(0);
    }
    // Packs the reader threads made durable stay until the store's collection (at start-up, `passerelle store gc`):
    // nothing references them, so it takes them all.
    await h.get(StoreGcService).collect(0);
    expect(kept()).toEqual([]);

    state.slowEndpoints.clear();
    const next = await h.get(PullService).run();
    expect(next.errors).toEqual([]);
    expect(next.invoices.created).toBe(4);
    const stored: Array<{ cpro_id: string }> = await h.db.query(`SELECT cpro_id FROM invoices ORDER BY cpro_id`);
    expect(stored.map((r) => r.cpro_id)).toEqual(invoices.map((i) => String(i.idFacture)).sort());
  });
});
