import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { apiAs, authHeaders, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';
import { validatePes } from '@test/pes/pes-xsd';
import { describeWithReference } from '@test/support/shared';

const FIXTURES = resolve(__dirname, '../../fixtures/titres');

describeWithReference('PES REST API (/api/titres, /api/pes) with authentication', () => {
  let t: TestApp;
  let admin: ReturnType<typeof apiAs>;
  let agent: ReturnType<typeof apiAs>;
  let stranger: ReturnType<typeof apiAs>;
  let tresorier: ReturnType<typeof apiAs>;
  let agentToken: string;
  const fixture = JSON.parse(readFileSync(join(FIXTURES, 'titres-2024.json'), 'utf8'));
  const siret = fixture.budget.collectivite.siret;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DirectoryImportService).importFile(join(FIXTURES, 'annuaire-extrait.csv'));
    admin = apiAs(t, await createUserAndToken(t, { email: 'admin@exemple.fr', role: 'admin', structureSirets: [siret] }));
    agentToken = await createUserAndToken(t, { email: 'agent@exemple.fr', role: 'agent', structureSirets: [siret] });
    agent = apiAs(t, agentToken);
    tresorier = apiAs(t, await createUserAndToken(t, { email: 'tres@exemple.fr', role: 'tresorier', structureSirets: [siret] }));
    stranger = apiAs(t, await createUserAndToken(t, { email: 'autre@exemple.fr', role: 'agent', structureSirets: ['21930053000017'] }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('needs authentication', async () => {
    expect((await apiAs(t, null).get('/api/pes/budgets')).status).toBe(401);
  });

  it('records settings (admin), titres (agent of the structure), generates and downloads the flow', async () => {
    expect((await agent.put('/api/pes/budgets', fixture.budget)).status).toBe(403);
    const budget = await admin.put('/api/pes/budgets', fixture.budget);
    expect(budget.status).toBe(200);
    expect(budget.body.issues).toEqual([]);

    const { pdf: _pdf, ...cpp } = fixture.titres[2];
    const created = await agent.post('/api/titres', { budget: 'EXEMPLEVILLE-01', ...cpp });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 1, year: 2024, status: 'EN_ATTENTE', amountHt: '1334.50', amountTva: '258.45', amountTtc: '1592.95' });

    const refused = await agent.post('/api/titres', { budget: 'EXEMPLEVILLE-01', ...cpp, ref: 'R2', serviceCode: 'ANCIEN' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'TITRE_REFUSED', message: expect.stringContaining('inactif') });

    expect((await stranger.post('/api/titres', { budget: 'EXEMPLEVILLE-01', ...cpp, ref: 'R3' })).status).toBe(403);
    expect((await stranger.get(`/api/titres/${created.body.id}`)).status).toBe(403);
    expect((await tresorier.post('/api/pes/generate', { budget: 'EXEMPLEVILLE-01' })).status).toBe(403);

    const gen = await agent.post('/api/pes/generate', { budget: 'EXEMPLEVILLE-01' });
    expect(gen.status).toBe(201);
    expect(gen.body).toMatchObject({ bordereaux: 1, titres: 1, refused: [] });
    const id = gen.body.items[0].id;
    const file = await fetch(`${t.url}/api/pes/bordereaux/${id}/file`, { headers: authHeaders(agentToken) });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain(gen.body.items[0].fileName);
    expect((await validatePes(await file.text())).valid).toBe(true);

    const frozen = await agent.put(`/api/titres/${created.body.id}`, cpp);
    expect(frozen.status).toBe(409);
    expect(frozen.body.code).toBe('TITRE_FROZEN');

    const bords = await tresorier.get('/api/pes/bordereaux?budget=EXEMPLEVILLE-01');
    expect(bords.body).toEqual([expect.objectContaining({ id, domain: 'recette', status: 'GENERE', nomFic: gen.body.items[0].fileName.replace(/\.xml$/, ''), errors: [] })]);
    expect(bords.body[0].storageKey).toBeUndefined();
    // A PES_AsapRetour about this budget's ASAP: not for another structure's agent, nor for the trésorier.
    const asapId = `${siret}12301REC2024ASAP1`;
    const retour = Buffer.from(`<PES_AsapRetour><EnTeteAsap><IdVer V="2"/></EnTeteAsap><Asap><IdUniquePJASAP V="${asapId}"/><Exer V="2024"/><IdBord V="1"/><TypBord V="01"/><IdPce V="1"/><TypPce V="01"/><Postalisation><DatePostalisation V="2024-05-02"/></Postalisation></Asap></PES_AsapRetour>`).toString('base64');
    expect((await stranger.post('/api/pes/asap-retour', { contentBase64: retour })).status).toBe(403);
    expect((await tresorier.post('/api/pes/asap-retour', { contentBase64: retour })).status).toBe(403);
    expect((await agent.post('/api/pes/asap-retour', { contentBase64: retour })).body).toMatchObject({ read: 1, recorded: 1, items: [{ titre: '2024-1', summary: 'remis à La Poste le 02/05/2024' }] });

    const list = await tresorier.get('/api/titres?budget=EXEMPLEVILLE-01');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ status: 'EMIS', bordereau: 1, asapRetour: expect.objectContaining({ state: 'POSTALISE', postedOn: '2024-05-02' }) })]);
    expect((await stranger.get('/api/pes/budgets')).body).toEqual([]);
  });

  it('serves the code lists and texts of the PES pages', async () => {
    const meta = await agent.get('/api/pes/meta');
    expect(meta.status).toBe(200);
    expect(meta.body.civilites).toEqual([{ code: 'M', label: 'Monsieur' }, { code: 'MME', label: 'Madame' }]);
    expect(meta.body.catTiers).toContainEqual({ code: '50', label: 'Personnes morales de droit privé', natJur: ['03', '06'] });
    expect(meta.body.talon.notice).toContain("l'algorithme des clés de contrôle du talon n'est pas public");
    expect(meta.body.domainesAck).toContainEqual({ code: '3', label: 'signature bordereau' });
  });

  it('records the ASAP CPP fields of a titre and checks the tiers rules at entry, in French', async () => {
    // A second budget of the same collectivité (SIRET), voies de recours given under their former key.
    const { voiesDeRecours, ...modalites } = fixture.budget.modalites;
    const second = await admin.put('/api/pes/budgets', { ...fixture.budget, code: 'EXEMPLEVILLE-02', collectivite: { ...fixture.budget.collectivite, codBud: '02' }, modalites: { ...modalites, contestation: voiesDeRecours }, tresorerie: { ...fixture.budget.tresorerie, email: 'sgc.exempleville@dgfip.finances.gouv.fr' }, exercicesClos: [2023] });
    expect(second.status).toBe(200);
    expect(second.body.settings.modalites.voiesDeRecours).toBe(voiesDeRecours);
    expect(second.body.settings.tresorerie.email).toBe('sgc.exempleville@dgfip.finances.gouv.fr');

    const { pdf: _pdf, ...cpp } = fixture.titres[2];
    const body = { ...cpp, budget: 'EXEMPLEVILLE-02', ref: 'CPP-1', invoiceNumber: 'FAC-2024-0777', marketNumber: 'M2024-9', serviceName: undefined };
    const created = await agent.post('/api/titres', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ invoiceNumber: 'FAC-2024-0777', serviceCode: 'FINANCES', serviceName: 'Service des finances', engagementNumber: 'EJ2024000042', marketNumber: 'M2024-9', talon: null, warnings: [], asapRetour: null });

    const refused = async (b: Record<string, unknown>) => {
      const r = await agent.post('/api/titres', b);
      expect(r.status).toBe(422);
      return r.body.message as string;
    };
    // The same invoice number in another budget of the same SIRET: Chorus Pro would refuse it.
    expect(await refused({ ...body, budget: 'EXEMPLEVILLE-01', ref: 'CPP-2' })).toContain('déjà porté par titre 2024-1 du budget EXEMPLEVILLE-02');
    expect(await refused({ ...body, ref: 'CPP-3', invoiceNumber: undefined })).toContain('le numéro de facture (NumeroFacture) est obligatoire');
    expect(await refused({ ...body, ref: 'CPP-4', invoiceNumber: 'FAC#1' })).toContain('Numéro de facture (NumeroFacture) : 20 caractères au plus');
    const person = fixture.titres[0];
    expect(await refused({ ...person, budget: 'EXEMPLEVILLE-02', ref: 'P-1', debtor: { ...person.debtor, civility: 'M.' } })).toContain('M ou MME attendu');
    expect(await refused({ ...person, budget: 'EXEMPLEVILLE-02', ref: 'P-2', debtor: { ...person.debtor, civility: undefined } })).toContain('la civilité (M ou MME) est obligatoire');
    expect(await refused({ ...person, budget: 'EXEMPLEVILLE-02', ref: 'P-3', debtor: { ...person.debtor, legalNature: '00' } })).toContain("00 n'est pas une nature juridique");
    expect(await refused({ ...person, budget: 'EXEMPLEVILLE-02', ref: 'P-4', invoiceNumber: 'X1' })).toContain("ne servent qu'à un ASAP CPP");
    const sarl = fixture.titres[1];
    expect(await refused({ ...sarl, budget: 'EXEMPLEVILLE-02', ref: 'S-1', debtor: { ...sarl.debtor, category: '60' } })).toContain('la nature juridique 03 (Société) ne va pas avec la catégorie 60');

    // A titre of a closed exercice, issued outside it: recorded, with its warnings.
    const late = await agent.post('/api/titres', { ...person, budget: 'EXEMPLEVILLE-02', ref: 'P-5', year: 2023, issueDate: '2024-01-12' });
    expect(late.status).toBe(201);
    expect(late.body.warnings.map((w: { code: string }) => w.code)).toEqual(['EXERCICE_CLOS', 'ISSUE_DATE_OUTSIDE_EXERCISE']);
    expect(late.body.warnings[1].message).toBe("Date d'émission 12/01/2024 hors de l'exercice 2023");

    const edited = await agent.put(`/api/titres/${created.body.id}`, { ...body, budget: undefined, marketNumber: 'M2024-10', talon: { ligne1: '12302 2024 0000001', ligne2: '21340000100011 000000159295' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ marketNumber: 'M2024-10', talon: { ligne1: '12302 2024 0000001', ligne2: '21340000100011 000000159295' } });
  });
});
