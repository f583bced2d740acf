import { DataSource } from 'typeorm';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

// Real concurrent HTTP requests. On PostgreSQL (TEST_DB=postgres) they run in parallel transactions and
// the optimistic lock decides; on PGlite transactions are serialised and the state machine decides.
describe('two people acting on one invoice at once', () => {
  let t: TestApp;
  let db: DataSource;
  const S = testSiret(11);
  const tokens: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    tokens.push(await createUserAndToken(t, { email: 'a@s.fr', role: 'agent', structureSirets: [S] }));
    tokens.push(await createUserAndToken(t, { email: 'b@s.fr', role: 'agent', structureSirets: [S] }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('one mandates, the other gets a 409 with a clear message; never two mandates', async () => {
    for (let round = 0; round < 5; round++) {
      const inv = await createInvoice(t, { structureSiret: S, netAmount: '100' });
      const body = { imputations: [{ article: '6064' }] };
      const answers = await Promise.all(tokens.map((tk) => apiAs(t, tk).post(`/api/invoices/${inv.id}/mandate`, body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409]);
      const loser = answers.find((a) => a.status === 409)!;
      expect(['INVOICE_CONFLICT', 'TRANSITION_NOT_ALLOWED']).toContain(loser.body.code);
      expect(loser.body.message).toMatch(/Mandatée/);
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM mandates WHERE invoice_id = $1`, [inv.id]);
      expect(n).toBe(1);
      const outbox = await db.query(`SELECT target_status FROM status_outbox WHERE invoice_id = $1`, [inv.id]);
      expect(outbox).toHaveLength(1);
    }
  });

  it('one rejects while the other mandates: exactly one wins', async () => {
    const inv = await createInvoice(t, { structureSiret: S, netAmount: '100' });
    const [a, b] = await Promise.all([
      apiAs(t, tokens[0]).post(`/api/invoices/${inv.id}/reject`, { reasonCode: 'DOUBLON' }),
      apiAs(t, tokens[1]).post(`/api/invoices/${inv.id}/mandate`, { imputations: [{ article: '6064' }] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [{ status }] = await db.query(`SELECT status FROM invoices WHERE id = $1`, [inv.id]);
    expect(status).toBe(a.status === 200 ? 'REJETEE' : 'MANDATEE');
    const history = await db.query(`SELECT label FROM invoice_history WHERE invoice_id = $1 ORDER BY id`, [inv.id]);
    expect(history).toHaveLength(2);
  });

  it('numbers concurrent mandates of one budget without gap nor duplicate', async () => {
    const S2 = testSiret(12);
    const tk = await createUserAndToken(t, { email: 'c@s2.fr', role: 'agent', structureSirets: [S2] });
    const invoices = [];
    for (let i = 0; i < 12; i++) invoices.push(await createInvoice(t, { structureSiret: S2, netAmount: `${10 + i}.00` }));
    // Every third request is refused after validation (wrong total): it must not consume a number.
    const answers = await Promise.all(
      invoices.map((inv, i) =>
        apiAs(t, tk).post(`/api/invoices/${inv.id}/mandate`, { imputations: [{ article: '6064', amount: i % 3 === 0 ? '1.00' : `${10 + i}.00` }] }),
      ),
    );
    const numbers = answers.filter((a) => a.status === 200).map((a) => a.body.mandateNumber as string).sort();
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => `2026-${String(i + 1).padStart(6, '0')}`.replace('2026', numbers[0].slice(0, 4))));
    expect(answers.filter((a) => a.status === 422)).toHaveLength(4);
  });
});
