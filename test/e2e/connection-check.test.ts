// Settings → Check connection in real Chromium: an admin types a server's address and keys, checks
// them before saving, and reads each check in words with the API version found — against simulators
// speaking each dialect and one that breaks the timestamp assumption. axe finds nothing serious.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { launchBrowser, screenshot, seriousViolations, startWebApp, tempDir, watchPage, type Browser, type InProcessApp } from '../support/e2e-support.js';

let app: InProcessApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
const servers: RunningSimulator[] = [];

beforeAll(async () => {
  app = await startWebApp(tempDir('connection-check'), { clients: 40, seed: 3 });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  for (const sim of servers) await sim.close();
});

async function checkWith(sim: RunningSimulator): Promise<void> {
  const login = sim.users.find((u) => u.worker !== null)!;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  await page.getByLabel('Server address').fill(sim.url);
  await page.getByLabel('Source key').fill(login.source);
  await page.getByLabel('Org key').fill(login.org);
  await page.getByLabel('User key').fill(login.user);
  await page.getByTestId('check-connection').click();
  await page.getByTestId('connection-check-summary').waitFor({ timeout: 60_000 });
}

describe('Check connection', () => {
  it.each(['2019', '2025'] as const)(
    'names the API version of a server speaking the %s dialect and fills it in',
    async (dialect) => {
      const sim = await startSimulator({ clients: 20, seed: 8, dialect });
      servers.push(sim);
      await checkWith(sim);
      const words = dialect === '2025' ? 'the current manual (2021 and later)' : 'the 2019 manual';
      expect(await page.getByTestId('connection-check-dialect').textContent()).toBe(words);
      expect(await page.getByLabel('API version').inputValue()).toBe(dialect);
      expect(await page.locator('[data-check="keys"]').getAttribute('data-ok')).toBe('true');
      await screenshot(page, `connection-check-${dialect}`);
      expect(await seriousViolations(page)).toEqual([]);
      expect(sim.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
    },
    90_000,
  );

  it('shows which check failed, in words, and what to do; choosing another version warns', async () => {
    const sim = await startSimulator({ clients: 20, seed: 9, timestampFormat: 'iso' });
    servers.push(sim);
    await checkWith(sim);
    const failed = page.locator('[data-check="timestamps"]');
    expect(await failed.getAttribute('data-ok')).toBe('false');
    expect(await failed.textContent()).toMatch(/Did not pass: Dates and times are written the way Caseworker expects\..*What to do:/s);
    await page.getByLabel('API version').selectOption('2025');
    await page.getByTestId('dialect-override-warning').waitFor();
    await screenshot(page, 'connection-check-failed-check');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);
});
