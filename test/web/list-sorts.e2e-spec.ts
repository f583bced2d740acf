import { DataSource } from 'typeorm';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * The lists behind « Intégration des flux »: tabs and sort orders, keyset-paged. Every sort walks the whole
 * list page by page without losing or repeating an invoice, including invoices sharing one reception
 * instant (one flow) to the microsecond, and invoices without a due date (last).
 */
describe('GET /api/invoices — tabs and sorts (pages)', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiAs>;
  const siret = testSiret(701);

  beforeAll(async () => {
    t = await createTestApp();
    api = apiAs(t, await createUserAndToken(t, { email: 'tri@mairie.fr', role: 'agent', structureSirets: [siret] }));
    const statuses = ['A_TRAITER', 'A_TRAITER', 'A_TRAITER', 'MANDATEE', 'REJETEE', 'SUSPENDUE', 'FACTUREE'];
    for (let i = 0; i < 28; i++) {
      await createInvoice(t, {
        structureSiret: siret,
        number: `TRI-${String(i).padStart(2, '0')}`,
        status: statuses[i % statuses.length],
        netAmount: String((i * 37) % 11 * 100 + 0.5),
        dueDate: i % 9 === 0 ? null : `2026-04-${String(1 + (i % 5)).padStart(2, '0')}`,
        anomalyCodes: i === 2 ? ['SERVICE_MISSING'] : [],
      });
    }
    // Half of them arrive in one flow: the same received_at, to the microsecond.
    await t.app.get(DataSource).query(`UPDATE invoices SET received_at = '2026-03-02 10:00:00.123456+00' WHERE number < 'TRI-14'`);
  });

  afterAll(() => t.close());

  async function walk(query: string): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<Record<string, unknown>>; nextCursor: string | null } } = await api.get(`/api/invoices?${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      out.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  const cents = (v: unknown) => Math.round(Number(v) * 100);

  it('received_desc / received_asc: every invoice once, one flow sharing an instant included', async () => {
    const desc = await walk('sort=received_desc');
    expect(desc).toHaveLength(28);
    expect(new Set(desc.map((i) => i.id)).size).toBe(28);
    const asc = await walk('sort=received_asc');
    expect(asc.map((i) => i.id)).toEqual(desc.map((i) => i.id).reverse());
  });

  it('due_asc / due_desc: by due date, invoices without one last (or first), every invoice once', async () => {
    const asc = await walk('sort=due_asc');
    expect(new Set(asc.map((i) => i.id)).size).toBe(28);
    const keys = asc.map((i) => (i.dueDate as string | null) ?? '9999-12-31');
    expect(keys).toEqual([...keys].sort());
    expect(asc.slice(-4).every((i) => i.dueDate === null)).toBe(true);
    const desc = await walk('sort=due_desc');
    expect(desc.map((i) => i.id)).toEqual(asc.map((i) => i.id).reverse());
  });

  it('amount_desc / amount_asc: by net à payer, every invoice once', async () => {
    const desc = await walk('sort=amount_desc');
    expect(new Set(desc.map((i) => i.id)).size).toBe(28);
    const amounts = desc.map((i) => cents(i.netAmount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const asc = await walk('sort=amount_asc');
    expect(asc.map((i) => i.id)).toEqual(desc.map((i) => i.id).reverse());
  });

  it('tabs: à créer, déjà créées, en anomalie ou rejetées (with the to-process invoices that have anomalies)', async () => {
    const toCreate = await walk('tab=a-creer&sort=amount_asc');
    expect(new Set(toCreate.map((i) => i.status))).toEqual(new Set(['A_TRAITER']));
    expect(toCreate).toHaveLength(12);
    const created = await walk('tab=creees');
    expect(new Set(created.map((i) => i.status))).toEqual(new Set(['MANDATEE', 'FACTUREE']));
    const problems = await walk('tab=anomalies&sort=due_asc');
    expect(new Set(problems.map((i) => i.status))).toEqual(new Set(['REJETEE', 'SUSPENDUE', 'A_TRAITER']));
    expect(problems.filter((i) => i.status === 'A_TRAITER').map((i) => i.number)).toEqual(['TRI-02']);
  });

  it('« Réception (récentes d’abord) » follows the reception date shown, not the order the flows were read', async () => {
    const other = testSiret(702);
    const own = apiAs(t, await createUserAndToken(t, { email: 'tri-reception@mairie.fr', role: 'agent', structureSirets: [other] }));
    // The 12/03 invoice is read first, the 11/03 one an hour later (a late download from the portal).
    await createInvoice(t, { structureSiret: other, number: 'REC-12', receptionDate: '2025-03-12' });
    await createInvoice(t, { structureSiret: other, number: 'REC-11', receptionDate: '2025-03-11' });
    await createInvoice(t, { structureSiret: other, number: 'REC-12B', receptionDate: '2025-03-12' });
    const db = t.app.get(DataSource);
    await db.query(`UPDATE invoices SET received_at = '2025-03-12 08:00:00+00' WHERE number = 'REC-12'`);
    await db.query(`UPDATE invoices SET received_at = '2025-03-12 09:00:00+00' WHERE number = 'REC-11'`);
    await db.query(`UPDATE invoices SET received_at = '2025-03-12 10:00:00+00' WHERE number = 'REC-12B'`);
    const page = await own.get('/api/invoices?sort=received_desc&limit=2');
    expect(page.body.items.map((i: { number: string }) => i.number)).toEqual(['REC-12B', 'REC-12']);
    const next = await own.get(`/api/invoices?sort=received_desc&limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((i: { number: string }) => i.number)).toEqual(['REC-11']);
    const asc = await own.get('/api/invoices?sort=received_asc');
    expect(asc.body.items.map((i: { number: string }) => i.number)).toEqual(['REC-11', 'REC-12', 'REC-12B']);
  });

  it('refuses an unknown tab or sort, and a cursor made for another sort, in French', async () => {
    expect((await api.get('/api/invoices?sort=number')).status).toBe(400);
    expect((await api.get('/api/invoices?tab=tout')).status).toBe(400);
    const first = await api.get('/api/invoices?sort=amount_desc&limit=4');
    const other = await api.get(`/api/invoices?sort=due_asc&limit=4&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'INVALID_CURSOR', message: expect.stringContaining('repartez de la première page') });
  });
});
