import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallQuota } from '@/chorus-pro/chorus-pro-call.quota';
import {
  ChorusProAccountError,
  ChorusProFunctionalError,
  ChorusProTooLargeError,
  ChorusProUnavailableError,
} from '@/chorus-pro/chorus-pro.errors';
import { ChorusProCallContext } from '@/chorus-pro/chorus-pro.types';
import { StructuresService } from '@/structures/structures.service';
import { PullHarness, startPullHarness, TEST_SECRET_KEY } from '@test/pull/pull-test.support';

describe('Chorus Pro client against the simulator (real HTTP)', () => {
  let h: PullHarness;
  let api: ChorusProApi;
  let ctx: ChorusProCallContext;
  let first: number;

  beforeAll(async () => {
    h = await startPullHarness({ structures: 2, invoices: 6 }, { chorusPro: { maxRetries: 2 } });
    api = h.get(ChorusProApi);
    const s = h.sim.state.structures[0];
    ctx = { account: { login: s.login, password: s.password } };
    first = h.sim.state.invoicesOf(s.siret)[0].idFacture;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('searches, pages and reports sizes; « no result » is an empty list', async () => {
    const page = await api.rechercherFacturesRecipiendaire(ctx, { recupererTaille: true, paramRecherche: { pageResultatDemandee: 1, nbResultatsParPage: 2 } });
    expect(page.codeRetour).toBe(0);
    expect(page.total).toBe(3);
    expect(page.pages).toBe(2);
    expect(page.listeFactures[0]).toMatchObject({ idFacture: first, statut: 'MISE_A_DISPOSITION', taille: expect.any(Number) });
    const none = await api.rechercherFacturesRecipiendaire(ctx, { periodeDateHeureEtatCourantDu: '2001-01-01T00:00:00Z', periodeDateHeureEtatCourantAu: '2001-01-02T00:00:00Z' });
    expect(none).toMatchObject({ codeRetour: 20000, listeFactures: [], total: 0 });
  });

  it('downloads a base64 ZIP consistent with the search entry', async () => {
    const entry = (await api.consulterFactureRecipiendaire(ctx, { idFacture: first })).facture;
    const answer = await api.telechargerGroupe(ctx, { listeFacture: [{ idFacture: first }], format: 'PIVOT' });
    const zip = Buffer.from(answer.fichierResultat, 'base64');
    expect(zip.subarray(0, 4).toString('binary')).toBe('PK\u0003\u0004');
    const { inflateRawSync } = await import('node:zlib');
    const compressedSize = zip.readUInt32LE(18);
    // Local header (APPNOTE 4.3.7): the data follows the name and the extra field (the simulator pads with one).
    const dataStart = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    const xml = inflateRawSync(zip.subarray(dataStart, dataStart + compressedSize)).toString('utf8');
    expect(xml).toContain(`<IdCPRO>${first}</IdCPRO>`);
    expect(xml).toContain(`<Id>${entry.numeroFacture}</Id>`);
    expect(Number(/<MontantTTC>([^<]+)<\/MontantTTC>/.exec(xml)?.[1])).toBe(entry.montantTTC);
  });

  it('processes a received invoice with Chorus Pro rules: next states, refusal 20002, history', async () => {
    const etats = await api.recupererEtatsTraitement(ctx, { statutCourant: 'MISE_A_DISPOSITION', cadreFacturation: 'A4' });
    const codes = etats.listeStatutsPossiblesPourTraitement.map((e) => e.statutPossiblePourTraitement);
    expect(codes).toContain('SERVICE_FAIT');
    expect(codes).not.toContain('MANDATEE'); // works: service fait first
    const id = h.sim.state.invoicesOf(h.sim.state.structures[0].siret)[1].idFacture;
    const refused = await api.traiterFactureRecue(ctx, { idFacture: id, nouveauStatut: 'COMPTABILISEE' });
    expect(refused).toEqual({ accepted: false, codeRetour: 20002, libelle: expect.stringContaining('Incohérence') });
    const ok = await api.traiterFactureRecue(ctx, { idFacture: id, nouveauStatut: 'SUSPENDUE', motif: 'Bon de livraison manquant' });
    expect(ok).toMatchObject({ accepted: true, nouveauStatut: 'SUSPENDUE', idFacture: id });
    const histo = await api.consulterHistorique(ctx, { idFacture: id });
    expect(histo.statutCourantCode).toBe('SUSPENDUE');
    expect(histo.historiquesDesStatuts.histoStatut.map((x) => x.histoStatutCode)).toEqual(['SUSPENDUE', 'MISE_A_DISPOSITION', 'DEPOSEE']);
  });

  it('searches structures and their services', async () => {
    const s = h.sim.state.structures[0];
    const found = await api.rechercherStructures(ctx, { structure: { identifiantStructure: s.siret, typeIdentifiantStructure: 'SIRET' } });
    expect(found.listeStructures).toEqual([expect.objectContaining({ identifiantStructure: s.siret, idStructureCPP: s.idStructureCPP })]);
    const services = await api.rechercherServices(ctx, { idStructure: s.idStructureCPP });
    expect(services.listeServices.map((x) => x.codeService)).toEqual(s.demo.services.map((x) => x.code));
  });

  it('types functional errors, refused accounts and 413; never retries them', async () => {
    const before = h.sim.state.stats.total;
    await expect(api.consulterFactureRecipiendaire(ctx, { idFacture: 1 })).rejects.toBeInstanceOf(ChorusProFunctionalError);
    await expect(api.consulterFactureRecipiendaire({ account: { login: 'x', password: 'y' } }, { idFacture: first })).rejects.toBeInstanceOf(ChorusProAccountError);
    h.sim.state.maxDownloadBytes = 10;
    await expect(api.telechargerGroupe(ctx, { listeFacture: [{ idFacture: first }], format: 'PIVOT' })).rejects.toBeInstanceOf(ChorusProTooLargeError);
    h.sim.state.maxDownloadBytes = undefined;
    expect(h.sim.state.stats.total - before).toBe(3);
  });

  it('renews the token once on a 401, retries 5xx / 429 / malformed JSON, and gives up on a hanging server', async () => {
    h.sim.state.expireTokens();
    h.sim.state.injectFault({ kind: 'status', status: 502 });
    h.sim.state.injectFault({ kind: 'malformed-json' });
    const etats = await api.recupererEtatsTraitement(ctx, { statutCourant: 'SERVICE_FAIT' });
    expect(etats.codeRetour).toBe(0);
    h.sim.state.injectFault({ kind: 'hang', times: 3 });
    const err = await api.consulterHistorique(ctx, { idFacture: first }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChorusProUnavailableError);
    expect((err as Error).message).toContain('délai');
  });

  it('never resends traiter/recue after an answer that may hide a processed request; retries 429 and 503', async () => {
    const id = h.sim.state.invoicesOf(h.sim.state.structures[0].siret)[2].idFacture;
    h.sim.state.injectFault({ kind: 'hang', times: 1 });
    const before = h.sim.state.stats.total;
    const err = await api.traiterFactureRecue(ctx, { idFacture: id, nouveauStatut: 'SERVICE_FAIT' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChorusProUnavailableError);
    expect((err as Error).message).toContain('issue inconnue');
    expect(h.sim.state.stats.total - before).toBe(1);
    h.sim.state.injectFault({ kind: 'status', status: 503 });
    h.sim.state.injectFault({ kind: 'status', status: 429 });
    const ok = await api.traiterFactureRecue(ctx, { idFacture: id, nouveauStatut: 'SERVICE_FAIT' });
    expect(ok.accepted).toBe(true);
  });

  it('counts every call of the day in the database', async () => {
    const quota = h.get(ChorusProCallQuota);
    expect(await quota.todayCount()).toBe(h.sim.state.stats.total);
  });

  it('stores the technical account password encrypted and never returns it', async () => {
    const s = h.sim.state.structures[0];
    const rows: Array<{ cpro_password_enc: string }> = await h.db.query(`SELECT cpro_password_enc FROM structures WHERE siret = $1`, [s.siret]);
    expect(rows[0].cpro_password_enc).toMatch(/^v1:/);
    expect(rows[0].cpro_password_enc).not.toContain(s.password);
    expect(rows[0].cpro_password_enc).not.toContain(TEST_SECRET_KEY);
    // What the REST API and the CLI show (StructureView): the login, never the password.
    const text = JSON.stringify(await h.get(StructuresService).list());
    expect(text).toContain(s.login);
    expect(text).not.toContain(s.password);
    expect(await h.get(StructuresService).getTechnicalAccount(s.siret)).toEqual({ login: s.login, password: s.password });
  });
});
