/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { toCents } from '@/common/money/money';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium } from '@test/support/browser';
import { createTestApp, TestApp } from '@test/support/test-app';
import { TEST_DB_KIND } from '@test/support/test-database';

/**
 * The pages in a real browser (Debian's Chromium driven by playwright-core) against the whole service on
 * loopback: the finance staff's day, the trésorier's payment, the status file, the PES, and an agent of
 * another structure who sees none of it. Screenshots of each page go to test/artifacts/ (git-ignored).
 */
const ROOT = resolve(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test', 'artifacts', `web-${TEST_DB_KIND}`);
const FIXTURES = join(ROOT, 'fixtures');
const COMMUNE = '21490412000018';
const CC = '20007139700018';
const PASSWORD = 'correct horse battery';

const USERS = {
  agent: { email: 'agent@saint-aubin.fr', role: 'agent' as const, structureSirets: [COMMUNE], password: PASSWORD },
  tresorier: { email: 'tresorier@dgfip.fr', role: 'tresorier' as const, structureSirets: [COMMUNE], password: PASSWORD },
  admin: { email: 'gp@saint-aubin.fr', role: 'admin' as const, structureSirets: [COMMUNE], password: PASSWORD },
  other: { email: 'agent@val-aubance.fr', role: 'agent' as const, structureSirets: [CC], password: PASSWORD },
};

jest.setTimeout(240_000);

describe('Pages in a real browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agentApi: ReturnType<typeof apiAs>;
  let adminApi: ReturnType<typeof apiAs>;
  const ids: Record<string, string> = {};
  const downloadDir = mkdtempSync(join(tmpdir(), 'passerelle-web-dl-'));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    const report = await t.app.get(IngestionService).importPaths([join(FIXTURES, 'pivot')], { source: 'cli' });
    expect(report.invoices.created).toBeGreaterThan(10);
    const tokens: Record<string, string> = {};
    for (const [key, u] of Object.entries(USERS)) tokens[key] = await createUserAndToken(t, u);
    agentApi = apiAs(t, tokens.agent);
    adminApi = apiAs(t, tokens.admin);
    const list = await agentApi.get(`/api/invoices?limit=500`);
    for (const i of list.body.items) ids[i.number] = i.id;

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(downloadDir, { recursive: true, force: true });
  });

  async function open(viewport = { width: 1280, height: 800 }): Promise<void> {
    await context?.close();
    context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  }

  async function login(user: { email: string; password: string }): Promise<void> {
    await open();
    await page.goto(`${t.url}/#/connexion`);
    await page.getByLabel('Adresse électronique').fill(user.email);
    await page.getByLabel('Mot de passe').fill(user.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#topbar:not([hidden])').waitFor();
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  function row(section: string, number: string) {
    return page.locator(`#${section} tr[data-invoice="${number}"]`);
  }

  async function noHorizontalOverflow(): Promise<void> {
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
  }

  it('serves the pages as public HTML, the data only with a session', async () => {
    const html = await fetch(`${t.url}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    const js = await fetch(`${t.url}/assets/js/app.mjs`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const etag = js.headers.get('etag')!;
    expect((await fetch(`${t.url}/assets/js/app.mjs`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${t.url}/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/invoices`)).status).toBe(401);
  });

  it('log in: a wrong password says so without saying which part was wrong; keyboard only', async () => {
    await open();
    await page.goto(`${t.url}/`);
    await page.locator('#login-email').waitFor();
    await shot('01-connexion');
    await page.keyboard.type(USERS.agent.email); // the e-mail field has the focus
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await page.locator('#login-error:not([hidden])').waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('Adresse ou mot de passe incorrect.');
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('#a-creer tbody tr[data-invoice]').first().waitFor();
    expect(await page.locator('#who').textContent()).toContain('Commune de Saint-Aubin-sur-Loire');
  });

  it('« Intégration des flux »: the three lists, French amounts, filters and sorting, at 1280×800 and 1920×1080', async () => {
    await login(USERS.agent);
    await page.locator('#a-creer tbody tr[data-invoice]').first().waitFor();
    const r = row('a-creer', 'ESL-2025-001003');
    expect(await r.textContent()).toContain('12\u202f519,05\u00a0€');
    expect(await page.locator('#a-creer tbody tr[data-invoice]').count()).toBe(
      Object.keys(ids).length - (await agentApi.get('/api/invoices?tab=creees')).body.items.length,
    );
    // Only the agent's structure: nothing of the communauté de communes.
    expect(await page.locator('#a-creer tr[data-invoice="TL-2025-002003"]').count()).toBe(0);
    await noHorizontalOverflow();
    await shot('02-integration-des-flux-1280');

    await page.getByLabel('Net à payer de (€)').fill('1 000');
    await page.getByLabel('Tri').selectOption('amount_desc');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#a-creer tbody tr[data-invoice]').length > 0 && !document.querySelector('#a-creer .loading'));
    const numbers = await page.locator('#a-creer tbody tr[data-invoice]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.invoice));
    expect(numbers[0]).toBe('EVD-2025-001006'); // 18 062,39 € : the largest net of the commune
    expect(numbers).not.toContain('BM-2025-001001'); // 23,93 € < 1 000 €
    await page.getByRole('button', { name: 'Effacer' }).click();
    await page.waitForFunction(() => document.querySelector('#a-creer tr[data-invoice="BM-2025-001001"]'));

    await page.setViewportSize({ width: 1920, height: 1080 });
    await noHorizontalOverflow();
    await shot('03-integration-des-flux-1920');
  });

  it('opens an invoice: every field, lines, VAT, steps, and its PDF inline', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await row('a-creer', 'BM-2025-001001').getByRole('link', { name: 'BM-2025-001001' }).click();
    await page.locator('h1', { hasText: 'BM-2025-001001' }).waitFor();
    const text = await page.locator('main').textContent();
    for (const expected of ['Statut Chorus Pro', 'Échéance (DGP)', 'Net à payer', 'Lignes', 'TVA', 'Étapes de la facture', 'Lecture flux', 'SCOLAIRE']) {
      expect(text).toContain(expected);
    }
    const src = await page.locator('#invoice-pdf').getAttribute('src');
    const pdf = await page.request.get(`${t.url}${src}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.waitForTimeout(300); // let the PDF viewer paint for the screenshot
    await shot('04-facture');
  });

  it('mandates an invoice with two imputations, the total checked live, then shows the mandate number', async () => {
    await page.goto(`${t.url}/#/facture/${ids['ESL-2025-001003']}`);
    await page.locator('button[data-action="mandate"]').click();
    await page.locator('#mandate-form').waitFor();
    const net = (await agentApi.get(`/api/invoices/${ids['ESL-2025-001003']}`)).body.netAmount as string;
    const rest = toCents(net).minus('10000').toFixed(2).replace('.', ',');
    await page.getByLabel('Article (nature), imputation 1').fill('6156');
    await page.getByLabel('Fonction, imputation 1').fill('020');
    await page.getByLabel('Montant, imputation 1').fill('10 000,00');
    await page.getByRole('button', { name: 'Ajouter imputation' }).click();
    await page.getByLabel('Article (nature), imputation 2').fill('6068');
    await page.getByLabel('Montant, imputation 2').fill('1,00');
    await expect(page.locator('#imputations-check').textContent()).resolves.toContain('Écart avec le net à payer');
    expect(await page.locator('#mandate-submit').isDisabled()).toBe(true);
    await page.getByLabel('Montant, imputation 2').fill(rest);
    await expect(page.locator('#imputations-check').textContent()).resolves.toBe('Le total des imputations égale le net à payer.');
    await page.getByLabel('Train').selectOption('normal');
    await shot('05-mandater');
    await page.locator('#mandate-submit').click();
    const message = await page.locator('#mandate-number').textContent();
    expect(message).toMatch(/Mandat n° \d{4}-\d{6} créé pour la facture ESL-2025-001003/);
    await shot('06-mandat-cree');
    const mandate = await agentApi.get(`/api/invoices/${ids['ESL-2025-001003']}/mandate`);
    expect(mandate.body.imputations.map((i: { article: string }) => i.article)).toEqual(['6156', '6068']);
    expect(message).toContain(mandate.body.number);
  });

  it('rejects an invoice only with a motif, then cancels the rejection', async () => {
    await page.goto(`${t.url}/#/flux`);
    await row('a-creer', 'BO-F-2025-001002').getByRole('checkbox').check();
    await page.locator('#a-creer button[data-action="reject"]').click();
    const dialog = page.locator('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Valider' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'motif' }).waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('A_TRAITER'); // nothing sent
    await dialog.getByLabel('Motif (obligatoire)').selectOption('MONTANT_ERRONE');
    await dialog.getByLabel('Complément d’information').fill('ne correspond pas au devis initial');
    await expect(page.locator('#reason-budget').textContent()).resolves.toContain('/ 255 caractères');
    await shot('07-rejeter-dialogue');
    await dialog.getByRole('button', { name: 'Valider' }).click();
    await page.locator('#notice', { hasText: '1 facture(s) rejetée(s)' }).waitFor();
    await row('anomalies', 'BO-F-2025-001002').waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('REJETEE');
    await shot('08-factures-en-anomalie-ou-rejetees');

    await row('anomalies', 'BO-F-2025-001002').getByRole('button', { name: 'Annuler le rejet' }).click();
    await row('a-creer', 'BO-F-2025-001002').waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('A_TRAITER');
  });

  it('the trésorier moves the mandate to « mise en paiement »', async () => {
    await login(USERS.tresorier);
    expect(await page.locator('#nav').textContent()).not.toContain('Intégration des flux');
    const r = page.locator('tr[data-invoice="ESL-2025-001003"]');
    await r.waitFor();
    await shot('09-tresorier');
    await r.getByRole('checkbox').check();
    await page.locator('#pay-selection').click();
    await page.locator('dialog').getByRole('button', { name: 'Mettre en paiement' }).click();
    await page.locator('#notice', { hasText: '1 facture(s) mise(s) en paiement' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('tr[data-invoice="ESL-2025-001003"]'));
    expect((await agentApi.get(`/api/invoices/${ids['ESL-2025-001003']}`)).body.status).toBe('MISE_EN_PAIEMENT');
  });

  it('« Suivi démat »: flows → invoices → steps, and the anomaly report', async () => {
    await login(USERS.agent);
    await page.goto(`${t.url}/#/suivi`);
    await page.locator('tr[data-flow="flux-001.xml"]').click();
    await page.locator('tr[data-invoice="ESL-2025-001003"]').click();
    await page.locator('text=Étapes de la facture ESL-2025-001003').waitFor();
    const steps = await page.locator('main').textContent();
    expect(steps).toContain('Mandatement');
    expect(steps).toContain('Mise en paiement');
    await shot('10-suivi-demat');
  });

  it('generates the status file and downloads it', async () => {
    await page.goto(`${t.url}/#/statuts`);
    await page.locator('#status-generate').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('main table').length >= 3);
    expect(await page.locator('main').textContent()).toContain('ESL-2025-001003');
    await shot('11-retour-des-statuts');
    await page.getByRole('button', { name: 'Générer le fichier de statuts' }).click();
    const link = page.locator('a[data-generated]').first();
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(downloadDir, download.suggestedFilename());
    await download.saveAs(file);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('CPPStatut');
    expect(xml).toContain('ESL-2025-001003');
    await shot('12-fichier-de-statuts-genere');
  });

  it('generates a PES and downloads it', async () => {
    const example = JSON.parse(readFileSync(join(FIXTURES, 'titres', 'titres-2024.json'), 'utf8')) as { budget: Record<string, unknown>; titres: Array<Record<string, unknown>> };
    // The budget of the commune (IdColl = its SIRET): settings are the admin's, titres the agent's.
    const budget = { ...example.budget, collectivite: { ...(example.budget.collectivite as object), siret: COMMUNE } };
    expect((await adminApi.put('/api/pes/budgets', budget)).status).toBeLessThan(300);
    for (const titre of example.titres.filter((x) => x.edition !== '02')) {
      const created = await agentApi.post('/api/titres', { ...titre, budget: example.budget.code });
      expect(created.status).toBe(201);
    }
    await page.goto(`${t.url}/#/pes`);
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length > 1);
    await shot('13-titres-et-pes');
    await page.locator('#pes-generate').click();
    const link = page.locator('a[data-generated]').first();
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(downloadDir, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file, 'latin1')).toContain('PES_Aller');
    await shot('14-pes-genere');
  });

  it('administration: users and roles, motifs, structures', async () => {
    await login(USERS.admin);
    await page.goto(`${t.url}/#/admin`);
    await page.locator('text=agent@saint-aubin.fr').waitFor();
    const text = await page.locator('main').textContent();
    expect(text).toContain('Montant de la facture erroné');
    expect(text).toContain(COMMUNE);
    await shot('15-administration');

    // A user who leaves: deactivated from the page (confirmation), then given the access back.
    const partant = await createUserAndToken(t, { email: 'partant@saint-aubin.fr', role: 'agent', structureSirets: [COMMUNE] });
    await page.goto(`${t.url}/#/flux`);
    await page.goto(`${t.url}/#/admin`);
    const row = page.locator('tr[data-user="partant@saint-aubin.fr"]');
    await row.getByRole('button', { name: 'Désactiver' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Désactiver' }).click();
    await row.getByRole('button', { name: 'Réactiver' }).waitFor();
    expect(await row.textContent()).toContain('non');
    expect((await apiAs(t, partant).get('/api/users/me')).status).toBe(401);
    expect(await page.locator('tr[data-user="gp@saint-aubin.fr"] button').count()).toBe(0); // oneself, main admin
    await row.getByRole('button', { name: 'Réactiver' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Réactiver' }).click();
    await row.getByRole('button', { name: 'Désactiver' }).waitFor();
  });

  it('an agent of another structure sees none of it', async () => {
    await login(USERS.other);
    await page.locator('#a-creer tbody tr').first().waitFor();
    const lists = await page.locator('main').textContent();
    for (const n of ['BM-2025-001001', 'BO-F-2025-001002', 'ESL-2025-001003']) expect(lists).not.toContain(n);
    expect(await page.locator('#a-creer tr[data-invoice="TL-2025-002003"]').count()).toBe(1);
    await shot('16-autre-structure');

    await page.goto(`${t.url}/#/facture/${ids['BM-2025-001001']}`);
    await page.getByRole('alert').filter({ hasText: "n'appartient pas à vos structures" }).waitFor();
    const pdf = await page.request.get(`${t.url}/api/invoices/${ids['BM-2025-001001']}/attachments/x`);
    expect(pdf.status()).toBe(403);

    await page.goto(`${t.url}/#/suivi`);
    await page.waitForFunction(() => document.querySelector('tr[data-flow]'));
    expect(await page.locator('tr[data-flow="flux-001.xml"]').count()).toBe(0);
    await page.goto(`${t.url}/#/statuts`);
    await page.waitForFunction(() => document.querySelectorAll('main table').length >= 3);
    expect(await page.locator('main').textContent()).not.toContain('ESL-2025-001003');
    // Server-side authorisation, whatever the page shows.
    await page.goto(`${t.url}/#/pes`);
    await page.locator('main h1', { hasText: 'Titres et PES ASAP' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('Aucun budget paramétré');
    const forbidden = await page.request.post(`${t.url}/api/invoices/${ids['BM-2025-001001']}/reject`, { data: { reasonCode: 'DOUBLON' } });
    expect(forbidden.status()).toBe(403);
  });

  it('logs out', async () => {
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await page.locator('#login-email').waitFor();
    expect((await page.request.get(`${t.url}/api/users/me`)).status()).toBe(401);
  });
});
