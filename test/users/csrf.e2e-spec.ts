/// <reference lib="dom" />
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium, newTestContext } from '@test/support/browser';
import { createInvoice } from '@test/support/invoice.factory';
import { createTestApp, TestApp } from '@test/support/test-app';

const SIRET = '21490412000018';
const AGENT = { email: 'agent@saint-aubin.fr', role: 'agent' as const, structureSirets: [SIRET], password: 'correct horse battery' };
const REJECT = { reasonCode: 'MONTANT_ERRONE', complement: 'envoyé par une autre page' };


/**
 * Cross-site request forgery: a page on another port of the same host (same site, so the Lax session cookie goes
 * along) tried to reject an invoice with a form post and a text/plain fetch, then to cancel the rejection. Refused:
 * changes are JSON only and, with the session cookie, from the app's own origin; the app's own JSON call works;
 * Bearer-token clients are unaffected.
 */
describe('CSRF: cookie-authenticated changes only from the app’s own pages', () => {
  let t: TestApp;
  let token: string;
  let browser: Browser;
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = await createUserAndToken(t, AGENT);
    browser = await launchChromium();
    // The attacker's page, served from another port of 127.0.0.1: its content comes from the query string.
    evil = createServer((req, res) => {
      const html = new URL(req.url ?? '/', 'http://x').searchParams.get('html') ?? '';
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(html);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => evil?.close(resolve));
    await t?.close();
  });

  const statusOf = async (id: string) => (await apiAs(t, token).get(`/api/invoices/${id}`)).body.status;

  async function sessionCookie(): Promise<string> {
    const res = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: AGENT.email, password: AGENT.password }) });
    return res.headers.get('set-cookie')!.split(';')[0];
  }

  it('refuses a form post and a text/plain post carrying the session cookie from another origin', async () => {
    const inv = await createInvoice(t, { structureSiret: SIRET });
    const cookie = await sessionCookie();
    const send = (headers: Record<string, string>, body: string) =>
      fetch(`${t.url}/api/invoices/${inv.id}/reject`, { method: 'POST', headers: { cookie, ...headers }, body });
    const form = await send({ 'content-type': 'application/x-www-form-urlencoded', origin: evilUrl }, 'reasonCode=MONTANT_ERRONE');
    expect([form.status, (await form.json()).code]).toEqual([415, 'JSON_REQUIRED']);
    const text = await send({ 'content-type': 'text/plain', origin: evilUrl, 'sec-fetch-site': 'same-site' }, JSON.stringify(REJECT));
    expect(text.status).toBe(415);
    const json = await send({ 'content-type': 'application/json', origin: evilUrl, 'sec-fetch-site': 'same-site' }, JSON.stringify(REJECT));
    expect([json.status, (await json.json()).code]).toEqual([403, 'CROSS_ORIGIN_REFUSED']);
    expect(await statusOf(inv.id)).toBe('A_TRAITER');
    // The app's own call: JSON, from its origin.
    const own = await send({ 'content-type': 'application/json', origin: t.url, 'sec-fetch-site': 'same-origin' }, JSON.stringify(REJECT));
    expect(own.status).toBe(200);
    expect(await statusOf(inv.id)).toBe('REJETEE');
  });

  it('in Chromium: another port’s page cannot reject nor cancel a rejection; the app’s own page can', async () => {
    const fresh = await createInvoice(t, { structureSiret: SIRET });
    const rejected = await createInvoice(t, { structureSiret: SIRET });
    expect((await apiAs(t, token).post(`/api/invoices/${rejected.id}/reject`, REJECT)).status).toBe(200);
    const context = await newTestContext(browser);
    try {
      expect((await context.request.post(`${t.url}/api/auth/login`, { data: { email: AGENT.email, password: AGENT.password } })).status()).toBe(200);
      const page = await context.newPage();
      const target = (id: string, action: string) => `${t.url}/api/invoices/${id}/${action}`;
      // A form (text/plain, so that the body looks like JSON) and no-cors fetches, as the attack did.
      const attack = `<!doctype html><form id="f" method="post" enctype="text/plain" action="${target(fresh.id, 'reject')}">
        <input name='{"reasonCode":"MONTANT_ERRONE","complement":"' value='"}'></form>
        <script>
          const post = (url, init) => fetch(url, { method: 'POST', credentials: 'include', ...init });
          Promise.allSettled([
            post(${JSON.stringify(target(fresh.id, 'reject'))}, { mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(JSON.stringify(REJECT))} }),
            post(${JSON.stringify(target(rejected.id, 'cancel-rejection'))}, { mode: 'no-cors' }),
            post(${JSON.stringify(target(rejected.id, 'cancel-rejection'))}, { headers: { 'content-type': 'application/json' }, body: '{}' }),
          ]).finally(() => document.getElementById('f').submit());
        </script>`;
      const responses: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${t.url}/api/invoices/`)) responses.push(r.status());
      });
      await page.goto(`${evilUrl}/?html=${encodeURIComponent(attack)}`);
      await page.waitForURL(`${t.url}/**`); // the form navigated to the API: its answer is the refusal
      expect([await statusOf(fresh.id), await statusOf(rejected.id)]).toEqual(['A_TRAITER', 'REJETEE']);
      expect(await page.locator('body').innerText()).toContain('JSON_REQUIRED');
      expect(responses.every((s) => s === 415 || s === 403 || s === 404)).toBe(true);

      // The app's own page, same cookie: its JSON call goes through.
      await page.goto(`${t.url}/`);
      const status = await page.evaluate(
        async ({ id, body }) => (await fetch(`/api/invoices/${id}/cancel-rejection`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
        { id: rejected.id, body: '{}' },
      );
      expect(status).toBe(200);
      expect(await statusOf(rejected.id)).toBe('A_TRAITER');
    } finally {
      await context.close();
    }
  });

  it('refuses a log-in posted from another origin (login CSRF), not the app’s own', async () => {
    const login = (origin: string) =>
      fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email: AGENT.email, password: AGENT.password }) });
    expect((await login(evilUrl)).status).toBe(403);
    expect((await login(t.url)).status).toBe(200);
  });

  it('leaves Bearer-token clients unaffected (any Origin header, no body)', async () => {
    const inv = await createInvoice(t, { structureSiret: SIRET });
    const bearer = { authorization: `Bearer ${token}` };
    const reject = await fetch(`${t.url}/api/invoices/${inv.id}/reject`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json', origin: evilUrl }, body: JSON.stringify(REJECT) });
    expect(reject.status).toBe(200);
    const cancel = await fetch(`${t.url}/api/invoices/${inv.id}/cancel-rejection`, { method: 'POST', headers: bearer });
    expect(cancel.status).toBe(200);
    expect(await statusOf(inv.id)).toBe('A_TRAITER');
  });
});
