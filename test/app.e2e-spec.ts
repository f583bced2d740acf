import { authHeaders, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

describe('application boot', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    // Every /api route needs a token since the users module's guard (issue 4).
    token = await createUserAndToken(t, { email: 'admin@test.fr', role: 'admin', structureSirets: ['21930053000017'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /health with the database up', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('passerelle_flows_total');
    const doc = (await (await fetch(`${t.url}/api/docs-json`)).json()) as { info: { title: string } };
    expect(doc.info.title).toBe('Passerelle');
  });

  it('declares and lists structures, refusing a bad SIRET in French', async () => {
    const body = { siret: '21930053000017', name: 'Commune de Noisy-le-Sec', services: [{ code: 'COMPTA', label: 'Comptabilité' }] };
    const created = await fetch(`${t.url}/api/structures`, { method: 'POST', headers: authHeaders(token, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    const list = await (await fetch(`${t.url}/api/structures`, { headers: authHeaders(token) })).json();
    expect(list).toEqual([expect.objectContaining({ siret: '21930053000017', services: [{ code: 'COMPTA', label: 'Comptabilité', active: true }] })]);
    const bad = await fetch(`${t.url}/api/structures`, { method: 'POST', headers: authHeaders(token, { 'content-type': 'application/json' }), body: JSON.stringify({ ...body, siret: '21930053000018' }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_SIRET' });
  });

  it('scopes structures to the caller and reserves their settings to admins', async () => {
    const agent = await createUserAndToken(t, { email: 'agent@autre.fr', role: 'agent', structureSirets: ['21490412000018'] });
    const list = (await (await fetch(`${t.url}/api/structures`, { headers: authHeaders(agent) })).json()) as Array<{ siret: string }>;
    expect(list.map((s) => s.siret)).toEqual(['21490412000018']);
    const other = await fetch(`${t.url}/api/structures/21930053000017`, { headers: authHeaders(agent) });
    expect(other.status).toBe(403);
    const change = await fetch(`${t.url}/api/structures`, {
      method: 'POST',
      headers: authHeaders(agent, { 'content-type': 'application/json' }),
      body: JSON.stringify({ siret: '21490412000018', name: 'Renommée', serviceRequired: true }),
    });
    expect(change.status).toBe(403);
    expect(await change.json()).toMatchObject({ code: 'ADMIN_ONLY' });
    const foreign = await fetch(`${t.url}/api/structures`, {
      method: 'POST',
      headers: authHeaders(token, { 'content-type': 'application/json' }),
      body: JSON.stringify({ siret: '21490412000018', name: 'Prise de contrôle' }),
    });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(`${t.url}/api/structures`);
    expect(anonymous.status).toBe(401);
  });
});
