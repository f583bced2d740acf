/// <reference lib="dom" />
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { money } from '@/common/money/money';
import { DEMO_STRUCTURES } from '@/fixtures-generator/demo-structures';
import { buildDepenseRetour } from '@/fixtures-generator/helios-answers.generator';
import { buildFlowSpec, writePivotFlow } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';
import { IngestionService } from '@/ingestion/ingestion.service';
import { PesBudgetsService } from '@/pes/pes-budgets.service';
import { StructuresService } from '@/structures/structures.service';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { launchChromium } from '@test/support/browser';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * « Mandats » and « Virement reçu » in Chromium: an agent generates the bordereau de mandats (a mandat held in the
 * waiting train, released from the page), reads Hélios' retour from the page, then explains a transfer.
 */
describe('Pages: bordereau de mandats, retour Hélios, virement reçu (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const structure = DEMO_STRUCTURES[0];
  const PASSWORD = 'correct horse battery';
  const agent = { email: 'agent@saint-aubin.fr', role: 'agent' as const, structureSirets: [structure.siret], password: PASSWORD };
  const numbers: string[] = [];
  const nets: string[] = [];

  beforeAll(async () => {
    // The real clock: the session cookie's expiry follows it, and the browser lives in real time.
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'depense-pages-'));
    await t.app.get(StructuresService).upsert({ ...structure, services: structure.services.map((s) => ({ ...s })) });
    const budget = JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/titres/titres-2024.json'), 'utf8')).budget;
    await t.app.get(PesBudgetsService).upsert({ ...budget, code: 'DEP-WEB', collectivite: { ...budget.collectivite, siret: structure.siret, codBud: '03' } });
    const flow = buildFlowSpec(new SeededRng(7), { index: 15, invoiceCount: 2, structure, creditNoteRatio: 0, supplementaryAttachments: 0, service: null, date: '2026-03-05' });
    await writePivotFlow(join(dir, 'flux.xml'), flow);
    await t.app.get(IngestionService).importPaths([join(dir, 'flux.xml')], { source: 'cli' });
    const api = apiAs(t, await createUserAndToken(t, agent));
    const list = (await api.get('/api/invoices?status=A_TRAITER')).body.items as Array<{ id: string; number: string; netAmount: string }>;
    for (const [i, spec] of flow.invoices.entries()) {
      const inv = list.find((x) => x.number === spec.number)!;
      const res = await api.post(`/api/invoices/${inv.id}/mandate`, { imputations: [{ article: '6064' }], train: i === 1 ? 'attente' : 'normal' });
      numbers.push(res.body.mandateNumber);
      nets.push(money(inv.netAmount).toFixed(2));
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${t.url}/#/connexion`);
    await page.getByLabel('Adresse électronique').fill(agent.email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#topbar:not([hidden])').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates the bordereau de mandats, releases the waiting train, reads the retour, explains the transfer', async () => {
    // The menu still holds on one line at 1024 px with « Mandats ».
    expect(await page.evaluate(() => document.getElementById('topbar')!.getBoundingClientRect().height)).toBeLessThanOrEqual(60);
    await page.getByRole('link', { name: 'Mandats', exact: true }).click();
    await page.locator('main h1', { hasText: 'Mandats et Hélios' }).waitFor();
    await page.locator(`tr[data-pending="${numbers[1]}"]`, { hasText: "Train d'attente" }).waitFor();
    await page.getByRole('button', { name: 'Générer le bordereau de mandats' }).click();
    await page.locator('#depense-result', { hasText: 'n° 1 (1 mandat(s)' }).waitFor();
    await page.locator(`tr[data-sent="${numbers[0]}@1"]`, { hasText: 'Envoyé à Hélios' }).waitFor();

    await page.locator(`button[data-release="${numbers[1]}"]`).click();
    await page.locator('#depense-message', { hasText: "libéré du train d'attente" }).waitFor();
    await page.getByRole('button', { name: 'Générer le bordereau de mandats' }).click();
    await page.locator('#depense-result', { hasText: 'n° 2 (1 mandat(s)' }).waitFor();

    const retour = join(dir, 'retour.xml');
    writeFileSync(
      retour,
      buildDepenseRetour({
        nomFic: 'RETOUR-WEB', dteStr: '2026-04-05', idPost: budgetIdPost(), idColl: structure.siret, codCol: '123', codBud: '03',
        bordereaux: [{ year: Number(numbers[0].slice(0, 4)), number: 1, pieces: [{ idPce: 1, etatPce: '05', lines: [{ idLigne: 1, mtHt: nets[0], cessOpp: '01', payments: [{ orgEma: '01', paidOn: '2026-04-01', amount: nets[0] }] }] }] }],
      }),
    );
    await page.setInputFiles('#retour-file', retour);
    await page.getByRole('button', { name: 'Lire le retour' }).click();
    await page.locator('#retour-message', { hasText: '1 facture(s) mise(s) en paiement' }).waitFor();
    await page.locator(`tr[data-sent="${numbers[0]}@1"][data-state="SOLDE"]`).waitFor();

    await page.locator('#link-virement').click();
    await page.locator('main h1', { hasText: 'Virement reçu' }).waitFor();
    await page.getByLabel('Montant reçu').fill(nets[0].replace('.', ','));
    await page.getByLabel('Date du virement').fill('2026-04-02');
    await page.getByRole('button', { name: 'Expliquer' }).click();
    await page.locator('#virement-message', { hasText: '1 facture(s) réglée(s)' }).waitFor();
    await page.locator('#virement-result [data-invoice]').first().waitFor();
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
  });

  function budgetIdPost(): string {
    return JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/titres/titres-2024.json'), 'utf8')).budget.collectivite.idPost;
  }
});
