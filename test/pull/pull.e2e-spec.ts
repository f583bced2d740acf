import { PullService } from '@/pull/pull.service';
import { countInvoices, PullHarness, startPullHarness } from '@test/pull/pull-test.support';

describe('nightly pull against the simulator', () => {
  let h: PullHarness;
  afterEach(async () => {
    await h?.close();
  });

  it('imports new invoices in groups, then records status changes of known ones', async () => {
    h = await startPullHarness({ structures: 2, invoices: 12 }, { chorusPro: { groupMaxInvoices: 4 } });
    const pull = h.get(PullService);
    const first = await pull.run();
    expect(first.errors).toEqual([]);
    expect(first.structures).toBe(2);
    expect(first.invoices.created).toBe(12);
    expect(await countInvoices(h.db)).toBe(12);
    // 12 invoices, groups of at most 4 per structure (6 each → 2 groups), searches: 2 types per structure.
    expect(h.sim.state.stats.calls['factures/v1/telecharger/groupe']).toBe(4);
    expect([...h.sim.state.stats.downloads.values()].every((n) => n === 1)).toBe(true);
    const rows: Array<{ cpro_id: string; cpp_status: string }> = await h.db.query(`SELECT cpro_id, cpp_status FROM invoices ORDER BY cpro_id`);
    expect(rows.every((r) => r.cpp_status === 'MISE_A_DISPOSITION')).toBe(true);
    // Written with the invoice (no UPDATE of each new row afterwards), with its one « Statut Chorus Pro reçu » step.
    const written: Array<{ row_version: number; steps: number }> = await h.db.query(
      `SELECT i.row_version, (SELECT count(*)::int FROM invoice_history s WHERE s.invoice_id = i.id AND s.step = 'CPP_STATUS') AS steps FROM invoices i`,
    );
    expect(written.every((w) => Number(w.row_version) === 1 && Number(w.steps) === 1)).toBe(true);

    // The comptable pays one, the supplier completes another after a suspension.
    const [a, b] = [...h.sim.state.invoices.values()];
    h.sim.state.setStatus(a.idFacture, 'MISE_EN_PAIEMENT');
    h.sim.state.setStatus(b.idFacture, 'SUSPENDUE', 'Pièce manquante');
    h.sim.state.setStatus(b.idFacture, 'COMPLETEE');
    const second = await pull.run();
    expect(second.errors).toEqual([]);
    expect(second.invoices.created).toBe(0);
    expect(second.invoices.updated).toBe(2);
    expect(h.sim.state.stats.calls['factures/v1/telecharger/groupe']).toBe(4); // nothing downloaded again
    const status = async (id: number) =>
      (await h.db.query(`SELECT cpp_status FROM invoices WHERE cpro_id = $1`, [String(id)]))[0].cpp_status as string;
    expect(await status(a.idFacture)).toBe('MISE_EN_PAIEMENT');
    expect(await status(b.idFacture)).toBe('COMPLETEE');
    const history: Array<{ n: number }> = await h.db.query(
      `SELECT count(*)::int AS n FROM invoice_history h JOIN invoices i ON i.id = h.invoice_id WHERE i.cpro_id = $1 AND h.actor = 'Chorus Pro'`,
      [String(a.idFacture)],
    );
    expect(Number(history[0].n)).toBeGreaterThanOrEqual(2);
  });

  it('downloads from the first search page on, and reads every page when Chorus Pro gives no page count', async () => {
    h = await startPullHarness({ structures: 1, invoices: 23 }, { chorusPro: { pageSize: 5, groupMaxInvoices: 5 } });
    h.sim.state.searchWithoutPageCount = true;
    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(23);
    expect(await countInvoices(h.db)).toBe(23);
    expect([...h.sim.state.stats.downloads.values()].every((n) => n === 1)).toBe(true);
    // The first group is asked for before the last search page: the import does not wait for the whole search.
    const order = h.sim.state.stats.order;
    expect(order.indexOf('factures/v1/telecharger/groupe')).toBeLessThan(order.lastIndexOf('factures/v1/rechercher/recipiendaire'));
  });

  it('survives a token expiring mid-run, a storm of 429, a 503 outage, malformed JSON and a hanging call', async () => {
    h = await startPullHarness({ structures: 1, invoices: 8 }, { chorusPro: { groupMaxInvoices: 2, downloadConcurrency: 1 } });
    const { state } = h.sim;
    state.injectFault({ kind: 'status', status: 429, retryAfterS: 0, endpoint: 'factures/v1/rechercher/recipiendaire', times: 3 });
    state.injectFault({ kind: 'malformed-json', endpoint: 'factures/v1/rechercher/recipiendaire' });
    state.injectFault({ kind: 'status', status: 503, endpoint: 'factures/v1/telecharger/groupe', times: 2 });
    state.injectFault({ kind: 'hang', endpoint: 'factures/v1/telecharger/groupe' });
    let expired = false;
    const report = await h.get(PullService).run({
      onProgress: (e) => {
        if (e.phase === 'download' && !expired) {
          expired = true;
          state.expireTokens();
        }
      },
    });
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(8);
    expect(state.stats.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(state.stats.rejected429).toBe(0); // injected 429 are faults, not the rate limiter
    expect(state.faults).toEqual([]);
  });

  it('keeps going when one invoice pivot is bad among good ones', async () => {
    h = await startPullHarness({ structures: 1, invoices: 5 }, { chorusPro: { groupMaxInvoices: 5 } });
    const bad = [...h.sim.state.invoices.values()][2];
    h.sim.state.corruptPivot(bad.idFacture);
    const report = await h.get(PullService).run();
    expect(report.invoices.created).toBe(4);
    expect(report.errors.length).toBeGreaterThanOrEqual(1);
    expect(report.errors.every((e) => e.code !== 'CHORUS_PRO_UNAVAILABLE')).toBe(true);
    const rows: Array<{ cpro_id: string }> = await h.db.query(`SELECT cpro_id FROM invoices`);
    expect(rows.map((r) => r.cpro_id)).not.toContain(String(bad.idFacture));
  });

  it('splits a group that Chorus Pro refuses as too large (413)', async () => {
    h = await startPullHarness({ structures: 1, invoices: 6 }, { chorusPro: { groupMaxInvoices: 6 } });
    // Room for about two invoices per answer (base64 of a ZIP of pivots): the group of 6 must be split.
    const largest = Math.max(...[...h.sim.state.invoices.values()].map((i) => h.sim.state.taille(i)));
    h.sim.state.maxDownloadBytes = Math.ceil(largest * 2.5);
    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(6);
    expect(h.sim.state.stats.calls['factures/v1/telecharger/groupe']).toBeGreaterThan(1);
  });

  it('resumes after a crash in the middle of a pull, without loss or duplicates', async () => {
    h = await startPullHarness({ structures: 1, invoices: 9 }, { chorusPro: { groupMaxInvoices: 3, downloadConcurrency: 1, maxRetries: 1 } });
    const { state } = h.sim;
    const pull = h.get(PullService);
    // The first group goes through, then Chorus Pro fails for good: the structure's pull fails.
    let groups = 0;
    const crashed = await pull.run({
      onProgress: (e) => {
        if (e.phase === 'download' && ++groups === 1) state.injectFault({ kind: 'status', status: 500, endpoint: 'factures/v1/telecharger/groupe', times: 100 });
      },
    });
    expect(crashed.errors.map((e) => e.code)).toContain('CHORUS_PRO_UNAVAILABLE');
    const afterCrash = await countInvoices(h.db);
    expect(afterCrash).toBeGreaterThanOrEqual(3);
    expect(afterCrash).toBeLessThan(9);
    const windows: Array<{ window_end: Date | null }> = await h.db.query(`SELECT window_end FROM pull_windows`);
    expect(windows[0].window_end).toBeNull(); // the window did not advance

    state.faults.length = 0;
    const rerun = await pull.run();
    expect(rerun.errors).toEqual([]);
    expect(await countInvoices(h.db)).toBe(9);
    expect(rerun.invoices.created).toBe(9 - afterCrash);
    expect(rerun.invoices.duplicates).toBe(0);
  });

  it('pulls two structures when one of them fails', async () => {
    h = await startPullHarness({ structures: 2, invoices: 6 });
    const [first, second] = h.sim.state.structures;
    // The second structure's technical account password was changed on Chorus Pro.
    second.password = 'changed-on-chorus-pro';
    const report = await h.get(PullService).run();
    expect(report.structures).toBe(2);
    expect(report.invoices.created).toBe(3);
    expect(report.errors).toEqual([expect.objectContaining({ siret: second.siret, code: 'CHORUS_PRO_ACCOUNT_REFUSED' })]);
    const rows: Array<{ debtor_id: string }> = await h.db.query(`SELECT DISTINCT debtor_id FROM invoices`);
    expect(rows.map((r) => r.debtor_id)).toEqual([first.siret]);
  });
});
