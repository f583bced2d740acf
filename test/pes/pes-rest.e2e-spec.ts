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

    const list = await tresorier.get('/api/titres?budget=EXEMPLEVILLE-01');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ status: 'EMIS', bordereau: 1 })]);
    expect((await stranger.get('/api/pes/budgets')).body).toEqual([]);
  });

});
