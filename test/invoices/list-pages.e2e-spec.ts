import { DataSource } from 'typeorm';
import { QueryRecorder } from '@/database/query-recorder';
import { LIST_SORTS, LIST_TABS, ListSort, ListTab } from '@/invoices/invoices-query.repository';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * The lists read page by page per (structure, status) branch (issue 15, « a million invoices »): they must answer
 * exactly what one plain WHERE … ORDER BY would — for an agent of one structure, an administrator of several (who
 * also sees invoices of no structure), a SIRET filter and a search — and a page load must never count a table:
 * « has more » comes from the one extra row of the page.
 */
describe('GET /api/invoices — pages by branch, no count', () => {
  let t: TestApp;
  let agent: ReturnType<typeof apiAs>;
  let admin: ReturnType<typeof apiAs>;
  const [a, b, c] = [testSiret(811), testSiret(812), testSiret(813)];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    agent = apiAs(t, await createUserAndToken(t, { email: 'branche@mairie.fr', role: 'agent', structureSirets: [a] }));
    admin = apiAs(t, await createUserAndToken(t, { email: 'branche-admin@mairie.fr', role: 'admin', structureSirets: [a, b] }));
    const statuses = ['A_TRAITER', 'FACTUREE', 'A_TRAITER', 'MANDATEE', 'REJETEE', 'MISE_EN_PAIEMENT', 'SUSPENDUE', 'SERVICE_FAIT', 'A_RECYCLER'];
    const recipients = [a, b, c, null];
    for (let i = 0; i < 32; i++) {
      const r = await createInvoice(t, {
        structureSiret: recipients[i % recipients.length],
        number: `BR-${String(i).padStart(2, '0')}`,
        status: recipients[i % recipients.length] === null ? 'A_TRAITER' : statuses[i % statuses.length],
        netAmount: String(((i * 53) % 13) * 100 + 0.25),
        receptionDate: `2026-03-${String(1 + (i % 6)).padStart(2, '0')}`,
        dueDate: i % 7 === 0 ? null : `2026-04-${String(1 + (i % 4)).padStart(2, '0')}`,
        anomalyCodes: i % 5 === 0 && recipients[i % recipients.length] !== null ? ['MISSING_ENGAGEMENT'] : undefined,
        supplierName: i % 3 === 0 ? 'Boulangerie Durand' : 'Garage Martin',
      });
      ids[`BR-${String(i).padStart(2, '0')}`] = r.id;
    }
  });

  afterAll(() => t.close());

  async function walk(api: ReturnType<typeof apiAs>, query: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api.get(
        `/api/invoices?${query}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      out.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  /** The same list by one plain query: scope, tab, filter, the sort's keys and id. */
  async function expected(sirets: string[], withUnassigned: boolean, tab: ListTab | null, sort: ListSort, extra = 'TRUE'): Promise<string[]> {
    const order = LIST_SORTS[sort];
    const t0 = tab ? LIST_TABS[tab] : null;
    const inTab = t0
      ? `(i.status = ANY($2::varchar[])${t0.orAnomalies ? ` OR (i.status = 'A_TRAITER' AND cardinality(i.anomaly_codes) > 0)` : ''})`
      : 'cardinality($2::varchar[]) = 0';
    const rows: Array<{ id: string }> = await t.app.get(DataSource).query(
      `SELECT i.id FROM invoices i LEFT JOIN structures s ON s.id = i.structure_id
        WHERE (s.siret = ANY($1::varchar[])${withUnassigned ? ' OR i.structure_id IS NULL' : ''}) AND ${inTab} AND ${extra}
        ORDER BY ${order.keys.map((k) => `${k.expr} ${order.dir}`).join(', ')}, i.id ${order.dir}`,
      [sirets, t0 ? [...t0.statuses] : []],
    );
    return rows.map((r) => r.id);
  }

  it('an agent of one structure and an administrator of two (invoices of no structure included): every tab and sort', async () => {
    for (const tab of [null, 'a-creer', 'creees', 'anomalies'] as const) {
      for (const sort of ['received_desc', 'due_asc', 'amount_desc'] as const) {
        const q = `sort=${sort}${tab ? `&tab=${tab}` : ''}`;
        expect(await walk(agent, q)).toEqual(await expected([a], false, tab, sort));
        expect(await walk(admin, q)).toEqual(await expected([a, b], true, tab, sort));
      }
    }
    // The administrator sees the invoices of no structure, the agent does not; nobody sees structure c's.
    expect(await walk(admin, 'tab=a-creer')).toEqual(expect.arrayContaining([ids['BR-03']]));
    expect(await walk(agent, 'tab=a-creer')).not.toContain(ids['BR-03']);
    expect(await walk(admin, 'sort=received_desc')).not.toContain(ids['BR-02']);
  });

  it('a SIRET filter, a structure out of scope, and a search (supplier name, amounts, dates)', async () => {
    expect(await walk(admin, `structure=${b}&tab=creees`)).toEqual(await expected([b], false, 'creees', 'received_desc'));
    expect(await walk(agent, `structure=${b}`)).toEqual([]);
    expect(await walk(agent, `structure=${c}&tab=a-creer`)).toEqual([]);
    const search = await walk(admin, 'supplier=durand&amountMin=100&amountMax=900&from=2026-03-02&to=2026-03-05&sort=amount_desc');
    const want = await expected(
      [a, b],
      true,
      null,
      'amount_desc',
      `i.supplier_name ILIKE '%durand%' AND i.net_amount BETWEEN 100 AND 900 AND i.reception_date BETWEEN '2026-03-02' AND '2026-03-05'`,
    );
    expect(want.length).toBeGreaterThan(0);
    expect(search).toEqual(want);
  });

  it('no page load counts: the lists, a search, the anomaly report, the flows and the session issue no count(*)', async () => {
    const recorder = QueryRecorder.attach(t.app.get(DataSource));
    try {
      const paths = [
        '/api/invoices?tab=a-creer&limit=50',
        '/api/invoices?tab=creees&limit=50&sort=due_asc',
        '/api/invoices?tab=anomalies&limit=50&sort=amount_desc',
        '/api/invoices?supplier=Durand&amountMin=1&amountMax=5000&from=2026-01-01&to=2026-12-31',
        '/api/reports/anomalies?date=2026-03-02',
        '/api/flows?limit=50',
        '/api/users/me', // last: the caller was checked by the call just before
      ];
      for (const path of paths) {
        const sent = await recorder.during(async () => expect((await admin.get(path)).status).toBe(200));
        // The caller checked moments ago is remembered (PrincipalCache): « me » then needs no query at all.
        if (path === '/api/users/me') expect(sent).toEqual([]);
        else expect(sent.length).toBeGreaterThan(0);
        for (const q of sent) expect({ path, sql: q.sql }).toEqual({ path, sql: expect.not.stringMatching(/\bcount\s*\(/i) });
        // Every read of invoices is bounded: a LIMIT (one page and one row to say « there is more ») or one day.
        for (const q of sent.filter((s) => /FROM invoices i\b/.test(s.sql) && path.startsWith('/api/invoices'))) {
          expect(q.sql).toMatch(/LIMIT \$\d+/);
          expect(q.params).toContain(51); // limit 50 (the default too) + 1
        }
      }
    } finally {
      recorder.detach();
    }
  });
});
