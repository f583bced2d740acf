/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { toCents } from '@/common/money/money';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { StructuresService } from '@/structures/structures.service';
import { UsersService } from '@/users/users.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium, newTestContext } from '@test/support/browser';
import { buildPesAcquit } from '@test/pes/pes-answers.builder';
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
  multi: { email: 'finances@saint-aubin.fr', role: 'agent' as const, structureSirets: [COMMUNE, CC], password: PASSWORD },
  adjoint: { email: 'adjoint@saint-aubin.fr', role: 'agent' as const, structureSirets: [COMMUNE], password: PASSWORD },
};
const TECHNICAL_PASSWORD = 'Mot-de-passe-technique-42';


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
    t = await createTestApp({ env: { PASSERELLE_SECRET_KEY: 'test-secret-key-0123456789abcdef' } });
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
    context = await newTestContext(browser, { viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
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
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
  }

  /** The page is drawn (no « Chargement… » left), then nothing sticks out sideways and the top bar holds on one line. */
  async function checkLayout(name: string, hash: string, ready: string): Promise<void> {
    for (const width of [1024, 1600]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${t.url}/${hash}`);
      await page.locator(ready).first().waitFor();
      await page.waitForFunction(() => !document.querySelector('main .loading'));
      const [scroll, client, header] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
        document.getElementById('topbar')!.hidden ? 0 : document.getElementById('topbar')!.getBoundingClientRect().height,
      ]);
      if (scroll > client) await shot(`overflow-${name}-${width}`);
      expect({ page: name, width, overflow: scroll > client }).toEqual({ page: name, width, overflow: false });
      expect(header).toBeLessThanOrEqual(60); // one line (it stacked to 271 px at 1024)
    }
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
    expect(await page.getByRole('button', { name: 'Déconnexion' }).isVisible()).toBe(false);
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

  it('a non-numeric amount gets a French message on its field and the lists stay; « Réception (récentes d’abord) » follows the dates shown', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${t.url}/#/flux`);
    await page.locator('#a-creer tbody tr[data-invoice]').first().waitFor();
    const before = await page.locator('#a-creer tbody tr[data-invoice]').count();
    await page.getByLabel('Net à payer de (€)').fill('mille');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.locator('#f-amountMin-error', { hasText: 'Montant en euros attendu' }).waitFor();
    expect(await page.locator('#f-amountMin').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#a-creer tbody tr[data-invoice]').count()).toBe(before);
    expect(await page.locator('main .loading').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('must be');
    await shot('02b-montant-illisible');
    await page.getByLabel('Net à payer de (€)').fill('');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForFunction(() => !document.querySelector('#f-amountMin-error') && !document.querySelector('main .loading'));
    // Flows were read in name order; within each, invoices received on different days: the list follows the dates shown.
    const shown = await page.locator('#a-creer tbody tr[data-invoice]').evaluateAll((trs) => trs.map((tr) => tr.children[5].textContent ?? ''));
    const keys = shown.map((d) => d.split('/').reverse().join(''));
    expect(keys).toEqual([...keys].sort().reverse());
    expect(new Set(keys).size).toBeGreaterThan(2);
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
    // Too long for Chorus Pro: refused in the dialog; shortened, the very next click on Valider sends it.
    await dialog.getByLabel('Complément d’information').fill('x'.repeat(300));
    await dialog.getByRole('button', { name: 'Valider' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Motif trop long' }).waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('A_TRAITER');
    await dialog.getByLabel('Complément d’information').fill('ne correspond pas au devis initial');
    await expect(page.locator('#reason-budget').textContent()).resolves.toContain('/ 255 caractères');
    await shot('07-rejeter-dialogue');
    await dialog.getByRole('button', { name: 'Valider' }).click();
    // The outcome is shown beside the list acted on, not at the top of the page.
    await page.locator('#a-creer #a-creer-message', { hasText: '1 facture(s) rejetée(s)' }).waitFor();
    await row('anomalies', 'BO-F-2025-001002').waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('REJETEE');
    expect(await row('anomalies', 'BO-F-2025-001002').textContent()).toContain('Rejet : Montant de la facture erroné');
    await shot('08-factures-en-anomalie-ou-rejetees');

    await row('anomalies', 'BO-F-2025-001002').getByRole('button', { name: 'Annuler le rejet' }).click();
    await row('a-creer', 'BO-F-2025-001002').waitFor();
    expect((await agentApi.get(`/api/invoices/${ids['BO-F-2025-001002']}`)).body.status).toBe('A_TRAITER');
  });

  it('the trésorier moves the mandate to « mise en paiement », and never reaches the mandate screen', async () => {
    await login(USERS.tresorier);
    expect(await page.locator('#nav').textContent()).not.toContain('Intégration des flux');
    await page.goto(`${t.url}/#/mandater/${ids['BM-2025-001001']}`);
    await page.locator('main h1', { hasText: 'Trésorier' }).waitFor();
    expect(await page.locator('#mandate-form').count()).toBe(0);
    const r = page.locator('tr[data-invoice="ESL-2025-001003"]');
    await r.waitFor();
    await shot('09-tresorier');
    await r.getByRole('checkbox').check();
    await page.locator('#pay-selection').click();
    await page.locator('dialog').getByRole('button', { name: 'Mettre en paiement' }).click();
    await page.locator('#tresorier-message', { hasText: '1 facture(s) mise(s) en paiement' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('tr[data-invoice="ESL-2025-001003"]'));
    expect((await agentApi.get(`/api/invoices/${ids['ESL-2025-001003']}`)).body.status).toBe('MISE_EN_PAIEMENT');
  });

  it('mode portail: « Fichier… / Lecture » imports pivot files, one result per file; a rejected file sent again says « déjà rejeté »', async () => {
    await login(USERS.agent);
    await page.locator('#upload-files').setInputFiles([join(FIXTURES, 'pivot-bad', 'invalid-iban.xml'), join(FIXTURES, 'pivot-bad', 'wrong-root.xml')]);
    await page.getByRole('button', { name: 'Lecture' }).click();
    await page.locator('#upload-results tr[data-uploaded="wrong-root.xml"]').waitFor();
    expect(await page.locator('#upload-results tr[data-uploaded="invalid-iban.xml"]').getAttribute('data-outcome')).toBe('integrated');
    const rejected = page.locator('#upload-results tr[data-uploaded="wrong-root.xml"]');
    expect(await rejected.getAttribute('data-outcome')).toBe('rejected');
    expect(await rejected.textContent()).toContain('CPPFacturePivot');
    // The new invoice is in « Factures à créer », its anomaly by its French name (the code in the tooltip).
    const imported = row('a-creer', 'BO-F-2025-090101');
    await imported.waitFor();
    expect(await imported.locator('[data-anomaly="INVALID_IBAN"]').textContent()).toBe('IBAN invalide');
    expect(await imported.locator('[data-anomaly="INVALID_IBAN"]').getAttribute('title')).toBe('INVALID_IBAN');
    await shot('09a-lecture-de-flux');

    await page.locator('#upload-files').setInputFiles([join(FIXTURES, 'pivot-bad', 'wrong-root.xml')]);
    await page.getByRole('button', { name: 'Lecture' }).click();
    const again = page.locator('#upload-results tr[data-uploaded="wrong-root.xml"][data-outcome="alreadyRejected"]');
    await again.waitFor();
    expect(await again.textContent()).toMatch(/Déjà rejeté : .*CPPFacturePivot/);
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

    // Every received file is listed, the rejected one with its reason and the file as received.
    const rejected = page.locator('tr[data-flow="wrong-root.xml"]');
    expect(await rejected.textContent()).toContain('Rejeté');
    expect(await rejected.textContent()).toContain('CPPFacturePivot');
    await rejected.click();
    expect(await page.locator('#flow-reason').textContent()).toMatch(/^Rejeté : .*CPPFacturePivot/);
    const [download] = await Promise.all([page.waitForEvent('download'), rejected.locator('a[data-raw-flow]').click()]);
    const file = join(downloadDir, `raw-${download.suggestedFilename()}`);
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('wrong-root.xml');
    expect(readFileSync(file).equals(readFileSync(join(FIXTURES, 'pivot-bad', 'wrong-root.xml')))).toBe(true);
    await shot('10b-suivi-demat-flux-rejete');
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

  it('PES ASAP from the pages: the budget settings in three tabs (admin), no CLI', async () => {
    await login(USERS.admin);
    await page.goto(`${t.url}/#/pes`);
    await page.locator('#pes-no-budget').waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Administration ou');
    await page.locator('#pes-no-budget a').click();
    const form = page.locator('#budget-form');
    await form.waitFor();
    const fill = async (label: string, value: string) => form.getByLabel(label, { exact: true }).fill(value);
    await fill('Code du budget (clé de Passerelle)', 'SAINT-AUBIN-01');
    await fill('Collectivité (libellé)', 'COMMUNE DE SAINT-AUBIN-SUR-LOIRE');
    expect(await form.getByLabel('SIRET (IdColl)').inputValue()).toBe(COMMUNE); // the current collectivité
    await fill('Code collectivité (CodCol)', '123');
    await fill('Code budget (CodBud)', '01');
    await fill('Poste comptable (IdPost)', '049000');
    await fill('Numéro émetteur / ICS (RefBdf)', '654321');
    await fill('Numéro et voie (collectivité)', '1 PLACE DE LA MAIRIE');
    await fill('Code postal (collectivité)', '49170');
    await fill('Ville (collectivité)', 'SAINT-AUBIN-SUR-LOIRE');
    await fill('Nom du signataire', 'DUPONT');
    await fill('Prénom du signataire', 'MARIE');
    await fill('Fonction du signataire', 'Le Maire');
    await shot('13a-pes-parametrage-collectivite');
    await page.getByRole('tab', { name: 'Trésorerie' }).click();
    await fill('Nom de la trésorerie', 'SGC DE SAINT-AUBIN');
    await fill('Numéro et voie (trésorerie)', '2 RUE DU TRESOR');
    await fill('Code postal (trésorerie)', '49170');
    await fill('Ville (trésorerie)', 'SAINT-AUBIN-SUR-LOIRE');
    await fill('IBAN de la trésorerie', 'FR7630001007941234567890185');
    await fill('BIC de la trésorerie', 'BDFEFRPPCCT');
    await fill('Code postal du centre d’encaissement', '35908');
    await fill('Ville du centre d’encaissement', 'RENNES CEDEX 9');
    await page.getByRole('tab', { name: 'Modalités' }).click();
    await fill('Modalités de règlement', 'Paiement par virement ou par chèque à l’ordre du Trésor public');
    await fill('Voies de recours (modalités de contestation)', 'Dans les deux mois suivant la réception, devant la juridiction compétente (art. L1617-5 CGCT)');
    // Talon optique: the notice says plainly that no key is computed; the lines are given by the trésorerie.
    expect(await page.locator('#talon-notice').textContent()).toContain('Passerelle ne calcule aucune clé');
    await fill('Talon optique, ligne 1', '{CODCOL}{CODBUD} {EXERCICE} {BORDEREAU:7} {TITRE:13}');
    await fill('Talon optique, ligne 2', '{SIRET} {MONTANT:12}');
    await shot('13b-pes-parametrage-modalites');
    await page.locator('#budget-save').click();
    await page.locator('#budget-message', { hasText: 'Paramétrage du budget SAINT-AUBIN-01 enregistré' }).waitFor();
    expect(await page.locator('#budget-issues').textContent()).toBe('');
    const saved = (await adminApi.get('/api/pes/budgets/SAINT-AUBIN-01')).body;
    expect(saved.settings.signataire).toEqual({ nom: 'DUPONT', prenom: 'MARIE', fonction: 'Le Maire' });
    expect(saved.settings.talon).toEqual({ ligne1: '{CODCOL}{CODBUD} {EXERCICE} {BORDEREAU:7} {TITRE:13}', ligne2: '{SIRET} {MONTANT:12}' });
    expect(saved.issues).toEqual([]);
  });

  it('PES ASAP from the pages: a titre with its lines and « PES Facture ASAP » part, edited, generated (double click) and downloaded', async () => {
    await login(USERS.agent);
    await page.goto(`${t.url}/#/pes`);
    await page.locator('#pes-new-titre').click();
    const form = page.locator('#titre-form');
    await form.waitFor();
    await form.getByLabel('Objet', { exact: true }).fill('Restauration scolaire mars');
    await form.getByLabel('Code produit, ligne 1').fill('CANT');
    await form.getByLabel('Nature (compte), ligne 1').fill('7067');
    await form.getByLabel('Libellé, ligne 1').fill('Repas enfants (16 × 3,85)');
    await form.getByLabel('Montant HT, ligne 1').fill('61,60');
    await form.getByRole('button', { name: 'Ajouter une ligne' }).click();
    await form.getByLabel('Code produit, ligne 2').fill('GARD');
    await form.getByLabel('Nature (compte), ligne 2').fill('7066');
    await form.getByLabel('Libellé, ligne 2').fill('Garderie du soir');
    await form.getByLabel('Montant HT, ligne 2').fill('1 024,00');
    await form.getByLabel('Taux TVA (%), ligne 2').fill('5,5');
    await expect(page.locator('#titre-totals').textContent()).resolves.toBe('Total HT 1\u202f085,60\u00a0€ · TVA 56,32\u00a0€ · TTC 1\u202f141,92\u00a0€');
    await form.getByLabel('Type ASAP PES').selectOption('01');
    await form.getByLabel('Nom ou raison sociale du débiteur').fill('MARTIN');
    await form.getByLabel('Prénom').fill('JEAN');
    await form.getByLabel('Civilité').selectOption('M');
    await form.getByLabel('Numéro et voie').fill('12 RUE DES LILAS');
    await form.getByLabel('Code postal').fill('49170');
    await form.getByLabel('Ville').fill('SAINT-AUBIN-SUR-LOIRE');
    await form.locator('#titre-pdf').setInputFiles({ name: 'facture-cantine.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await shot('14a-titre-saisie');
    await page.locator('#titre-save').click();
    await page.locator('#titre-message', { hasText: 'enregistré (1\u202f141,92\u00a0€ TTC)' }).waitFor();

    // Edited while pending: the object changes, the PDF already joined is kept.
    await page.goto(`${t.url}/#/pes`);
    await page.locator('a[data-titre]', { hasText: 'Modifier' }).first().click();
    await page.locator('#titre-form').getByLabel('Objet', { exact: true }).fill('Restauration scolaire et garderie, mars');
    expect(await page.locator('#titre-keep-pdf').isChecked()).toBe(true);
    await page.locator('#titre-save').click();
    await page.locator('#titre-message', { hasText: 'enregistré' }).waitFor();
    const titres = (await agentApi.get('/api/titres?budget=SAINT-AUBIN-01')).body;
    expect(titres).toHaveLength(1);
    expect(titres[0]).toMatchObject({ object: 'Restauration scolaire et garderie, mars', amountTtc: '1141.92', pdfName: 'facture-cantine.pdf', status: 'EN_ATTENTE' });
    expect(titres[0].lines.map((l: { amountHt: string }) => l.amountHt)).toEqual(['61.60', '1024.00']);

    await page.goto(`${t.url}/#/pes`);
    await page.locator('tr[data-titre-row="Restauration scolaire et garderie, mars"]').waitFor();
    await shot('14b-titres-et-pes');
    await page.locator('#pes-generate').dblclick(); // a double click: one generation, its result stays
    const link = page.locator('a[data-generated]').first();
    await link.waitFor();
    await page.waitForFunction(() => !(document.getElementById('pes-generate') as HTMLButtonElement).disabled);
    expect(await page.locator('a[data-generated]').count()).toBe(1);
    await page.locator('#pes-generate').click(); // nothing left: the previous result is still there
    await page.locator('#pes-message', { hasText: 'Aucun titre en attente' }).waitFor();
    expect(await link.isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(downloadDir, download.suggestedFilename());
    await download.saveAs(file);
    const xml = readFileSync(file, 'latin1');
    expect(xml).toContain('PES_Aller');
    expect(xml).toContain('MARTIN');
    expect((await agentApi.get('/api/titres?budget=SAINT-AUBIN-01')).body[0].status).toBe('EMIS');
    await shot('14c-pes-genere');

    // Hélios' acquittement read from the page: the bordereau rejected, each error with its domain, piece, number.
    const [bord] = (await agentApi.get('/api/pes/bordereaux?budget=SAINT-AUBIN-01')).body;
    const c = (await agentApi.get('/api/pes/budgets/SAINT-AUBIN-01')).body.settings.collectivite;
    const acquit = buildPesAcquit({ nomFic: bord.nomFic, idColl: c.siret, codCol: c.codCol, codBud: c.codBud }, [
      { domaine: 6, ok: false, numBord: bord.number, exercice: bord.year, pieces: [{ num: 1, errors: [{ code: 'ERREUR_AUTRE', libelle: '2559 - Code service inconnu ou inactif dans Chorus Pro' }] }] },
    ]);
    await page.locator('#acquit-file').setInputFiles({ name: 'PES_ACQUIT.xml', mimeType: 'text/xml', buffer: acquit });
    await page.getByRole('button', { name: 'Lire l’acquittement' }).click();
    await page.locator('#acquit-message', { hasText: '1 bordereau(x) mis à jour, 1 rejeté(s)' }).waitFor();
    await page.locator('[data-bordereau-errors]', { hasText: 'Erreur 2559 — domaine 6 (recette), pièce 1' }).waitFor();
    await shot('14d-pes-acquit-rejet');
  });

  it('administration: users and roles, motifs, structures', async () => {
    await login(USERS.admin);
    await page.goto(`${t.url}/#/admin`);
    await page.locator('text=agent@saint-aubin.fr').waitFor();
    // The page's sections load separately: the structures one may come after the users one.
    await page.locator('main', { hasText: COMMUNE }).waitFor();
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

  it('administration: the Chorus Pro technical account (password never shown back), the status-return mode, services edited', async () => {
    await page.goto(`${t.url}/#/admin`);
    const structure = page.locator(`tr[data-structure="${COMMUNE}"]`);
    await structure.getByRole('button', { name: 'Compte technique' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Login du compte technique').fill('TECH-SAINT-AUBIN');
    await dialog.getByLabel('Mot de passe').fill(TECHNICAL_PASSWORD);
    await shot('15a-compte-technique');
    await dialog.getByRole('button', { name: 'Valider' }).click();
    await page.locator('#structures-message', { hasText: 'Compte technique « TECH-SAINT-AUBIN » enregistré' }).waitFor();
    expect(await structure.textContent()).toContain('TECH-SAINT-AUBIN');
    expect(await structure.textContent()).toContain('API Chorus Pro (automatique)');
    await structure.getByRole('button', { name: 'Compte technique' }).click();
    expect(await page.getByRole('dialog').getByLabel('Mot de passe').inputValue()).toBe(''); // never shown back
    await page.getByRole('dialog').getByRole('button', { name: 'Annuler' }).click();
    expect(await page.content()).not.toContain(TECHNICAL_PASSWORD);
    expect(JSON.stringify((await adminApi.get('/api/structures')).body)).not.toContain(TECHNICAL_PASSWORD);
    expect(await t.app.get(StructuresService).getTechnicalAccount(COMMUNE)).toEqual({ login: 'TECH-SAINT-AUBIN', password: TECHNICAL_PASSWORD });

    await structure.getByRole('button', { name: 'Modifier' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel('Retour des statuts vers Chorus Pro').selectOption('file');
    await edit.getByLabel('Libellé du service ST').fill('Services techniques municipaux');
    await edit.getByLabel('Service SCOLAIRE actif').uncheck();
    await edit.getByRole('button', { name: 'Valider' }).click();
    await page.locator('#structures-message', { hasText: 'enregistrée' }).waitFor();
    expect(await structure.textContent()).toContain('Fichier CPPStatut');
    const saved = (await adminApi.get(`/api/structures/${COMMUNE}`)).body;
    expect(saved).toMatchObject({ returnMode: 'file', returnModeExplicit: true });
    expect(saved.services).toEqual(expect.arrayContaining([
      { code: 'ST', label: 'Services techniques municipaux', active: true },
      { code: 'SCOLAIRE', label: 'Affaires scolaires et périscolaires', active: false },
    ]));
    await shot('15b-structures');
  });

  it('an invoice whose recipient is unknown offers only Recycler and Rejeter (the state machine table)', async () => {
    await page.goto(`${t.url}/#/flux`);
    await page.locator('#upload-files').setInputFiles([join(FIXTURES, 'pivot-bad', 'unknown-recipient.xml')]);
    await page.getByRole('button', { name: 'Lecture' }).click();
    await page.locator('#upload-results tr[data-uploaded="unknown-recipient.xml"]').waitFor();
    const r = row('a-creer', 'ICF-2025-090011');
    await r.waitFor();
    expect(await r.locator('[data-anomaly="UNKNOWN_RECIPIENT"]').textContent()).toBe('Destinataire inconnu');
    await r.getByRole('checkbox').check();
    const offered = await page.locator('#a-creer .side button[data-needs-selection="1"]:visible').evaluateAll((bs) => bs.map((b) => b.textContent));
    expect(offered.sort()).toEqual(['Recycler', 'Rejeter']);
    await r.getByRole('link', { name: 'ICF-2025-090011' }).click();
    await page.locator('h1', { hasText: 'ICF-2025-090011' }).waitFor();
    const actions = await page.locator('main [role="group"] button').evaluateAll((bs) => bs.map((b) => b.textContent));
    expect(actions.sort()).toEqual(['Recycler', 'Rejeter']);
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
    expect(await page.getByRole('button', { name: 'Déconnexion' }).isVisible()).toBe(false);
    expect((await page.request.get(`${t.url}/api/users/me`)).status()).toBe(401);
  });

  it('a user of several structures chooses the current collectivité; the lists follow it', async () => {
    await login(USERS.multi);
    await page.locator('#a-creer tbody tr[data-invoice]').first().waitFor();
    const first = await page.locator('#current-structure').inputValue();
    expect(await page.locator('#f-structure').inputValue()).toBe(first);
    const only: Record<string, string> = { [COMMUNE]: 'BM-2025-001001', [CC]: 'TL-2025-002003' };
    const other = first === COMMUNE ? CC : COMMUNE;
    await page.locator(`#a-creer tr[data-invoice="${only[first]}"]`).waitFor();
    await page.locator('#current-structure').selectOption(other);
    await page.locator(`#a-creer tr[data-invoice="${only[other]}"]`).waitFor();
    expect(await page.locator('#f-structure').inputValue()).toBe(other);
    expect(await page.locator(`#a-creer tr[data-invoice="${only[first]}"]`).count()).toBe(0);
    await page.reload();
    await page.locator(`#a-creer tr[data-invoice="${only[other]}"]`).waitFor();
    expect(await page.locator('#current-structure').inputValue()).toBe(other); // kept in this browser
  });

  it('no page scrolls sideways at 1024 px nor at 1600 px, and the top bar stays on one line', async () => {
    await open();
    await page.goto(`${t.url}/#/connexion`);
    await page.locator('#login-email').waitFor();
    await noHorizontalOverflow();
    await login(USERS.admin);
    const invoice = ids['ESL-2025-001003'];
    const titre = (await agentApi.get('/api/titres?budget=SAINT-AUBIN-01')).body[0].id;
    const screens: Array<[string, string, string]> = [
      ['flux', '#/flux', '#a-creer tbody tr[data-invoice]'],
      ['facture', `#/facture/${invoice}`, '#invoice-pdf'],
      ['mandater', `#/mandater/${ids['BM-2025-001001']}`, '#mandate-form'],
      ['suivi', '#/suivi', 'tr[data-flow]'],
      ['statuts', '#/statuts', '#status-generate'],
      ['pes', '#/pes', '#pes-generate'],
      ['pes-budget', '#/pes-budget/SAINT-AUBIN-01', '#budget-form'],
      ['titre', `#/titre/SAINT-AUBIN-01/${titre}`, '#titre-form'],
      ['admin', '#/admin', 'tr[data-structure]'],
      ['interets-moratoires', '#/interets-moratoires', '#late-interest-total'],
    ];
    for (const [name, hash, ready] of screens) await checkLayout(name, hash, ready);
    // Suivi démat with a flow, an invoice and its steps open (the widest state).
    await page.goto(`${t.url}/#/suivi`);
    await page.locator('tr[data-flow="flux-001.xml"]').click();
    await page.locator('tr[data-invoice="ESL-2025-001003"]').click();
    await page.locator('text=Étapes de la facture ESL-2025-001003').waitFor();
    await noHorizontalOverflow();
    await shot('17-suivi-demat-1600');
    await login(USERS.tresorier);
    await checkLayout('tresorier', '#/tresorier', 'main h1');
  });

  it('the gestionnaire principal hands the role over from the admin page (never two)', async () => {
    await login(USERS.admin);
    await page.goto(`${t.url}/#/admin`);
    const structure = page.locator(`tr[data-structure="${COMMUNE}"]`);
    expect(await structure.textContent()).toContain(USERS.admin.email);
    await structure.getByRole('button', { name: 'Transférer le rôle de GP' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Nouveau gestionnaire principal').selectOption(USERS.adjoint.email);
    await dialog.getByRole('button', { name: 'Transférer' }).click();
    // No longer main admin of any structure: back to an agent's screens, told so.
    await page.locator('#notice', { hasText: `${USERS.adjoint.email} est désormais gestionnaire principal` }).waitFor();
    expect(await page.locator('#nav').textContent()).not.toContain('Administration');
    const me = await t.app.get(UsersService).principalByEmail(USERS.admin.email);
    expect(me.role).toBe('agent'); // main admin of no structure any more
    expect((await t.app.get(UsersService).principalByEmail(USERS.adjoint.email)).role).toBe('admin');
  });
});
