import { PullService } from '@/pull/pull.service';
import { StructureSyncService } from '@/structures/structure-sync.service';
import { StructuresService } from '@/structures/structures.service';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';
import { PullHarness, startPullHarness } from '@test/pull/pull-test.support';

// Structure settings from Chorus Pro (issue 15): real HTTP to the simulator, whose settings a scenario changes as a
// gestionnaire would on the portal; the next imported invoice follows Chorus Pro, not the hand declaration.
describe('structure settings synced from Chorus Pro', () => {
  let h: PullHarness;
  afterEach(async () => {
    await h?.close();
  });

  const anomaliesOf = async (cproId: number) =>
    (
      await h.db.query(`SELECT a.code, a.message FROM invoice_anomalies a JOIN invoices i ON i.id = a.invoice_id WHERE i.cpro_id = $1 ORDER BY a.code`, [
        String(cproId),
      ])
    ).map((r: { code: string; message: string }) => r);

  it('a service deactivated in Chorus Pro makes the next invoice to it UNKNOWN_SERVICE; a requirement switched on makes MISSING_*', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 });
    const { state } = h.sim;
    const sim = state.structures[0];
    const siret = sim.siret;
    // Passerelle was declared by hand with ST active; on the portal the gestionnaire closes it.
    state.structureSettings.setServiceActive(sim, 'ST', false);

    const pull = h.get(PullService);
    const [toSt] = state.addInvoices(1, { structure: sim });
    toSt.spec.debtor.serviceCode = 'ST';
    toSt.spec.debtor.serviceName = 'Services techniques';
    const first = await pull.run();
    expect(first.errors).toEqual([]);
    expect(first.invoices.created).toBe(1);
    expect(await anomaliesOf(toSt.idFacture)).toEqual([{ code: 'UNKNOWN_SERVICE', message: expect.stringContaining('inactif') }]);
    const view = await h.get(StructuresService).get(siret);
    expect(view.services.find((s) => s.code === 'ST')).toMatchObject({ active: false });
    expect(state.stats.calls['structures/v1/consulter']).toBe(1);
    expect(state.stats.calls['structures/v1/rechercher']).toBe(1);

    // « Code service obligatoire » and « engagement obligatoire » switched on in Chorus Pro.
    state.structureSettings.setRequirements(sim, { codeServiceDoitEtreRenseigne: true, numeroEJDoitEtreRenseigne: true });
    const [bare] = state.addInvoices(1, { structure: sim });
    bare.spec.debtor.serviceCode = undefined;
    bare.spec.debtor.serviceName = undefined;
    bare.spec.engagement = undefined;
    const second = await pull.run();
    expect(second.errors).toEqual([]);
    expect((await anomaliesOf(bare.idFacture)).map((a: { code: string }) => a.code)).toEqual(['MISSING_ENGAGEMENT', 'MISSING_SERVICE_CODE']);
    expect(await h.get(StructuresService).get(siret)).toMatchObject({ serviceRequired: true, engagementRequired: true });
    // The Chorus Pro id was kept: structures/v1/rechercher is asked once.
    expect(state.stats.calls['structures/v1/rechercher']).toBe(1);

    const history = await h.get(StructureSyncService).recentHistory(siret);
    expect(history.map((r) => r.change).sort()).toEqual(['ENGAGEMENT_REQUIRED_CHANGED', 'SERVICE_DEACTIVATED', 'SERVICE_REQUIRED_CHANGED']);
    expect(history.find((r) => r.change === 'SERVICE_DEACTIVATED')).toMatchObject({ serviceCode: 'ST', source: 'chorus-pro', message: expect.stringContaining('désactivé dans Chorus Pro') });
  });

  it('« N° d’engagement ou code service » switched on in Chorus Pro: an invoice with neither is MISSING_ENGAGEMENT_OR_SERVICE, one with either is not', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 });
    const { state } = h.sim;
    const sim = state.structures[0];
    state.structureSettings.setRequirements(sim, { codeServiceDoitEtreRenseigne: false, numeroEJDoitEtreRenseigne: false, gestionNumeroEJOuCodeService: true });
    const [neither, withEngagement] = state.addInvoices(2, { structure: sim });
    for (const inv of [neither, withEngagement]) {
      inv.spec.debtor.serviceCode = undefined;
      inv.spec.debtor.serviceName = undefined;
    }
    neither.spec.engagement = undefined;
    withEngagement.spec.engagement = { engagementNumber: 'EJ-2026-042' };
    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    expect((await anomaliesOf(neither.idFacture)).map((a: { code: string }) => a.code)).toEqual(['MISSING_ENGAGEMENT_OR_SERVICE']);
    expect(await anomaliesOf(withEngagement.idFacture)).toEqual([]);
    expect(await h.get(StructuresService).get(sim.siret)).toMatchObject({ engagementOrServiceRequired: true, serviceRequired: false, engagementRequired: false });
    const history = await h.get(StructureSyncService).recentHistory(sim.siret);
    expect(history.find((r) => r.change === 'ENGAGEMENT_OR_SERVICE_CHANGED')).toMatchObject({
      source: 'chorus-pro',
      message: 'N° d’engagement ou code service obligatoire : non → oui (Chorus Pro)',
    });
  });

  it('applies added, renamed, reactivated and vanished services over several pages, once, and says so in French (CLI, API)', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 });
    const { state } = h.sim;
    const sim = state.structures[0];
    const settings = state.structureSettings;
    // 104 more services: the list takes two pages of 100.
    for (let i = 1; i <= 104; i++) settings.addService(sim, `SVC${String(i).padStart(3, '0')}`, `Service n° ${i}`);
    settings.renameService(sim, 'FINANCES', 'Direction des finances');
    settings.setServiceActive(sim, 'CTM-ANCIEN', true);
    // A service declared by hand that Chorus Pro does not know.
    await h.get(StructuresService).upsert({ siret: sim.siret, name: sim.name, services: [{ code: 'MAIN', label: 'Déclaré à la main' }] });

    const { lines, exitCode } = await runCliInProcess(h.t.app, ['structures', 'sync', '--siret', sim.siret]);
    expect(exitCode).toBe(0);
    expect(lines.join('\n')).toContain('Service « FINANCES » renommé dans Chorus Pro : « Service des finances » → « Direction des finances »');
    expect(lines.join('\n')).toContain('Service « CTM-ANCIEN » (Ancien centre technique municipal (fermé)) réactivé dans Chorus Pro');
    expect(lines.join('\n')).toContain('Service « MAIN » (Déclaré à la main) absent de Chorus Pro : désactivé');
    expect(lines[lines.length - 1]).toBe('Synchronisation terminée : 1 structure(s), 107 changement(s), 0 échec(s).');
    expect(state.stats.calls['structures/v1/rechercher/services']).toBe(2);

    const view = await h.get(StructuresService).get(sim.siret);
    expect(view.services).toHaveLength(4 + 104 + 1);
    expect(view.services.find((s) => s.code === 'MAIN')).toMatchObject({ active: false });
    expect(view.services.find((s) => s.code === 'SVC104')).toMatchObject({ label: 'Service n° 104', active: true });

    // Nothing changed since: a second sync records nothing.
    const again = await runCliInProcess(h.t.app, ['structures', 'sync', '--json']);
    const report = JSON.parse(again.lines[again.lines.length - 1]);
    expect(report).toMatchObject({ changes: 0, errors: 0, structures: [{ siret: sim.siret, ok: true, services: 108, changes: [] }] });

    // The admin page reads the history through the API, scoped to the admin's structures.
    const token = await createUserAndToken(h.t, { email: 'admin@sync.test', role: 'admin', structureSirets: [sim.siret] });
    const api = apiAs(h.t, token);
    const history = await api.get(`/api/structures/${sim.siret}/history`);
    expect(history.status).toBe(200);
    expect(history.body).toHaveLength(50); // the 50 latest
    const now = await api.post(`/api/structures/${sim.siret}/sync`);
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ changes: 0, errors: 0 });
    const other = await createUserAndToken(h.t, { email: 'other@sync.test', role: 'admin', structureSirets: [testSiret(5)] });
    expect((await apiAs(h.t, other).get(`/api/structures/${sim.siret}/history`)).status).toBe(403);
  });

  it('a structure Chorus Pro does not know is reported, its hand settings kept, and the pull goes on', async () => {
    h = await startPullHarness({ structures: 1, invoices: 2 });
    const sim = h.sim.state.structures[0];
    h.sim.state.injectFault({ kind: 'codeRetour', codeRetour: 20000, libelle: 'Aucune structure', endpoint: 'structures/v1/rechercher' });
    const report = await h.get(PullService).run();
    expect(report.invoices.created).toBe(2);
    expect(report.errors).toEqual([expect.objectContaining({ siret: sim.siret, code: 'STRUCTURE_NOT_IN_CHORUS_PRO', message: expect.stringContaining('Paramétrage non relu') })]);
  });
});
