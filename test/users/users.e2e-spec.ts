import { UsersService } from '@/users/users.service';
import { apiAs, createUserAndToken, testSiret } from '@test/support/auth';
import { runCliInProcess } from '@test/support/cli';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

/** The CLI's commands run in-process against the test application (same services as `node dist/cli/main.js`). */
function runCli(t: TestApp, args: string[]) {
  return runCliInProcess(t.app, args);
}

describe('users, tokens, sessions', () => {
  let t: TestApp;
  const S1 = testSiret(21);
  const S2 = testSiret(22);
  let adminToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    adminToken = await createUserAndToken(t, { email: 'gp@s1.fr', role: 'admin', structureSirets: [S1], password: 'un mot de passe long' });
    await createUserAndToken(t, { email: 'gp@s2.fr', role: 'admin', structureSirets: [S2] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in with a session cookie, and never says which part of the credentials was wrong', async () => {
    const wrong = await apiAs(t, null).post('/api/auth/login', { email: 'gp@s1.fr', password: 'mauvais mot de passe' });
    const unknown = await apiAs(t, null).post('/api/auth/login', { email: 'personne@s1.fr', password: 'un mot de passe long' });
    for (const r of [wrong, unknown]) expect([r.status, r.body.message]).toEqual([401, 'Identifiants incorrects']);
    const ok = await apiAs(t, null).post('/api/auth/login', { email: 'GP@s1.fr', password: 'un mot de passe long' });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/passerelle_session=[^;]+;.*HttpOnly/i);
    expect(cookie).not.toMatch(/;\s*Secure/i); // plain HTTP unless SESSION_COOKIE_SECURE (see below)
    const session = cookie.split(';')[0];
    const me = await apiAs(t, null).call('GET', '/api/users/me', undefined, { cookie: session });
    expect(me.body).toMatchObject({ email: 'gp@s1.fr', role: 'admin' });
    await apiAs(t, null).call('POST', '/api/auth/logout', {}, { cookie: session });
    expect((await apiAs(t, null).call('GET', '/api/users/me', undefined, { cookie: session })).status).toBe(401);
  });

  it('refuses log-ins on an account after 5 failures, even the right password, with 429 and Retry-After; other accounts unaffected', async () => {
    await createUserAndToken(t, { email: 'cible@s2.fr', role: 'agent', structureSirets: [S2], password: 'le bon mot de passe' });
    for (let i = 0; i < 5; i++) {
      const r = await apiAs(t, null).post('/api/auth/login', { email: 'cible@s2.fr', password: `essai ${i}` });
      expect(r.status).toBe(401);
    }
    const blocked = await apiAs(t, null).post('/api/auth/login', { email: 'Cible@S2.fr', password: 'le bon mot de passe' });
    expect([blocked.status, blocked.body.code]).toEqual([429, 'TOO_MANY_LOGIN_ATTEMPTS']);
    expect(blocked.body.message).toMatch(/Trop de tentatives de connexion pour ce compte : réessayez dans \d+ minutes?\./);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await apiAs(t, null).post('/api/auth/login', { email: 'gp@s1.fr', password: 'un mot de passe long' });
    expect(other.status).toBe(200);
  });

  it('lets an admin create users of their structures only, and keeps one gestionnaire principal per structure', async () => {
    const admin = apiAs(t, adminToken);
    const created = await admin.post('/api/users', { email: 'agent@s1.fr', role: 'agent', structureSirets: [S1] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'agent@s1.fr', role: 'agent', structures: [{ siret: S1, mainAdmin: false }] });
    expect(created.body).not.toHaveProperty('passwordHash');
    expect((await admin.post('/api/users', { email: 'x@s2.fr', role: 'agent', structureSirets: [S2] })).body.code).toBe('STRUCTURE_FORBIDDEN');
    const second = await admin.post('/api/users', { email: 'gp2@s1.fr', role: 'admin', structureSirets: [S1] });
    expect([second.status, second.body.code]).toEqual([409, 'MAIN_ADMIN_EXISTS']);
    expect((await admin.post('/api/users', { email: 'agent@s1.fr', role: 'agent', structureSirets: [S1] })).body.code).toBe('USER_EXISTS');

    const agentToken = (await admin.post('/api/users/tokens', { email: 'agent@s1.fr' })).body.token as string;
    expect(agentToken).toMatch(/^psr_/);
    const agent = apiAs(t, agentToken);
    expect((await agent.get('/api/users')).status).toBe(403);
    expect((await agent.post('/api/users', { email: 'y@s1.fr', role: 'agent', structureSirets: [S1] })).status).toBe(403);
    expect((await agent.post('/api/users/tokens', { email: 'gp@s1.fr' })).body.code).toBe('USER_FORBIDDEN');
    expect((await admin.get('/api/users')).body.map((u: { email: string }) => u.email)).toEqual(['agent@s1.fr', 'gp@s1.fr']);

    // Transfer: the agent becomes gestionnaire principal, the former one an agent.
    const transfer = await admin.post('/api/users/transfer-admin', { siret: S1, email: 'agent@s1.fr' });
    expect(transfer.body).toMatchObject({ email: 'agent@s1.fr', role: 'admin', structures: [{ siret: S1, mainAdmin: true }] });
    expect((await apiAs(t, adminToken).get('/api/users/me')).body.role).toBe('agent');
    expect((await apiAs(t, adminToken).get('/api/users')).status).toBe(403);
  });

  it('offers the same actions from the CLI, with the same rules, for --as EMAIL', async () => {
    const S3 = testSiret(23);
    await t.app.get((await import('@/structures/structures.service')).StructuresService).upsert({ siret: S3, name: 'Commune' });
    const add = await runCli(t, ['users', 'add', '--email', 'cli@s3.fr', '--role', 'agent', '--structure', S3, '--json']);
    expect(JSON.parse(add.lines.at(-1)!)).toMatchObject({ email: 'cli@s3.fr', role: 'agent' });
    const token = await runCli(t, ['users', 'token', '--email', 'cli@s3.fr']);
    expect(token.lines.at(-1)).toMatch(/^psr_[A-Za-z0-9_-]{43}$/);
    expect((await apiAs(t, token.lines.at(-1)!).get('/api/users/me')).body.email).toBe('cli@s3.fr');

    const reasons = await runCli(t, ['reasons', 'list', '--json']);
    expect(JSON.parse(reasons.lines.at(-1)!).map((r: { code: string }) => r.code)).toContain('MONTANT_ERRONE');

    const a = await createInvoice(t, { structureSiret: S3, netAmount: '120.5' });
    const b = await createInvoice(t, { structureSiret: S3, status: 'REJETEE' });
    const other = await createInvoice(t, { structureSiret: S1 });
    const mandate = await runCli(t, [
      'invoices', 'mandate', a.id, b.id, other.id, '--as', 'cli@s3.fr',
      '--imputation', 'article=6064,fonction=020,operation=,service=COMPTA,amount=100.50,engagement=EJ1',
      '--imputation', 'article=6068,amount=20', '--json',
    ]);
    expect(JSON.parse(mandate.lines.at(-1)!)).toEqual({
      results: [
        expect.objectContaining({ id: a.id, ok: true, status: 'MANDATEE', mandateNumber: expect.stringMatching(/^\d{4}-000001$/) }),
        expect.objectContaining({ id: b.id, ok: false, code: 'TRANSITION_NOT_ALLOWED', message: expect.any(String) }),
        expect.objectContaining({ id: other.id, ok: false, code: 'INVOICE_FORBIDDEN' }),
      ],
    });
    expect(mandate.exitCode).toBe(1);

    const c = await createInvoice(t, { structureSiret: S3 });
    const noReason = await runCli(t, ['invoices', 'reject', c.id, '--as', 'cli@s3.fr', '--json']);
    expect(JSON.parse(noReason.lines.at(-1)!).results[0]).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    const reject = await runCli(t, ['invoices', 'reject', c.id, '--as', 'cli@s3.fr', '--reason', 'DOUBLON', '--complement', 'déjà reçue', '--json']);
    expect(JSON.parse(reject.lines.at(-1)!)).toEqual({ results: [expect.objectContaining({ id: c.id, ok: true, status: 'REJETEE' })] });
    expect(reject.exitCode).toBe(0);
  });
});

describe('session cookie behind a TLS reverse proxy', () => {
  it('is marked Secure when SESSION_COOKIE_SECURE=true', async () => {
    const t = await createTestApp({ env: { SESSION_COOKIE_SECURE: 'true' } });
    try {
      await createUserAndToken(t, { email: 'gp@s6.fr', role: 'admin', structureSirets: [testSiret(26)], password: 'un mot de passe long' });
      const ok = await apiAs(t, null).post('/api/auth/login', { email: 'gp@s6.fr', password: 'un mot de passe long' });
      expect(ok.headers.get('set-cookie')).toMatch(/passerelle_session=[^;]+;.*;\s*Secure/i);
    } finally {
      await t.close();
    }
  });
});

describe('users who leave: deactivation, reactivation, token revocation', () => {
  let t: TestApp;
  const S4 = testSiret(24);
  const S5 = testSiret(25);
  let adminToken: string;
  let leaverToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    adminToken = await createUserAndToken(t, { email: 'gp@s4.fr', role: 'admin', structureSirets: [S4], password: 'un mot de passe long' });
    leaverToken = await createUserAndToken(t, { email: 'partant@s4.fr', role: 'agent', structureSirets: [S4], password: 'un autre mot de passe' });
  });
  afterAll(async () => t?.close());

  const login = (email: string, password: string) => apiAs(t, null).post('/api/auth/login', { email, password });
  const me = (headers: { token?: string; cookie?: string }) =>
    apiAs(t, headers.token ?? null).call('GET', '/api/users/me', undefined, headers.cookie ? { cookie: headers.cookie } : {});

  it('deactivation ends sessions and API tokens at once; reactivation gives the pages back, not the old tokens', async () => {
    const session = (await login('partant@s4.fr', 'un autre mot de passe')).headers.get('set-cookie')!.split(';')[0];
    expect((await me({ cookie: session })).status).toBe(200);
    expect((await me({ token: leaverToken })).status).toBe(200);

    const off = await apiAs(t, adminToken).post('/api/users/deactivate', { email: 'Partant@s4.fr' });
    expect([off.status, off.body.active]).toEqual([200, false]);
    expect((await me({ cookie: session })).status).toBe(401);
    expect((await me({ token: leaverToken })).status).toBe(401);
    expect((await login('partant@s4.fr', 'un autre mot de passe')).status).toBe(401);

    const on = await apiAs(t, adminToken).post('/api/users/reactivate', { email: 'partant@s4.fr' });
    expect([on.status, on.body.active]).toEqual([200, true]);
    expect((await login('partant@s4.fr', 'un autre mot de passe')).status).toBe(200);
    expect((await me({ token: leaverToken })).status).toBe(401);
  });

  it('refuses what would lock a structure out, and users of other structures', async () => {
    const self = await apiAs(t, adminToken).post('/api/users/deactivate', { email: 'gp@s4.fr' });
    expect([self.status, self.body.code]).toEqual([409, 'CANNOT_DEACTIVATE_SELF']);
    await expect(t.app.get(UsersService).deactivate('gp@s4.fr', null)).rejects.toMatchObject({ code: 'MAIN_ADMIN_CANNOT_BE_DEACTIVATED' });

    const otherAdmin = await createUserAndToken(t, { email: 'gp@s5.fr', role: 'admin', structureSirets: [S5] });
    const foreign = await apiAs(t, otherAdmin).post('/api/users/deactivate', { email: 'partant@s4.fr' });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'USER_FORBIDDEN']);
    const agentToken = await createUserAndToken(t, { email: 'agent@s4.fr', role: 'agent', structureSirets: [S4] });
    expect((await apiAs(t, agentToken).post('/api/users/deactivate', { email: 'partant@s4.fr' })).status).toBe(403);
  });

  it('revokes every API token of a user: one’s own, or those of a user one administers; new ones work', async () => {
    const first = (await apiAs(t, adminToken).post('/api/users/tokens', { email: 'partant@s4.fr' })).body.token as string;
    const second = (await apiAs(t, first).post('/api/users/tokens', {})).body.token as string;
    const own = await apiAs(t, second).post('/api/users/tokens/revoke', {});
    expect([own.status, own.body]).toEqual([200, { revoked: 2 }]);
    for (const token of [first, second]) expect((await me({ token })).status).toBe(401);

    const third = (await apiAs(t, adminToken).post('/api/users/tokens', { email: 'partant@s4.fr' })).body.token as string;
    expect((await me({ token: third })).status).toBe(200);
    expect((await apiAs(t, adminToken).post('/api/users/tokens/revoke', { email: 'partant@s4.fr' })).body).toEqual({ revoked: 1 });
    expect((await me({ token: third })).status).toBe(401);
  });

  it('offers deactivate, reactivate and revoke-tokens from the CLI', async () => {
    const fresh = await createUserAndToken(t, { email: 'cli@s4.fr', role: 'tresorier', structureSirets: [S4] });
    expect(JSON.parse((await runCli(t, ['users', 'deactivate', '--email', 'cli@s4.fr', '--json'])).lines.at(-1)!)).toMatchObject({ active: false });
    expect((await me({ token: fresh })).status).toBe(401);
    expect(JSON.parse((await runCli(t, ['users', 'reactivate', '--email', 'cli@s4.fr', '--json'])).lines.at(-1)!)).toMatchObject({ active: true });
    const token = (await runCli(t, ['users', 'token', '--email', 'cli@s4.fr'])).lines.at(-1)!;
    expect(JSON.parse((await runCli(t, ['users', 'revoke-tokens', '--email', 'cli@s4.fr', '--json'])).lines.at(-1)!)).toEqual({ revoked: 1 });
    expect((await me({ token })).status).toBe(401);
  });
});
