// A field worker's day in real Chromium against the browser host and the demo's simulator, once per
// dialect (the simulator strict in each): first run, a sync, the network drops, three due contacts
// completed (one with a file, one planning the next action), a contact recorded with no action
// planned, a new client with a referral, its first action and a relationship, the app closed and
// reopened while still offline with everything there, the network back, a sync — and the server
// holds each record once, written in the dialect's own forms (no request refused with 405).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { DIALECTS, type Dialect } from '../../shared/dizions/dialects.js';
import {
  SimControl,
  launchBrowser,
  rpc,
  screenshot,
  startWebApp,
  tempDir,
  watchPage,
  type Browser,
  type InProcessApp,
  type SimUserKeys,
  navigate,
  syncNow as syncNowIn,
} from '../support/e2e-support.js';

const DEMO = { clients: 120, seed: 11 };
const OFFLINE = 'reset-before=1';

const londonDate = (daysAhead: number) => formatServerTimestamp(new Date(Date.now() + daysAhead * 86_400_000)).slice(0, 10);
const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

let dataDir: string;
let app: InProcessApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
const externalId = `E2E-${process.pid}`;
const completed: Array<{ id: number; referral: number }> = [];
const recorded: Array<{ referral: number }> = [];
let pendingBeforeClosing = 0;
let dialect: Dialect = '2019';
let relatedTo: { id: number; name: string } | null = null;

async function open(): Promise<void> {
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const pending = async () => Number(await page.getByTestId('pending-count').getAttribute('data-pending'));

const nav = (name: string) => navigate(page, name);

const syncNow = () => syncNowIn(page);

/** Waits for a client record page (not a form about the client). */
async function onClientRecord(name: RegExp): Promise<void> {
  await page.waitForURL(/\/clients\/-?\d+$/);
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function chooseFirst(selectId: string): Promise<void> {
  const select = page.locator(`#${selectId}`);
  await page.waitForFunction((id) => ((document.getElementById(id) as HTMLSelectElement | null)?.options.length ?? 0) > 1, selectId);
  const value = await select.locator('option').nth(1).getAttribute('value');
  await select.selectOption(value!);
}

describe.each(DIALECTS)("a field worker's day, the server speaking the %s dialect", (speaks) => {
  beforeAll(async () => {
    dialect = speaks;
    completed.length = 0;
    recorded.length = 0;
    relatedTo = null;
    dataDir = tempDir(`field-day-${speaks}`);
    app = await startWebApp(dataDir, { ...DEMO, dialect: speaks });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('starts with demo data, clearly marked, and the first sync fills the caseload', async () => {
    await open();
    expect(await page.getByTestId('demo-banner').textContent()).toContain('DEMO');
    await nav('Sync');
    await page.getByTestId('last-synced').filter({ hasNotText: 'Never' }).waitFor({ timeout: 60_000 });
    await nav('Caseload');
    await page
      .getByTestId('caseload-count')
      .filter({ hasText: /\d+ clients?/ })
      .waitFor();
    expect(await page.getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(page, 'field-day-1-caseload');
  }, 90_000);

  it('syncs on demand and says so', async () => {
    expect(await syncNow()).toContain('Sync finished');
    expect(await page.getByTestId('connection-state').textContent()).toBe('Online');
  }, 90_000);

  it('notices when the network drops', async () => {
    await app.sim().setFaults(OFFLINE);
    expect(await syncNow()).toContain('Sync did not finish');
    await page.getByTestId('connection-state').filter({ hasText: 'Offline' }).waitFor();
  }, 90_000);

  it('completes three due contacts offline: one with a file, one planning the next action, one as planned', async () => {
    await nav('My actions');
    const ready = page.locator('li.action').filter({ has: page.getByRole('button', { name: /^Done as planned/ }) });
    await ready.first().waitFor();
    expect(await ready.count()).toBeGreaterThanOrEqual(3);
    const ids = await ready.evaluateAll((items) => items.slice(0, 3).map((li) => Number(li.getAttribute('data-action-id'))));
    for (const id of ids) {
      const detail = await rpc<{ referral: { id: number } }>(page, 'contacts:get', { id });
      completed.push({ id, referral: detail.referral.id });
    }

    // 1: the form, with a file for the referral.
    await page
      .locator(`li[data-action-id="${ids[0]}"]`)
      .getByRole('link', { name: /^Complete contact/ })
      .click();
    await page.getByRole('heading', { name: 'Complete contact' }).waitFor();
    await page.getByLabel('What happened').fill('Visited at home. All well; shopping list agreed. (E2E)');
    await page.getByLabel('Travel time (minutes)').fill('25');
    await page.getByLabel('Travel mileage (miles)').fill('7.5');
    await page.locator('#attachments').setInputFiles({ name: 'visit-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Visit notes: all well.\n') });
    await page.getByLabel('Everyone who can see this record').check();
    await screenshot(page, 'field-day-2-complete-contact');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.waitForURL('**/actions');
    await page.locator(`li[data-action-id="${ids[0]}"]`).waitFor({ state: 'detached' });

    // 2: the form, planning the next action on the same referral.
    await page
      .locator(`li[data-action-id="${ids[1]}"]`)
      .getByRole('link', { name: /^Complete contact/ })
      .click();
    await page.getByLabel('Plan the next action on this referral').check();
    await page.getByLabel('Next action date').fill(ukDate(londonDate(7)));
    await page.getByLabel('Next action start time').fill('10:00');
    await page.getByLabel('Next action end time').fill('11:00');
    await page.getByLabel('What is the next action').fill('Follow-up visit (E2E)');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.waitForURL('**/actions');
    await page.locator(`li[data-action-id="${ids[1]}"]`).waitFor({ state: 'detached' });

    // 3: one click.
    await page
      .locator(`li[data-action-id="${ids[2]}"]`)
      .getByRole('button', { name: /^Done as planned/ })
      .click();
    await page.locator(`li[data-action-id="${ids[2]}"]`).waitFor({ state: 'detached' });
    expect(await pending()).toBeGreaterThanOrEqual(4);
  }, 90_000);

  it('records a contact on a referral with no action planned first, offline', async () => {
    await nav('My actions');
    const recordLink = page.getByRole('link', { name: /^Record a contact on referral \d+/ }).first();
    const referral = Number(/referral (\d+)/.exec((await recordLink.getAttribute('aria-label'))!)![1]);
    await recordLink.click();
    await page.getByRole('heading', { level: 1, name: 'Record a contact' }).waitFor();
    // Start now, end half an hour later, the referral's current stage: only what happened is typed.
    expect(await page.locator('#start-date').inputValue()).toBe(ukDate(londonDate(0)));
    expect(await page.locator('#stage').inputValue()).not.toBe('');
    await page.getByLabel('What happened').fill('Popped in unplanned: boiler fixed. (E2E)');
    await screenshot(page, 'field-day-2b-record-contact');
    const before = await pending();
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.waitForURL(/\/clients\/-?\d+$/);
    await page.getByText('Popped in unplanned: boiler fixed. (E2E)').waitFor();
    expect(await pending()).toBeGreaterThan(before);
    recorded.push({ referral });

    // The Sync view lists what waits in words, never the API's verb and path.
    await nav('Sync');
    const waiting = (await page.locator('.outbox-entry').allTextContents()).join('\n');
    expect(waiting).toMatch(/Complete action \d+ for /);
    expect(waiting).not.toMatch(/\b(PUT|POST) [a-z_]+/);
  }, 90_000);

  it('adds a client, a referral for them and an action on it, offline', async () => {
    await nav('Caseload');
    await page.getByRole('link', { name: 'New client' }).click();
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Surname').fill('Lovelace');
    await page.getByLabel('Date of birth').fill('10/12/1990');
    await page.getByLabel('Postcode').fill('LS1 4AP');
    await page.getByLabel('External id').fill(externalId);
    await page.getByRole('button', { name: 'Add client' }).click();
    await onClientRecord(/Ada Lovelace/);

    await page.getByRole('link', { name: 'New referral' }).click();
    await chooseFirst('client_type');
    // Charitylog takes referrals only into projects the worker is in; the form offers those first.
    const mine = page.locator('#project optgroup[label="Projects you work in"] option').first();
    await mine.waitFor({ state: 'attached' });
    await page.locator('#project').selectOption((await mine.getAttribute('value'))!);
    await page.waitForFunction(() => (document.getElementById('template') as HTMLSelectElement).value !== '');
    await chooseFirst('stage');
    await page.getByLabel('Description').fill('Referred for befriending (E2E)');
    await page.getByRole('button', { name: 'Add referral' }).click();
    // The server marks an API-created referral completed: the app goes straight on to its first action.
    await page.getByRole('heading', { name: 'Plan the first action' }).waitFor();
    await page.getByTestId('first-action-reason').waitFor();
    await page.getByLabel('Date').fill(ukDate(londonDate(1)));
    await page.getByLabel('Start time').fill('09:30');
    await page.getByLabel('End time').fill('10:30');
    await page.getByLabel('What is planned').fill('First visit (E2E)');
    await page.getByRole('button', { name: 'Plan action' }).click();
    await onClientRecord(/Ada Lovelace/);
    await page.getByText('First visit (E2E)').waitFor();

    // A relationship between the new client and someone already on the caseload.
    const someone = (await rpc<{ rows: Array<{ client: { id: number; first_name: string; surname: string } }> }>(page, 'caseload:list', { limit: 1, sort: 'surname' })).rows[0]!.client;
    relatedTo = { id: someone.id, name: `${someone.first_name} ${someone.surname}` };
    await page.getByRole('button', { name: 'Add relationship' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a relationship' });
    await dialog.getByLabel('Find the other person').fill(someone.surname);
    await dialog.getByLabel(relatedTo.name, { exact: true }).check();
    await page.waitForFunction(() => ((document.getElementById('relationship_second_to_first') as HTMLSelectElement | null)?.options.length ?? 0) > 1);
    await dialog.locator('#relationship_second_to_first').selectOption({ index: 1 });
    await dialog.locator('#relationship_first_to_second').selectOption({ index: 2 });
    await screenshot(page, `field-day-3b-add-relationship-${dialect}`);
    await dialog.getByRole('button', { name: 'Add relationship' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('region', { name: 'Relationships' }).getByRole('link', { name: relatedTo.name }).waitFor();
    await screenshot(page, 'field-day-3-new-client');
    pendingBeforeClosing = await pending();
    expect(pendingBeforeClosing).toBeGreaterThanOrEqual(7);
  }, 90_000);

  it('finds everything after the app is closed and reopened, still offline', async () => {
    await page.close();
    await app.stop();
    app = await startWebApp(dataDir, { ...DEMO, dialect, faults: OFFLINE });
    await open();
    expect(await pending()).toBe(pendingBeforeClosing);

    await page.getByLabel('Search by name, postcode, NHS number or external id').fill('Lovelace');
    await page.getByTestId('caseload-count').filter({ hasText: '1 client match' }).waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBe('Lovelace');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await onClientRecord(/Ada Lovelace/);
    await page
      .getByText('Referred for befriending (E2E)')
      .or(page.getByRole('cell', { name: /referral/ }))
      .first()
      .waitFor();
    await page.getByText('First visit (E2E)').waitFor();

    await nav('My actions');
    await page.getByText('Follow-up visit (E2E)').waitFor();
    for (const { id } of completed) expect(await page.locator(`li[data-action-id="${id}"]`).count()).toBe(0);
  }, 120_000);

  it('sends everything once the network returns; a file whose reply was lost is checked and sent again', async () => {
    await app.sim().setFaults('');
    expect(await syncNow()).toContain('Sync finished');
    // The reopened app tried to push while the network was down: the upload went out and the
    // connection dropped, and the API cannot be asked whether files arrived. The worker checks.
    const inDoubt = page.locator('[data-state="in_doubt"]');
    if ((await inDoubt.count()) > 0) {
      const control = new SimControl(app.sim().controlUrl);
      expect((await control.uploads()).uploads.filter((u) => u.filename === 'visit-notes.txt')).toHaveLength(0);
      await screenshot(page, 'field-day-4-in-doubt');
      await inDoubt.getByRole('button', { name: 'Send again' }).click();
      expect(await syncNow()).toContain('Sync finished');
    }
    await page
      .getByTestId('pending-count')
      .and(page.locator('[data-pending="0"]'))
      .waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'field-day-debug-outbox');
        throw e;
      });
    await screenshot(page, 'field-day-5-synced');
  }, 120_000);

  it('leaves the server holding each record exactly once, with the fields typed', async () => {
    const sim = app.sim();
    const control = new SimControl(sim.controlUrl);
    const settings = await rpc<{ me: { user: number } }>(page, 'settings:get');
    const me = sim.users.find((u) => u.id === settings.me.user) as SimUserKeys;

    const clients = await control.get(me, `clients/external_id/${externalId}`);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ first_name: 'Ada', surname: 'Lovelace', dob: '1990-12-10', postcode: 'LS1 4AP' });

    const referrals = await control.get(me, `referrals/client/${String(clients[0]!.id)}`);
    expect(referrals).toHaveLength(1);
    expect(referrals[0]!.description).toBe('Referred for befriending (E2E)');

    const planned = (await control.get(me, `due_contacts/referral/${String(referrals[0]!.id)}`)).filter((c) => c.description === 'First visit (E2E)');
    expect(planned).toHaveLength(1);
    expect(planned[0]!.start_date).toBe(`${londonDate(1)} 09:30:00`);

    for (const { id } of completed) expect(await control.get(me, `done_contacts/id/${id}`)).toHaveLength(1);
    const links = ((await control.get(me, `clients/id/${String(clients[0]!.id)}/field/id;relationship_details`))[0]!['relationship_details'] ?? []) as Array<Record<string, unknown>>;
    expect(links.filter((l) => [l['id_second'], l['second']].includes(relatedTo!.id))).toHaveLength(1);
    // Every request in the dialect's own forms: the strict simulator refused none for its verb.
    expect(sim.requestLog.filter((r) => r.status === 405)).toEqual([]);
    const [first] = await control.get(me, `done_contacts/id/${completed[0]!.id}`);
    expect(first).toMatchObject({ description: 'Visited at home. All well; shopping list agreed. (E2E)', travel_time: 25, travel_mileage: 7.5 });

    const next = (await control.get(me, `due_contacts/referral/${completed[1]!.referral}`)).filter((c) => c.description === 'Follow-up visit (E2E)');
    expect(next).toHaveLength(1);
    expect(next[0]!.start_date).toBe(`${londonDate(7)} 10:00:00`);

    const unplanned = (await control.get(me, `done_contacts/referral/${recorded[0]!.referral}`)).filter((c) => c.description === 'Popped in unplanned: boiler fixed. (E2E)');
    expect(unplanned).toHaveLength(1);

    const uploads = (await control.uploads()).uploads.filter((u) => u.filename === 'visit-notes.txt');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ group: 'referrals', record: completed[0]!.referral });
    expect(problems).toEqual([]);
  }, 60_000);
});
