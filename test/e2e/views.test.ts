// Every view of the app in real Chromium, served by `caseworker web` exactly as a user starts it:
// axe-core finds no serious or critical problem on any of them, nothing is refused by the CSP,
// each is saved as a screenshot, the keyboard reaches and drives the caseload grid, filters live
// in a bookmarkable address, and dates read the UK way.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureRendererBuilt, launchBrowser, rpc, screenshot, seriousViolations, startApp, tempDir, watchPage, type Browser, type RunningApp } from '../support/e2e-support.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let ids: { client: number; referral: number; action: number };

/** Opens a page of the app by its address, as a bookmark would, and waits until its lists have loaded. */
async function visit(pathname: string): Promise<void> {
  await page.goto(new URL(pathname, app.origin).href);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.list-state--loading'));
}

beforeAll(async () => {
  await ensureRendererBuilt();
  app = await startApp({ db: path.join(tempDir('views'), 'replica.db') });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(app.url);
  await visit('/sync');
  await page.getByTestId('last-synced').filter({ hasNotText: 'Never' }).waitFor({ timeout: 60_000 });
  const list = await rpc<{ rows: Array<{ client: { id: number }; referrals: Array<{ id: number }> }> }>(page, 'caseload:list', { limit: 50 });
  const withReferral = list.rows.find((r) => r.referrals.length > 0)!;
  const actions = await rpc<{ actions: Array<{ contact: { id: number } }> }>(page, 'actions:list', {});
  ids = { client: withReferral.client.id, referral: withReferral.referrals[0]!.id, action: actions.actions[0]!.contact.id };
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('every view', () => {
  const views: Array<[string, () => string, (() => Promise<void>)?]> = [
    ['caseload', () => '/caseload'],
    ['my-actions', () => '/actions'],
    ['complete-contact', () => `/actions/${ids.action}/complete`],
    ['client-record', () => `/clients/${ids.client}`],
    ['edit-client', () => `/clients/${ids.client}/edit`],
    [
      'new-client-with-errors',
      () => '/clients/new',
      async () => {
        await page.getByRole('button', { name: 'Add client' }).click();
        await page.getByRole('heading', { name: /There (is a problem|are \d+ problems)/ }).waitFor();
      },
    ],
    ['new-referral', () => `/clients/${ids.client}/referrals/new`],
    ['new-action', () => `/referrals/${ids.referral}/actions/new`],
    ['first-action-after-new-referral', () => `/referrals/${ids.referral}/actions/new?first=1`],
    ['record-contact', () => `/referrals/${ids.referral}/contacts/new`],
    [
      'add-relationship-dialog',
      () => `/clients/${ids.client}`,
      async () => {
        await page.getByRole('button', { name: 'Add relationship' }).click();
        const others = await rpc<{ rows: Array<{ client: { id: number; surname: string } }> }>(page, 'caseload:list', { limit: 2, sort: 'surname' });
        const other = others.rows.find((r) => r.client.id !== ids.client)!.client;
        await page.getByRole('dialog', { name: 'Add a relationship' }).getByLabel('Find the other person').fill(other.surname);
        await page.getByRole('dialog', { name: 'Add a relationship' }).locator('input[type="radio"]').first().check();
        await page.locator('#relationship_second_to_first').waitFor();
      },
    ],
    ['external-referral', () => '/external-referral'],
    [
      'reports',
      () => '/reports',
      async () => {
        await page.getByRole('button', { name: 'Clients by district and gender' }).click();
        await page.getByTestId('report-table').waitFor();
        await page.getByRole('img', { name: /Clients by district and gender/ }).waitFor();
      },
    ],
    ['sync', () => '/sync'],
    ['settings', () => '/settings'],
    ['not-found', () => '/no-such-page'],
  ];

  for (const [name, where, prepare] of views) {
    it(`${name}: no serious or critical accessibility problems, inside a main landmark`, async () => {
      await visit(where());
      await prepare?.();
      expect(await page.getByRole('main').count()).toBe(1);
      expect((await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((t) => t.trim())).toEqual(
        expect.arrayContaining(['Caseload', 'My actions', 'Reports', 'Settings', expect.stringMatching(/^Sync/)]),
      );
      expect(await page.getByTestId('pending-count').textContent()).toMatch(/waiting to send/);
      expect(await page.getByTestId('demo-banner').isVisible()).toBe(true);
      await screenshot(page, `view-${name}`);
      expect(await seriousViolations(page)).toEqual([]);
    }, 30_000);
  }

  it('none of them had anything refused by the content security policy, or failed', () => {
    expect(problems).toEqual([]);
  });
});

describe('keyboard, addresses and dates', () => {
  it('offers a skip link first, which lands in the main content', async () => {
    await visit('/caseload');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('moves through the caseload grid with the arrow keys and End, and opens a client with Enter', async () => {
    await visit('/caseload');
    const grid = page.getByRole('grid', { name: 'Caseload' });
    const total = Number(await grid.getAttribute('aria-rowcount')) - 1;
    expect(total).toBeGreaterThan(3);
    await grid.getByRole('row').nth(1).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex'))).toBe('3');
    await page.keyboard.press('End');
    await page.waitForFunction((n) => document.activeElement?.getAttribute('aria-rowindex') === String(n + 1), total);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/clients\/-?\d+$/);
  });

  it('keeps the search and filters in the address, so a bookmark opens the same view', async () => {
    const districts = await rpc<{ entries: Array<{ id: number; name: string }> }>(page, 'dictionaries:get', { table: 'organisations/district' });
    const counts = await Promise.all(districts.entries.map(async (d) => ({ d, n: (await rpc<{ total: number }>(page, 'caseload:list', { filters: { district: [d.id] }, limit: 1 })).total })));
    const used = counts.find((c) => c.n > 0)!;
    await visit(`/caseload?district=${used.d.id}`);
    expect(await page.getByLabel('District').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe(used.d.name);
    await page
      .getByTestId('caseload-count')
      .filter({ hasText: `${used.n} ${used.n === 1 ? 'client' : 'clients'} match` })
      .waitFor();
  });

  it('keeps a half-filled contact through a reload in the replica, and forgets it once discarded', async () => {
    // Opening the form keeps no draft: only what the person changes is one.
    await visit(`/actions/${ids.action}/complete`);
    expect(await page.getByRole('button', { name: 'Discard draft' }).count()).toBe(0);
    await page.getByLabel('What happened').fill('Half-way through writing this up');
    await page.getByLabel('Travel time (minutes)').fill('12');
    // The draft goes to the encrypted replica (drafts:*), never to the browser's plaintext storage.
    const key = `complete-contact:${ids.action}`;
    const savedDraft = async () => (await rpc<{ draft: Record<string, unknown> | null }>(page, 'drafts:get', { key })).draft;
    await expect.poll(savedDraft, { timeout: 5_000 }).toMatchObject({ description: 'Half-way through writing this up', travel_time: '12' });
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('draft')))).toEqual([]);
    await visit(`/actions/${ids.action}/complete`);
    expect(await page.getByLabel('What happened').inputValue()).toBe('Half-way through writing this up');
    expect(await page.getByLabel('Travel time (minutes)').inputValue()).toBe('12');
    await page.getByRole('button', { name: 'Discard draft' }).click();
    expect(await page.getByLabel('Travel time (minutes)').inputValue()).toBe('');
    await expect.poll(savedDraft, { timeout: 5_000 }).toBeNull();
  });

  it('exports a report as CSV that Excel reads (BOM, names not ids)', async () => {
    await visit('/reports');
    await page.getByRole('button', { name: 'Clients by district and gender' }).click();
    await page.getByTestId('report-table').waitFor();
    const firstDistrict = (await page.getByTestId('report-table').locator('tbody th').first().textContent())!.trim();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain(firstDistrict);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });

  it('adds travel totals to a contact report and compares it with the demo server, in words', async () => {
    await visit('/reports');
    await page.getByRole('button', { name: 'Hours and miles travelled by project' }).click();
    await page.getByTestId('report-table').waitFor();
    expect(await page.getByLabel('Travel time and mileage totals').isChecked()).toBe(true);
    expect(await page.getByTestId('report-table').locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['Travel time', 'Travel mileage']));
    expect(await page.getByTestId('report-freshness').textContent()).toMatch(/^Covers /);
    await page.getByRole('button', { name: 'Compare with Charitylog' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('report-comparison').waitFor();
    expect(await page.getByTestId('report-comparison').textContent()).toMatch(/The server (agrees|counts)/);
  });

  it('shows dates and times the UK way, in UK time', async () => {
    await visit('/sync');
    expect(await page.getByTestId('last-synced').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/);
    await visit(`/actions/${ids.action}/complete`);
    expect(await page.getByLabel('Start date').inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(await page.getByLabel('Start time').inputValue()).toMatch(/^\d{2}:\d{2}$/);
  });
});
