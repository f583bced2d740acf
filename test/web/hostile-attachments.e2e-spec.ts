/// <reference lib="dom" />
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { buildHostileAttachmentFlow, HOSTILE_ATTACHMENTS } from '@/fixtures-generator/hostile-attachments.fixtures';
import { renderPivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { IngestionService } from '@/ingestion/ingestion.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium, newTestContext } from '@test/support/browser';
import { createTestApp, TestApp } from '@test/support/test-app';

const COMMUNE = '21490412000018';
const AGENT = { email: 'agent@saint-aubin.fr', role: 'agent' as const, structureSirets: [COMMUNE], password: 'correct horse battery' };


/**
 * A supplier's attachments are hostile: an HTML file declared `text/html;name=facture.pdf` as the invoice itself, an
 * SVG, an XHTML file declared PDF, an unknown extension declared text/html. Opened in Chromium every way the pages
 * allow — the invoice page, « Ouvrir », « Télécharger », the attachment's address typed or framed by a page of the app —
 * none of their scripts ever runs (each would call /api/users/me?pwned=… and set top.__pwned), while a genuine PDF
 * still displays under the sandboxing CSP.
 */
describe('Hostile attachments in a real browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'hostile-attachments-'));
  const pwned: string[] = [];
  let hostileId: string;
  let controlId: string;
  let attachments: Array<{ id: string; name: string; kind: string | null; type: string }>;

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    const { flow, hostile, control } = buildHostileAttachmentFlow();
    writeFileSync(join(dir, 'flux-hostile.xml'), renderPivotFlow(flow));
    const report = await t.app.get(IngestionService).importPaths([join(dir, 'flux-hostile.xml')], { source: 'cli' });
    expect(report.invoices.created).toBe(2);
    const api = apiAs(t, await createUserAndToken(t, AGENT));
    const list = (await api.get(`/api/invoices?structure=${COMMUNE}&limit=10`)).body.items as Array<{ id: string; number: string }>;
    hostileId = list.find((i) => i.number === hostile.number)!.id;
    controlId = list.find((i) => i.number === control.number)!.id;
    attachments = (await api.get(`/api/invoices/${hostileId}`)).body.attachments;

    browser = await launchChromium();
    context = await newTestContext(browser, { viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    // Every request of every page and frame: a payload that ran would call back with its marker.
    context.on('request', (req) => {
      if (/pwned/.test(req.url())) pwned.push(req.url());
    });
    const login = await context.request.post(`${t.url}/api/auth/login`, { data: { email: AGENT.email, password: AGENT.password } });
    expect(login.status()).toBe(200);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (id: string, download = false) => `${t.url}/api/invoices/${hostileId}/attachments/${id}${download ? '?download=1' : ''}`;
  const byName = (name: string) => attachments.find((a) => a.name === name)!;

  it('exposes the kind sniffed from the bytes, never the declared type', () => {
    expect(attachments.map((a) => [a.name, a.type, a.kind])).toEqual([
      ['facture.pdf', '01', 'other'],
      ['plan-de-masse.svg', '02', 'other'],
      ['annexe.xml', '02', 'other'],
      ['bordereau.zzz', '02', 'other'],
      ['note.txt', '02', 'text'],
    ]);
  });

  it('serves active content as a download (octet-stream), text as text, always nosniff and sandboxed', async () => {
    for (const h of HOSTILE_ATTACHMENTS) {
      const res = await context.request.get(url(byName(h.name).id));
      const headers = res.headers();
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
      if (h.served === 'download') {
        expect([h.name, headers['content-type'], headers['content-disposition']]).toEqual([h.name, 'application/octet-stream', expect.stringMatching(/^attachment;/)]);
      } else {
        expect([h.name, headers['content-type'], headers['content-disposition']]).toEqual([h.name, 'text/plain; charset=utf-8', expect.stringMatching(/^inline;/)]);
      }
      expect(await res.text()).toBe(h.content); // the bytes themselves are kept and given back unchanged
    }
  });

  it('never frames a non-PDF invoice attachment on the invoice page, and offers it for download only', async () => {
    await page.goto(`${t.url}/#/facture/${hostileId}`);
    await page.locator('#invoice-pdf-missing').waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    const row = page.locator('tr', { hasText: 'plan-de-masse.svg' });
    expect(await row.getByRole('link', { name: 'Ouvrir' }).count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Télécharger' }).click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(HOSTILE_ATTACHMENTS[1].content);
    // The text attachment opens as text in a new tab: its markup is shown, not run.
    const [tab] = await Promise.all([context.waitForEvent('page'), page.locator('tr', { hasText: 'note.txt' }).getByRole('link', { name: 'Ouvrir' }).click()]);
    await tab.waitForLoadState();
    expect(await tab.locator('body').innerText()).toContain('<script>');
    await tab.close();
  });

  it('never runs a payload opened by its address, in a tab or framed by a page of the app', async () => {
    const outcome: Record<string, string> = {};
    for (const h of HOSTILE_ATTACHMENTS) {
      const tab = await context.newPage();
      const download = tab.waitForEvent('download').catch(() => null);
      // A download aborts the navigation; a document shown in the tab loads.
      const shown = await tab.goto(url(byName(h.name).id)).then(() => true, () => false);
      if (shown) await tab.waitForLoadState('networkidle');
      outcome[h.name] = shown ? 'inline' : ((await download)?.suggestedFilename() === h.name ? 'download' : 'nothing');
      await tab.close();
    }
    // As the former invoice page did: the attachment in an iframe of the app's origin.
    await page.goto(`${t.url}/#/facture/${hostileId}`);
    await page.locator('#invoice-pdf-missing').waitFor();
    for (const h of HOSTILE_ATTACHMENTS) {
      await page.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
      }, url(byName(h.name).id));
    }
    await page.waitForLoadState('networkidle');
    expect({ pwned, flag: await page.evaluate(() => (window as unknown as { __pwned?: string[] }).__pwned ?? null) }).toEqual({ pwned: [], flag: null });
    expect(outcome).toEqual(Object.fromEntries(HOSTILE_ATTACHMENTS.map((h) => [h.name, h.served])));
  });

  it('still displays a genuine PDF inline under the sandboxing CSP', async () => {
    await page.goto(`${t.url}/#/facture/${controlId}`);
    const frame = page.locator('#invoice-pdf');
    await frame.waitFor();
    const src = (await frame.getAttribute('src'))!;
    const res = await context.request.get(`${t.url}${src}`);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(res.headers()['content-security-policy']).toMatch(/^sandbox;/);
    // Chromium's PDF viewer is an extension frame inside the iframe; it renders the document (a <pdf-viewer>).
    let viewer = null;
    for (let i = 0; i < 300 && !viewer; i++) {
      viewer = page.frames().find((f) => f.url().startsWith('chrome-extension://')) ?? null;
      if (!viewer) await page.waitForTimeout(200);
    }
    expect(viewer).not.toBeNull();
    await viewer!.locator('pdf-viewer').waitFor({ state: 'attached' });
    expect(pwned).toEqual([]);
  });
});
