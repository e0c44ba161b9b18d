// Issue 16 end to end, in real Chromium against the browser host and the demo's simulator: an admin
// adds the charity's extension database and names a group in Settings; after a sync a client's
// "Other records" show its rows; offline, the worker adds a row — its date picked with the calendar
// by keyboard alone — attaches a file visible to a group, corrects the client's GP and exports a PDF
// report of that GP's clients whose text (read back) holds "Łukasz" and "ŵ"; back online, one sync, and the simulator holds each
// write exactly once. axe finds nothing serious on the new dialogs and sections.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { go, launchBrowser, rpc, screenshot, seriousViolations, startWebApp, tempDir, watchPage, type Browser, type InProcessApp, navigate, syncNow as syncNowIn } from '../support/e2e-support.js';

const DEMO = { clients: 120, seed: 11 };
const OFFLINE = 'reset-before=1';
const NOTES = 'Łukasz called round; Dŵr Cymru bill sorted (E2E)';
const GROUP = { id: 4, name: 'Befriending team' };
const GP = 'Dr Łukasz Prŵs';
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

let dataDir: string;
let app: InProcessApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let target: { client: number; referral: number };
let pickedDate = '';

/** Calendar arithmetic as the picker does it (UTC dates, no time zone). */
function isoPlus(date: string, months: number, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total % 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return new Date(Date.UTC(ny, nm, Math.min(d, last) + days)).toISOString().slice(0, 10);
}
const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const nav = (name: string) => navigate(page, name);

const syncNow = () => syncNowIn(page);

async function expectAxeClean(name: string): Promise<void> {
  const violations = await seriousViolations(page);
  if (violations.length > 0) await screenshot(page, `field-gaps-axe-${name}`);
  expect(violations, name).toEqual([]);
}

async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: join(pdfjsRoot, 'standard_fonts') + '/', verbosity: 0 }).promise;
  const texts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return texts.join(' ').replace(/\s+/g, ' ');
}

beforeAll(async () => {
  dataDir = tempDir('field-gaps');
  app = await startWebApp(dataDir, DEMO);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await nav('Sync');
  await page.getByTestId('last-synced').filter({ hasNotText: 'Never' }).waitFor({ timeout: 60_000 });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('issue 16: what a field worker could not do', () => {
  it('lets an admin add an extension database (checked with the server) and name a group', async () => {
    await nav('Settings');
    const extensions = page.getByRole('form', { name: 'Add an extension database' });
    await extensions.getByLabel('API name').fill('no_such_notes_77');
    await extensions.getByRole('button', { name: 'Check and add' }).click();
    await page
      .getByText(/no extension database called "no_such_notes_77"/)
      .first()
      .waitFor();

    await extensions.getByLabel('API name').fill('wellcheck_notes_9');
    await extensions.getByRole('button', { name: 'Check and add' }).click();
    await page.getByTestId('extension-databases').getByRole('cell', { name: 'Wellcheck notes', exact: true }).waitFor();
    expect(await page.getByTestId('extension-databases').textContent()).toContain('Wellbeing score');

    await page.getByRole('button', { name: 'Look on the server' }).click();
    await page.getByTestId('groups-look-up').filter({ hasText: 'no groups dictionary' }).waitFor();
    const groups = page.getByRole('form', { name: 'Groups for file visibility' });
    await groups.getByLabel('Group 1 id').fill(String(GROUP.id));
    await groups.getByLabel('Group 1 name').fill(GROUP.name);
    await groups.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Groups saved').first().waitFor();
    await expectAxeClean('settings');
    await screenshot(page, 'field-gaps-1-settings');
  }, 60_000);

  it('brings the rows down with the next sync; the client record shows them by field name', async () => {
    expect(await syncNow()).toContain('Sync finished');
    const row = app.core
      .replica()
      .sqlite.prepare(
        `SELECT e.client, e.referral FROM extension_records e JOIN clients c ON c.id = e.client JOIN referrals r ON r.id = e.referral
       WHERE e.database = 'wellcheck_notes_9' AND e.id > 0 ORDER BY e.id LIMIT 1`,
      )
      .get() as { client: number; referral: number } | undefined;
    expect(row).toBeDefined();
    target = row!;
    await go(page, `/clients/${target.client}`);
    const section = page.locator('[data-extension-database="wellcheck_notes_9"]');
    await section.getByRole('columnheader', { name: 'Wellbeing score' }).waitFor();
    expect(await section.locator('tbody tr').count()).toBeGreaterThan(0);
  }, 90_000);

  it('adds a row offline, its date picked with the calendar by keyboard alone', async () => {
    await app.sim().setFaults(OFFLINE);
    const pendingBefore = Number(await page.getByTestId('pending-count').getAttribute('data-pending'));
    await page
      .locator('[data-extension-database="wellcheck_notes_9"]')
      .getByRole('button', { name: /^Add a record/ })
      .click();
    const dialog = page.locator('#extension-dialog');
    await dialog.getByRole('heading', { name: 'Add to Wellcheck notes' }).waitFor();
    await dialog.getByLabel('Belongs to').selectOption(String(target.referral));

    // Keyboard only: from the date field, Tab to its calendar, open it, move and pick.
    await dialog.getByLabel('Date', { exact: true }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Calendar');
    await page.keyboard.press('Enter');
    const calendar = page.locator('#ext-date_31-calendar');
    await calendar.waitFor();
    const today = formatServerTimestamp(new Date()).slice(0, 10);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-date'))).toBe(today);
    await expectAxeClean('calendar');
    await screenshot(page, 'field-gaps-2-calendar');
    await page.keyboard.press('PageUp'); // a month back
    await page.keyboard.press('ArrowDown'); // a week on
    await page.keyboard.press('ArrowLeft'); // a day back
    pickedDate = isoPlus(today, -1, 6);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-date'))).toBe(pickedDate);
    await page.keyboard.press('Enter');
    await calendar.waitFor({ state: 'hidden' });
    expect(await dialog.getByLabel('Date', { exact: true }).inputValue()).toBe(ukDate(pickedDate));
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Calendar'); // focus back on its button

    await dialog.getByLabel('Wellbeing score', { exact: true }).fill('6');
    await dialog.getByLabel('Notes', { exact: true }).fill(NOTES);
    await expectAxeClean('extension-dialog');
    await dialog.getByRole('button', { name: 'Save record' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const added = page.locator('[data-extension-database="wellcheck_notes_9"] tbody tr').filter({ hasText: NOTES });
    await added.waitFor();
    expect(await added.textContent()).toContain(ukDate(pickedDate));
    expect(await added.textContent()).toContain('new — not yet sent');
    await page
      .getByTestId('pending-count')
      .and(page.locator(`[data-pending="${pendingBefore + 1}"]`))
      .waitFor();
  }, 60_000);

  it('typing a date still works beside the calendar', async () => {
    const row = page.locator('[data-extension-database="wellcheck_notes_9"] tbody tr').filter({ hasText: NOTES });
    await row.getByRole('button', { name: /^Change/ }).click();
    const dialog = page.locator('#extension-dialog');
    await dialog.getByRole('heading', { name: 'Change a record of Wellcheck notes' }).waitFor();
    expect(await dialog.getByLabel('Date', { exact: true }).inputValue()).toBe(ukDate(pickedDate));
    await dialog.getByLabel('Date', { exact: true }).fill('31/02/2026');
    await dialog.getByRole('button', { name: 'Save record' }).click();
    await dialog.getByText('Enter a date like 31/03/2024').first().waitFor();
    await dialog.getByLabel('Date', { exact: true }).fill(ukDate(pickedDate));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }, 30_000);

  it('attaches a file visible to a group, offline, and offers that choice again next time', async () => {
    await page.getByRole('button', { name: 'Attach a file' }).click();
    const dialog = page.locator('#attach-dialog');
    await dialog.getByLabel('Attach to').selectOption(String(target.referral));
    await dialog.locator('#attach-files').setInputFiles({ name: 'group-note.txt', mimeType: 'text/plain', buffer: Buffer.from('For the befriending team.\n') });
    await dialog.getByLabel('Me and the people and groups I choose').check();
    await dialog.getByLabel(GROUP.name).check();
    await expectAxeClean('attach-dialog');
    await screenshot(page, 'field-gaps-3-attach');
    await dialog.getByRole('button', { name: 'Attach', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: 'group-note.txt' }).filter({ hasText: GROUP.name }).waitFor();

    // Another visit: the dialog offers the same people and groups.
    await go(page, '/caseload');
    await go(page, `/clients/${target.client}`);
    await page.getByRole('button', { name: 'Attach a file' }).click();
    await dialog.locator('#attach-files').setInputFiles({ name: 'unused.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
    expect(await dialog.getByLabel('Me and the people and groups I choose').isChecked()).toBe(true);
    expect(await dialog.getByLabel(GROUP.name).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('exports a PDF report whose text keeps "Łukasz" and "ŵ" as written', async () => {
    // Offline still: the client's GP, corrected on the visit, then a report of the GP's clients.
    await go(page, `/clients/${target.client}/edit`);
    await page.getByLabel('GP name').fill(GP);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/clients\/-?\d+$/);

    await nav('Reports');
    await page.getByLabel('Count').selectOption('clients');
    await page.getByLabel('By (dimension)').selectOption('gender');
    await page.getByRole('button', { name: 'Add a filter' }).click();
    await page.getByLabel('Filter 1').selectOption('gp_name');
    await page.getByLabel('Is', { exact: true }).fill(GP);
    await page.getByRole('button', { name: 'Run report' }).click();
    await page.getByRole('button', { name: 'PDF' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PDF' }).click()]);
    const text = await pdfText(fs.readFileSync(await download.path()));
    expect(text.toLowerCase()).toContain(`gp name: ${GP.toLowerCase()}`); // the filter, as the engine labels it
    expect(text).toContain('Łukasz');
    expect(text).toContain('ŵ');
    expect(text).toContain('Records matched: 1');
    expect(text).not.toContain('cannot be shown');
  }, 60_000);

  it('sends every write once when the network returns', async () => {
    app.sim().setFaults('');
    expect(await syncNow()).toContain('Sync finished');
    const inDoubt = page.locator('[data-state="in_doubt"]');
    if ((await inDoubt.count()) > 0) {
      expect(
        app
          .sim()
          .store.uploads()
          .filter((u) => u.filename === 'group-note.txt'),
      ).toHaveLength(0);
      await inDoubt.getByRole('button', { name: 'Send again' }).click();
      expect(await syncNow()).toContain('Sync finished');
    }
    await page.getByTestId('pending-count').and(page.locator('[data-pending="0"]')).waitFor({ timeout: 30_000 });

    const sim = app.sim();
    const rows = sim.store.db.prepare('SELECT * FROM wellcheck_notes_9 WHERE notes_33 = ?').all(NOTES) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ referral: target.referral, client: target.client, date_31: pickedDate, wellbeing_score_32: 6 });

    const me = (await rpc<{ me: { user: number } }>(page, 'settings:get')).me.user;
    const uploads = sim.store.uploads().filter((u) => u.filename === 'group-note.txt');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ group: 'referrals', record: target.referral, group_visibility: [GROUP.id], user_visibility: [me] });
    expect(sim.store.db.prepare('SELECT gp_name FROM clients WHERE id = ?').pluck().get(target.client)).toBe(GP);
    expect(problems).toEqual([]);
  }, 120_000);
});
