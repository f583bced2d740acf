import { join, resolve } from 'node:path';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

describe('« Suivi démat » REST: flows, invoices and anomaly report, scoped by structure', () => {
  let t: TestApp;
  let communeAgent: string;
  let hospitalAgent: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    await t.app.get(IngestionService).importPaths(
      [join(FIXTURES, 'pivot'), join(FIXTURES, 'pivot-bad', 'unknown-recipient.xml'), join(FIXTURES, 'pivot-bad', 'wrong-root.xml')],
      { source: 'cli' },
    );
    communeAgent = await createUserAndToken(t, { email: 'agent@commune.fr', role: 'agent', structureSirets: ['21490412000018'] });
    hospitalAgent = await createUserAndToken(t, { email: 'agent@chu.fr', role: 'agent', structureSirets: ['26490998700010'] });
    admin = await createUserAndToken(t, { email: 'admin@commune.fr', role: 'admin', structureSirets: ['21490412000018'] });
  });
  afterAll(async () => t?.close());

  it('lists only the flows carrying the caller’s invoices, and opens them', async () => {
    const commune = await apiAs(t, communeAgent).get('/api/flows');
    expect(commune.status).toBe(200);
    const names = commune.body.map((f: { fileName: string }) => f.fileName);
    expect(names).toEqual(expect.arrayContaining(['flux-001.xml']));
    expect(names).not.toContain('flux-002.xml'); // the water budget's and the communauté's flow
    const flow = commune.body.find((f: { fileName: string }) => f.fileName === 'flux-001.xml');
    expect((await apiAs(t, communeAgent).get(`/api/flows/${flow.id}`)).status).toBe(200);
    expect((await apiAs(t, hospitalAgent).get(`/api/flows/${flow.id}`)).status).toBe(404);
  });

  it('hides invoices of other structures, and shows unknown-recipient ones to admins only', async () => {
    const mine = await apiAs(t, hospitalAgent).get('/api/invoices?limit=500');
    expect(mine.body.items.length).toBeGreaterThan(0);
    for (const i of mine.body.items) expect(i.recipientSiret).toBe('26490998700010');
    const other = (await apiAs(t, communeAgent).get('/api/invoices?limit=1')).body.items[0];
    expect((await apiAs(t, hospitalAgent).get(`/api/invoices/${other.id}`)).status).toBe(403);
    const unknown = await apiAs(t, admin).get('/api/invoices?anomaly=UNKNOWN_RECIPIENT');
    expect(unknown.body.items.length).toBe(1);
    expect((await apiAs(t, communeAgent).get('/api/invoices?anomaly=UNKNOWN_RECIPIENT')).body.items).toEqual([]);
  });

  it('pages with a cursor without losing or repeating an invoice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await apiAs(t, communeAgent).get(
        `/api/invoices?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = (await apiAs(t, communeAgent).get('/api/invoices?limit=500')).body.items.map((i: { id: string }) => i.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('streams an attachment with its content type', async () => {
    const inv = (await apiAs(t, communeAgent).get('/api/invoices?limit=1')).body.items[0];
    const detail = await apiAs(t, communeAgent).get(`/api/invoices/${inv.id}`);
    const pdf = detail.body.attachments.find((a: { type: string }) => a.type === '01');
    const res = await fetch(`${t.url}/api/invoices/${inv.id}/attachments/${pdf.id}`, { headers: { authorization: `Bearer ${communeAgent}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('gives the daily anomaly report of the caller’s structures', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const report = await apiAs(t, admin).get(`/api/reports/anomalies?date=${today}`);
    expect(report.status).toBe(200);
    expect(report.body.date).toBe(today);
    const bad = await apiAs(t, admin).get('/api/reports/anomalies?date=hier');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/date/);
  });
});
