import { existsSync } from 'node:fs';
import { Browser, BrowserContext, BrowserContextOptions, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), driven by playwright-core; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with the flags this closed network needs (no background connections, no sandbox as root). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium introuvable (${CHROMIUM}) : installez-le (« apt-get install chromium », fait par .ci/run) pour les tests des pages`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=fr-FR'],
  });
}

/**
 * Playwright's own waits default to 30 s, which a loaded 2-core CI machine can exceed: tests never fail
 * because the machine is slow (issue 13), so every context waits as long as jest's global guard allows.
 */
export const BROWSER_WAIT_MS = 10 * 60_000;

/** A browser context whose actions, waits and navigations use BROWSER_WAIT_MS. */
export async function newTestContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(BROWSER_WAIT_MS);
  context.setDefaultNavigationTimeout(BROWSER_WAIT_MS);
  return context;
}
