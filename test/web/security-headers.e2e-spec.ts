import { Browser } from 'playwright-core';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium, newTestContext } from '@test/support/browser';
import { createTestApp, TestApp } from '@test/support/test-app';


/**
 * Security headers (helmet) on every answer: pages, API, errors, unknown addresses. The app's CSP allows its own
 * scripts and styles only and forbids framing it; the pages and the OpenAPI pages still work under it in Chromium.
 */
describe('Security headers on every page and API answer', () => {
  let t: TestApp;
  let token: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    token = await createUserAndToken(t, { email: 'agent@saint-aubin.fr', role: 'agent', structureSirets: ['21490412000018'], password: 'correct horse battery' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sets CSP, frame-ancestors none, Referrer-Policy, nosniff and no X-Powered-By on pages, API answers and errors', async () => {
    const answers = {
      page: await fetch(`${t.url}/`),
      asset: await fetch(`${t.url}/assets/js/app.mjs`),
      api: await fetch(`${t.url}/api/invoices`, { headers: { authorization: `Bearer ${token}` } }),
      unauthenticated: await fetch(`${t.url}/api/invoices`),
      unknown: await fetch(`${t.url}/api/nulle-part`),
      malformed: await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({ page: 200, asset: 200, api: 200, unauthenticated: 401, unknown: 404, malformed: 400 });
    for (const [what, res] of Object.entries(answers)) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect([what, csp]).toEqual([what, expect.stringContaining("default-src 'self'")]);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP here: HSTS only behind TLS
    }
    expect(await answers.unknown.json()).toEqual({ code: 'NOT_FOUND', message: 'Adresse inconnue du service' });
  });

  it('serves the pages and the OpenAPI pages in Chromium without any CSP violation', async () => {
    const page = await (await newTestContext(browser)).newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(e.message));
    await page.goto(`${t.url}/#/connexion`);
    await page.getByLabel('Adresse électronique').fill('agent@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill('correct horse battery');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#topbar:not([hidden])').waitFor();
    await page.goto(`${t.url}/api/docs`);
    await page.locator('.opblock').first().waitFor(); // Swagger UI rendered the operations
    expect(violations).toEqual([]);
  });

  it('adds HSTS when the pages are served over HTTPS (PUBLIC_URL https)', async () => {
    const tls = await createTestApp({ env: { PUBLIC_URL: 'https://passerelle.mairie.fr' } });
    try {
      const res = await fetch(`${tls.url}/`);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
      expect((await apiAs(tls, null).get('/health')).status).toBe(200);
    } finally {
      await tls.close();
    }
  });
});
