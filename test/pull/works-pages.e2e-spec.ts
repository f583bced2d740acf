/// <reference lib="dom" />
import { Browser, Page } from 'playwright-core';
import { PullService } from '@/pull/pull.service';
import { createUserAndToken } from '@test/support/auth';
import { launchChromium } from '@test/support/browser';
import { PullHarness, startPullHarness } from '@test/pull/pull-test.support';

// The pages show what the pull learnt from Chorus Pro (issue 15): « Facture de travaux » with its MOE/MOA steps, in
// the lists and on the invoice page, and the structure's settings history on the admin page. Real Chromium.
describe('works invoices and structure sync in the pages (Chromium)', () => {
  let h: PullHarness;
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows a works invoice with its MOE/MOA steps, and the settings read from Chorus Pro', async () => {
    h = await startPullHarness({ structures: 1, invoices: 0 });
    const { state } = h.sim;
    const sim = state.structures[0];
    const [works] = state.addInvoices(1, { structure: sim });
    state.works.makeWorks(works);
    state.structureSettings.setServiceActive(sim, 'SCOLAIRE', false);
    const report = await h.get(PullService).run();
    expect(report.errors).toEqual([]);
    const password = 'correct horse battery';
    await createUserAndToken(h.t, { email: 'gp@works.test', role: 'admin', structureSirets: [sim.siret], password });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page: Page = await context.newPage();
    const errors: Error[] = [];
    page.on('pageerror', (err) => errors.push(err));
    await page.goto(`${h.t.url}/#/connexion`);
    await page.getByLabel('Adresse électronique').fill('gp@works.test');
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#topbar:not([hidden])').waitFor();

    await page.goto(`${h.t.url}/#/flux`);
    const row = page.locator(`tr[data-invoice="${works.spec.number}"]`).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('Facture de travaux');

    await row.getByRole('link', { name: String(works.spec.number) }).click();
    const panel = page.locator('section[aria-label="Facture de travaux"]');
    await panel.waitFor();
    expect(await page.locator('h1').textContent()).toContain(`Facture de travaux N° ${works.spec.number}`);
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Maîtrise d’œuvre (MOE)');
    expect(text).toContain('Validée par la MOA');
    expect(await panel.locator('[data-works-role="MOE"]').count()).toBe(2);
    expect(await panel.locator('[data-works-role="MOA"]').count()).toBe(1);

    await page.goto(`${h.t.url}/#/admin`);
    const sync = page.locator('section[data-part="admin-sync"]');
    await sync.locator('[data-change="SERVICE_DEACTIVATED"]').waitFor();
    expect(await sync.textContent()).toContain('Service « SCOLAIRE » (Affaires scolaires et périscolaires) désactivé dans Chorus Pro');
    await sync.getByRole('button', { name: 'Synchroniser maintenant' }).click();
    await sync.getByText('0 changement(s) appliqué(s).').waitFor();
    expect(errors).toEqual([]);
  });
});
