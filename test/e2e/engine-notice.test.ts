// The browser host as `caseworker web` wires it (main/web/wiring.ts: the app core on worker threads)
// in real Chromium: when the data engine's worker is killed the page says so in its header, the
// engine comes back on the same replica, and the page carries on reading it without a reload.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_STATIC_DIR } from '../../main/web/host.js';
import { startBrowserHost, type BrowserHost } from '../../main/web/wiring.js';
import { ensureRendererBuilt, launchBrowser, tempDir, watchPage, type Browser } from '../support/e2e-support.js';

let running: BrowserHost;
let browser: Browser;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  running = await startBrowserHost({ dataDir: tempDir('engine'), staticDir: DEFAULT_STATIC_DIR });
  await running.core.sync();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(running.host.url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
});

it('says the data engine stopped and came back, and the caseload still answers', async () => {
  await page.getByRole('grid').getByRole('row').nth(1).waitFor();
  expect(await page.getByTestId('engine-notice').count()).toBe(0);
  await running.core.kill('core');
  const notice = page.getByTestId('engine-notice');
  await notice.waitFor();
  expect(await notice.textContent()).toMatch(/data engine (stopped unexpectedly and is restarting|was restarted)/);
  await page.locator('[data-testid="engine-notice"][data-state="running"]').waitFor({ timeout: 30_000 });
  expect(await notice.textContent()).toContain('was restarted');
  expect(running.core.state()).toMatchObject({ state: 'running', restarts: 1 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My actions' }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Caseload' }).click();
  await page.getByRole('grid').getByRole('row').nth(1).waitFor();
  expect(problems).toEqual([]);
});
