import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { PullService } from '@/pull/pull.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { ordinaryInvoice, PullHarness, startPullHarness } from '@test/pull/pull-test.support';

// Works invoices (« factures de travaux », issue 15) through the simulator over real HTTP: facturesTravaux/v1/rechercher
// as MOE and MOA (no result = 20007), stored with their cadre and MOE/MOA validation cycle, never created while Chorus
// Pro holds them as SUSPENDUE or A_RECYCLER on the works side.
describe('works invoices pulled from Chorus Pro', () => {
  let h: PullHarness;
  afterEach(async () => {
    await h?.close();
  });


  it('pulls MOE and MOA works invoices, keeps the held ones out until Chorus Pro releases them', async () => {
    h = await startPullHarness({ structures: 2, invoices: 0 });
    const { state } = h.sim;
    const [commune, other] = state.structures;
    const [normal, atRecipient, atMoe, suspended, toRecycle] = state.addInvoices(5, { structure: commune });
    ordinaryInvoice(normal);
    ordinaryInvoice(state.addInvoices(1, { structure: other })[0]);
    state.works.makeWorks(atRecipient);
    state.works.makeWorks(atMoe, { stage: 'moe' });
    state.works.makeWorks(suspended);
    state.works.setStatus(suspended, 'SUSPENDUE');
    state.works.makeWorks(toRecycle, { stage: 'moa' });
    state.works.setStatus(toRecycle, 'A_RECYCLER');

    // The other structure has no works invoice: Chorus Pro answers 20007, an outcome, not an error.
    const api = h.get(ChorusProApi);
    const none = await api.rechercherFacturesTravaux({ account: { login: other.login, password: other.password } }, { roleUtilisateur: 'MOA' });
    expect(none).toMatchObject({ codeRetour: 20007, listeFacturesTravaux: [] });

    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect(report.invoices.created).toBe(4); // normal, atRecipient, atMoe + the other structure's one
    expect(report.worksHeld).toBe(2);
    expect(state.stats.calls['facturesTravaux/v1/rechercher']).toBeGreaterThanOrEqual(4); // MOE + MOA, each structure
    const stored: Array<{ cpro_id: string; cadre: string; cpp_status: string }> = await h.db.query(`SELECT cpro_id, cadre, cpp_status FROM invoices ORDER BY cpro_id`);
    const ids = stored.map((r) => r.cpro_id);
    expect(ids).not.toContain(String(suspended.idFacture));
    expect(ids).not.toContain(String(toRecycle.idFacture));
    expect(state.stats.downloads.has(suspended.idFacture)).toBe(false);
    expect(stored.find((r) => r.cpro_id === String(atMoe.idFacture))).toMatchObject({ cadre: 'A4', cpp_status: 'MISE_A_DISPOSITION_MOE' });

    const works: Array<{ cpro_id: string; roles: string[]; works_status: string; moe: { name: string } }> = await h.db.query(
      `SELECT cpro_id, roles, works_status, moe FROM invoice_works ORDER BY cpro_id`,
    );
    expect(works).toEqual([
      expect.objectContaining({ cpro_id: String(atRecipient.idFacture), roles: ['MOA'], works_status: 'MISE_A_DISPOSITION' }),
      expect.objectContaining({ cpro_id: String(atMoe.idFacture), roles: ['MOE'], works_status: 'MISE_A_DISPOSITION_MOE' }),
    ]);

    // The page's data: « Facture de travaux » in lists (cadre), the MOE/MOA steps of the validation cycle.
    const token = await createUserAndToken(h.t, { email: 'agent@works.test', role: 'agent', structureSirets: [commune.siret] });
    const web = apiAs(h.t, token);
    const list = await web.get(`/api/invoices?structure=${commune.siret}`);
    expect(list.body.items.find((i: { number: string }) => i.number === atRecipient.spec.number)).toMatchObject({ cadre: 'A4' });
    const id = list.body.items.find((i: { number: string }) => i.number === atRecipient.spec.number).id;
    const view = await web.get(`/api/invoices/${id}/works`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ isWorks: true, cadre: 'A4', works: { worksStatus: 'MISE_A_DISPOSITION', moe: { name: expect.stringContaining('MOE') } } });
    expect(view.body.steps.map((s: { role: string | null; label: string }) => [s.role, s.label])).toEqual([
      ['Fournisseur', 'Déposée'],
      ['MOE', 'Prise en compte par la MOE'],
      ['MOE', 'Validée par la MOE, transmise à la MOA'],
      ['MOA', 'Validée par la MOA'],
    ]);
    const plainId = list.body.items.find((i: { number: string }) => i.number === normal.spec.number).id;
    expect((await web.get(`/api/invoices/${plainId}/works`)).body).toMatchObject({ isWorks: false, works: null });

    // The MOE releases the suspended one: the next pull creates it; the one to recycle stays out.
    state.works.setStatus(suspended, 'MISE_A_DISPOSITION');
    const next = await h.get(PullService).run();
    expect(next.errors).toEqual([]);
    expect(next.invoices.created).toBe(1);
    expect(next.worksHeld).toBe(1);
    const after: Array<{ cpro_id: string }> = await h.db.query(`SELECT cpro_id FROM invoices`);
    expect(after.map((r) => r.cpro_id)).toContain(String(suspended.idFacture));
    expect(after.map((r) => r.cpro_id)).not.toContain(String(toRecycle.idFacture));
  });
});
