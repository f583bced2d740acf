import { FileStore } from '@/storage/file-store.port';
import { FlowBatchImportService } from '@/ingestion/flow-batch-import.service';
import { PullService } from '@/pull/pull.service';
import { countInvoices, PullHarness, startPullHarness } from '@test/pull/pull-test.support';

/** The database refuses the insert of one invoice (SQLSTATE by its condition name), as it would a value the checks let through. */
async function refuseInvoice(h: PullHarness, idFacture: number, condition: string, message: string): Promise<void> {
  await h.db.query(`CREATE FUNCTION test_refuse_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.cpro_id = '${idFacture}' THEN RAISE EXCEPTION '${message}' USING ERRCODE = '${condition}'; END IF;
      RETURN NEW;
    END $$`);
  await h.db.query(`CREATE TRIGGER test_refuse_invoice BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION test_refuse_invoice()`);
}

describe('pull: the one-invoice flows of a group stored together', () => {
  let h: PullHarness;
  afterEach(async () => {
    await h?.close();
  });

  it('stores the neighbours of bad invoices, reports the bad ones, and falls back flow by flow when a batch fails', async () => {
    h = await startPullHarness({ structures: 1, invoices: 30 }, { chorusPro: { groupMaxInvoices: 30 } });
    const invoices = [...h.sim.state.invoices.values()];
    // Two pivots broken in the middle of the group (unreadable flows)…
    const broken = [invoices[7], invoices[19]];
    for (const b of broken) h.sim.state.corruptPivot(b.idFacture);
    // … and one invoice the database refuses (a concurrent import of the same invoice, as PostgreSQL reports it):
    // the batch holding it fails as a whole, then each of its flows is stored on its own.
    const refused = invoices[12];
    await refuseInvoice(h, refused.idFacture, 'unique_violation', 'déjà reçue');
    const batches = jest.spyOn(h.get(FlowBatchImportService), 'store'); // observed, not replaced

    const report = await h.get(PullService).run();

    expect(batches.mock.calls.some(([batch]) => batch.length > 1)).toBe(true);
    expect(report.invoices.created).toBe(27);
    expect(report.invoices.duplicates).toBe(1);
    // The two bad pivots are reported, each with its own file; nothing blocks the structure.
    const flowErrors = report.errors.filter((e) => e.file);
    expect(flowErrors).toHaveLength(2);
    for (const b of broken) expect(flowErrors.some((e) => e.file!.endsWith(`facture_${b.idFacture}.xml`))).toBe(true);
    expect(report.errors.every((e) => e.invoice !== undefined || e.file)).toBe(true);

    const rows: Array<{ cpro_id: string }> = await h.db.query(`SELECT cpro_id FROM invoices`);
    const stored = rows.map((r) => r.cpro_id).sort();
    const expected = invoices.filter((i) => !broken.includes(i) && i !== refused).map((i) => String(i.idFacture)).sort();
    expect(stored).toEqual(expected);
    expect(await countInvoices(h.db)).toBe(27);

    // Every file received is kept, on its own: one flow row and one raw copy per pivot file (bad ones included).
    const flows: Array<{ status: string; storage_key: string; sha256: string }> = await h.db.query(`SELECT status, storage_key, sha256 FROM flows`);
    expect(flows).toHaveLength(30);
    expect(new Set(flows.map((f) => f.sha256)).size).toBe(30);
    expect(flows.filter((f) => f.status === 'rejected')).toHaveLength(2);
    expect(flows.some((f) => f.status === 'processing')).toBe(false);
    const store = h.get(FileStore);
    for (const f of flows) expect(await store.exists(f.storage_key)).toBe(true);

    // Run again: nothing new, nothing twice.
    h.sim.state.setStatus(invoices[0].idFacture, 'MISE_EN_PAIEMENT');
    const again = await h.get(PullService).run();
    expect(again.invoices.created).toBe(0);
    expect(await countInvoices(h.db)).toBe(27);
  });

  it('keeps the window when the database refuses a flow (nothing of it stored), and stores it at the next pull', async () => {
    h = await startPullHarness({ structures: 1, invoices: 6 }, { chorusPro: { groupMaxInvoices: 6 } });
    const refused = [...h.sim.state.invoices.values()][2];
    // A value the checks let through but the database refuses (here a check violation raised by a trigger).
    await refuseInvoice(h, refused.idFacture, 'check_violation', 'valeur refusée');

    const first = await h.get(PullService).run();
    expect(first.invoices.created).toBe(5);
    expect(first.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'FLOW_NOT_STORED', message: expect.stringMatching(/^Flux non enregistré/), file: expect.stringContaining(`facture_${refused.idFacture}.xml`) })]),
    );
    const windows: Array<{ window_end: Date | null; last_error: string | null }> = await h.db.query(`SELECT window_end, last_error FROM pull_windows`);
    expect(windows[0].window_end).toBeNull(); // not past an invoice nobody has
    expect(windows[0].last_error).toMatch(/fenêtre conservée/);

    await h.db.query(`DROP TRIGGER test_refuse_invoice ON invoices`);
    const second = await h.get(PullService).run();
    expect(second.errors).toEqual([]);
    expect(second.invoices.created).toBe(1);
    expect(await countInvoices(h.db)).toBe(6);
    const after: Array<{ window_end: Date | null }> = await h.db.query(`SELECT window_end FROM pull_windows`);
    expect(after[0].window_end).not.toBeNull();
  });

  it('keeps the window when a downloaded group cannot be read (none of its invoices stored), and stores them next time', async () => {
    h = await startPullHarness({ structures: 1, invoices: 6 }, { chorusPro: { groupMaxInvoices: 3 } });
    h.sim.state.faults.push({ kind: 'broken-zip', endpoint: 'factures/v1/telecharger/groupe' });
    const first = await h.get(PullService).run();
    expect(first.invoices.created).toBe(3);
    expect(first.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'ZIP_UNREADABLE', message: expect.stringMatching(/^Archive ZIP illisible/) })]));
    const windows: Array<{ window_end: Date | null }> = await h.db.query(`SELECT window_end FROM pull_windows`);
    expect(windows[0].window_end).toBeNull(); // its three invoices are nowhere yet: the window must not pass them

    const second = await h.get(PullService).run();
    expect(second.errors).toEqual([]);
    expect(second.invoices.created).toBe(3);
    expect(await countInvoices(h.db)).toBe(6);
  });
});
