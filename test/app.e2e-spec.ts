import { createTestApp, TestApp } from '@test/support/test-app';

describe('application boot', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
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
    const doc = await (await fetch(`${t.url}/api/docs-json`)).json();
    expect(doc.info.title).toBe('Passerelle');
  });

  it('declares and lists structures, refusing a bad SIRET in French', async () => {
    const body = { siret: '21930053000017', name: 'Commune de Noisy-le-Sec', services: [{ code: 'COMPTA', label: 'Comptabilité' }] };
    const created = await fetch(`${t.url}/api/structures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    const list = await (await fetch(`${t.url}/api/structures`)).json();
    expect(list).toEqual([expect.objectContaining({ siret: '21930053000017', services: [{ code: 'COMPTA', label: 'Comptabilité', active: true }] })]);
    const bad = await fetch(`${t.url}/api/structures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, siret: '21930053000018' }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_SIRET' });
  });
});
