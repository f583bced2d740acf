import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { UsersService } from '@/users/users.service';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

const A = testSiret(101);
const B = testSiret(102);
const UNDECLARED = testSiret(103);
const BUDGET = JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/titres/titres-2024.json'), 'utf8')).budget;
const budgetOf = (code: string, siret: string, iban = BUDGET.tresorerie.iban) => ({
  ...BUDGET,
  code,
  collectivite: { ...BUDGET.collectivite, siret },
  tresorerie: { ...BUDGET.tresorerie, iban },
});
const REJECT = { reasonCode: 'MONTANT_ERRONE' };

/**
 * Administrators act on their own structures only, like everyone: an admin of A cannot reach B through a user shared
 * with B (token, deactivation, admin role), B's PES budgets (the trésorerie IBAN), B's motifs, invoices, outbox or
 * structure settings. Each refusal reproduces what an attack test did.
 */
describe('Administrators are scoped to their structures', () => {
  let t: TestApp;
  const as: Record<string, ReturnType<typeof apiAs>> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const users = {
      adminA: { role: 'admin' as const, structureSirets: [A] },
      adminB: { role: 'admin' as const, structureSirets: [B] },
      agentB: { role: 'agent' as const, structureSirets: [B] },
      agentA: { role: 'agent' as const, structureSirets: [A] },
      shared: { role: 'agent' as const, structureSirets: [A, B] },
    };
    for (const [name, u] of Object.entries(users)) as[name] = apiAs(t, await createUserAndToken(t, { email: `${name.toLowerCase()}@test.fr`, ...u }));
    for (const u of (await t.app.get(UsersService).list(null))) ids[u.email] = u.id;
  });
  afterAll(async () => t?.close());

  describe('users and tokens', () => {
    it('refuses an admin of A a token for a user shared with B, so B’s invoices stay out of reach', async () => {
      const invoiceOfB = await createInvoice(t, { structureSiret: B });
      const minted = await as.adminA.post('/api/users/tokens', { email: 'shared@test.fr', label: 'script' });
      expect([minted.status, minted.body.code]).toEqual([403, 'USER_SHARED_WITH_OTHER_STRUCTURES']);
      expect(minted.body.token).toBeUndefined();
      expect((await as.agentB.get(`/api/invoices/${invoiceOfB.id}`)).body.status).toBe('A_TRAITER');
      // The shared user's own token, and B's admin … would need A too: only the user (or the operator) can.
      expect((await as.adminB.post('/api/users/tokens', { email: 'shared@test.fr' })).status).toBe(403);
      expect((await as.shared.post('/api/users/tokens', { label: 'le mien' })).status).toBe(201);
    });

    it('lets an admin issue a token for a user of their structures only, and records who issued each', async () => {
      const issued = await as.adminA.post('/api/users/tokens', { email: 'agenta@test.fr', label: 'export nocturne' });
      expect(issued.status).toBe(201);
      expect((await apiAs(t, issued.body.token).get('/api/users/me')).body.email).toBe('agenta@test.fr');
      const rows: Array<{ label: string; issued_by: string | null; user_id: string }> = await t.app
        .get(DataSource)
        .query(`SELECT label, issued_by, user_id FROM api_tokens WHERE label IN ('export nocturne', 'le mien', 'test')`);
      expect(rows.find((r) => r.label === 'export nocturne')).toMatchObject({ issued_by: ids['admina@test.fr'], user_id: ids['agenta@test.fr'] });
      expect(rows.find((r) => r.label === 'le mien')).toMatchObject({ issued_by: ids['shared@test.fr'] });
      expect(rows.filter((r) => r.label === 'test').every((r) => r.issued_by === null)).toBe(true); // the operator (CLI)
    });

    it('refuses to deactivate, reactivate, revoke the tokens of, or make admin a user shared with B', async () => {
      for (const path of ['/api/users/deactivate', '/api/users/reactivate', '/api/users/tokens/revoke']) {
        const res = await as.adminA.post(path, { email: 'shared@test.fr' });
        expect([path, res.status, res.body.code]).toEqual([path, 403, 'USER_SHARED_WITH_OTHER_STRUCTURES']);
      }
      const transfer = await as.adminA.post('/api/users/transfer-admin', { siret: A, email: 'shared@test.fr' });
      expect([transfer.status, transfer.body.code]).toEqual([403, 'USER_SHARED_WITH_OTHER_STRUCTURES']);
      expect((await as.shared.get('/api/users/me')).body.role).toBe('agent');
    });

    it('lists users with only the structures the admin administers', async () => {
      const list = (await as.adminA.get('/api/users')).body as Array<{ email: string; structures: Array<{ siret: string }>; otherStructures: number }>;
      expect(list.map((u) => u.email)).not.toContain('agentb@test.fr');
      const shared = list.find((u) => u.email === 'shared@test.fr')!;
      expect([shared.structures.map((s) => s.siret), shared.otherStructures]).toEqual([[A], 1]);
    });
  });

  describe('PES budgets (the trésorerie IBAN printed on every ASAP)', () => {
    beforeAll(async () => {
      expect((await as.adminB.put('/api/pes/budgets', budgetOf('BUDGET-B', B))).status).toBe(200);
    });

    it('refuses an admin of A the settings of B’s budget, even by reusing its code', async () => {
      const rerouted = budgetOf('BUDGET-B', B, 'FR7630006000011234567890189');
      const direct = await as.adminA.put('/api/pes/budgets', rerouted);
      expect([direct.status, direct.body.code]).toEqual([403, 'BUDGET_FORBIDDEN']);
      const hijack = await as.adminA.put('/api/pes/budgets', budgetOf('BUDGET-B', A, 'FR7630006000011234567890189'));
      expect([hijack.status, hijack.body.code]).toEqual([403, 'BUDGET_FORBIDDEN']);
      expect((await as.adminB.get('/api/pes/budgets/BUDGET-B')).body.settings.tresorerie.iban).toBe(BUDGET.tresorerie.iban);
    });

    it('refuses a budget of an undeclared SIRET to everyone, admins included', async () => {
      const res = await as.adminA.put('/api/pes/budgets', budgetOf('BUDGET-X', UNDECLARED));
      expect([res.status, res.body.code]).toEqual([403, 'BUDGET_STRUCTURE_UNDECLARED']);
    });

    it('hides B’s budget, titres and bordereaux from A’s admin', async () => {
      expect(((await as.adminA.get('/api/pes/budgets')).body as Array<{ code: string }>).map((b) => b.code)).not.toContain('BUDGET-B');
      expect((await as.adminA.get('/api/pes/budgets/BUDGET-B')).status).toBe(403);
      expect((await as.adminA.get('/api/titres?budget=BUDGET-B')).status).toBe(403);
      expect((await as.adminA.get('/api/pes/bordereaux?budget=BUDGET-B')).status).toBe(403);
      expect((await as.adminA.post('/api/pes/generate', { budget: 'BUDGET-B' })).status).toBe(403);
    });
  });

  describe('motifs per structure', () => {
    it('lets A’s admin relabel and add motifs for A only; B keeps the shipped list', async () => {
      const relabel = await as.adminA.put('/api/reasons/MONTANT_ERRONE', { label: 'Montant faux (A)', structure: A });
      expect(relabel.status).toBe(200);
      expect((await as.adminA.post('/api/reasons', { code: 'PROPRE_A', label: 'Motif de A', actions: ['reject'] })).status).toBe(201);
      const listOf = async (who: string, siret: string) =>
        ((await as[who].get(`/api/reasons?structure=${siret}`)).body as Array<{ code: string; label: string }>).map((r) => `${r.code}=${r.label}`);
      expect(await listOf('agentA', A)).toEqual(expect.arrayContaining(['MONTANT_ERRONE=Montant faux (A)', 'PROPRE_A=Motif de A']));
      const ofB = await listOf('agentB', B);
      expect(ofB).toContain('MONTANT_ERRONE=Montant de la facture erroné');
      expect(ofB.some((r) => r.startsWith('PROPRE_A'))).toBe(false);
      // Reading or changing another structure's motifs is refused.
      expect((await as.adminA.get(`/api/reasons?structure=${B}`)).status).toBe(403);
      expect((await as.adminA.put('/api/reasons/MONTANT_ERRONE', { label: 'Piraté', structure: B })).status).toBe(403);
      expect(await listOf('agentB', B)).toEqual(ofB);
    });

    it('rejects with the motifs of the invoice’s structure', async () => {
      const ofA = await createInvoice(t, { structureSiret: A });
      const ofB = await createInvoice(t, { structureSiret: B });
      expect((await as.shared.post(`/api/invoices/${ofB.id}/reject`, { reasonCode: 'PROPRE_A' })).body.code).toBe('REASON_UNKNOWN');
      expect((await as.shared.post(`/api/invoices/${ofA.id}/reject`, { reasonCode: 'PROPRE_A' })).status).toBe(200);
      const rejected = await as.shared.post(`/api/invoices/${ofB.id}/reject`, REJECT);
      expect(rejected.status).toBe(200);
      const history = (await as.agentB.get(`/api/invoices/${ofB.id}/history`)).body as Array<{ details?: { reason?: string } }>;
      expect(history.map((h) => h.details?.reason).filter(Boolean)).toEqual(['Montant de la facture erroné']);
    });

    it('asks an admin of several structures which one', async () => {
      const [C, D] = [testSiret(104), testSiret(105)];
      const adminCD = apiAs(t, await createUserAndToken(t, { email: 'admin-cd@test.fr', role: 'admin', structureSirets: [C, D] }));
      const unnamed = await adminCD.post('/api/reasons', { code: 'PROPRE_C', label: 'Motif de C' });
      expect([unnamed.status, unnamed.body.code]).toEqual([422, 'STRUCTURE_REQUIRED']);
      expect((await adminCD.post('/api/reasons', { code: 'PROPRE_C', label: 'Motif de C', structure: C })).status).toBe(201);
      const codes = async (siret?: string) => ((await adminCD.get(`/api/reasons${siret ? `?structure=${siret}` : ''}`)).body as Array<{ code: string }>).map((r) => r.code);
      expect(await codes(C)).toContain('PROPRE_C');
      expect(await codes(D)).not.toContain('PROPRE_C');
      expect(await codes()).not.toContain('PROPRE_C'); // several structures, none named: the shipped list
    });
  });

  describe('invoices, outbox and structures of another structure', () => {
    it('refuses B’s invoices, outbox rows and structure settings to A’s admin', async () => {
      const ofB = await createInvoice(t, { structureSiret: B });
      expect((await as.agentB.post(`/api/invoices/${ofB.id}/reject`, REJECT)).status).toBe(200);
      expect((await as.adminA.get(`/api/invoices/${ofB.id}`)).status).toBe(403);
      const bulk = await as.adminA.post('/api/invoices/actions', { action: 'cancel-rejection', ids: [ofB.id] });
      expect(bulk.body.results).toEqual([expect.objectContaining({ id: ofB.id, ok: false, code: 'INVOICE_FORBIDDEN' })]);
      const outboxOfB = (await as.agentB.get(`/api/status-outbox?invoiceId=${ofB.id}`)).body as Array<{ id: number }>;
      expect(outboxOfB).toHaveLength(1);
      expect((await as.adminA.get(`/api/status-outbox?invoiceId=${ofB.id}`)).body).toEqual([]);
      expect((await as.adminA.post(`/api/status-outbox/${outboxOfB[0].id}/abandon`, {})).status).toBeGreaterThanOrEqual(403);
      expect((await as.adminA.get(`/api/structures/${B}`)).status).toBe(403);
      expect((await as.adminA.post('/api/structures', { siret: B, name: 'Repris par A' })).status).toBe(403);
      expect(((await as.adminA.get('/api/structures')).body as Array<{ siret: string }>).map((s) => s.siret)).toEqual([A]);
      expect((await as.adminA.post('/api/users', { email: 'intrus@test.fr', role: 'agent', structureSirets: [B] })).body.code).toBe('STRUCTURE_FORBIDDEN');
      expect((await as.agentB.get(`/api/invoices/${ofB.id}`)).body.status).toBe('REJETEE');
    });
  });
});
