// The outbox in real Chromium, against the browser host and the demo's simulator: a change the
// server refuses is corrected from the outbox and sent; an edit that meets a colleague's edit of
// the same record is settled field by field, and the server ends up with each side's choice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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

let app: InProcessApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let control: SimControl;
let me: SimUserKeys;

const nav = (name: string) => navigate(page, name);

const syncNow = () => syncNowIn(page);

const noneWaiting = () => page.getByTestId('pending-count').and(page.locator('[data-pending="0"]')).waitFor({ timeout: 30_000 });

beforeAll(async () => {
  app = await startWebApp(tempDir('outbox'), { clients: 120, seed: 5 });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
  await page.goto(app.url);
  await nav('Sync');
  await page.getByTestId('last-synced').filter({ hasNotText: 'Never' }).waitFor({ timeout: 60_000 });
  control = new SimControl(app.sim().controlUrl);
  const settings = await rpc<{ me: { user: number } }>(page, 'settings:get');
  me = app.sim().users.find((u) => u.id === settings.me.user)!;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the outbox', () => {
  it("shows the server's refusal of a referral, and sends it once corrected", async () => {
    // A project this worker is not in, and one they are in that uses the same template (so the stage still fits).
    const projects = (await rpc<{ entries: Array<{ id: number; name: string; template?: number }> }>(page, 'dictionaries:get', { table: 'referrals/project' })).entries;
    const mineIds = new Set((await rpc<{ rows: Array<{ project: number }> }>(page, 'caseload:query', { path: 'referrals/field/project' })).rows.map((r) => r.project));
    const other = projects.find((p) => !mineIds.has(p.id) && projects.some((q) => mineIds.has(q.id) && q.template === p.template))!;
    const mine = projects.find((q) => mineIds.has(q.id) && q.template === other.template)!;
    expect(other).toBeDefined();

    const { rows } = await rpc<{ rows: Array<{ client: { id: number; first_name: string; surname: string } }> }>(page, 'caseload:list', { limit: 1 });
    const client = rows[0]!.client;
    await page.goto(new URL(`/clients/${client.id}/referrals/new`, page.url()).href);
    await page.locator('#client_type option').nth(1).waitFor({ state: 'attached' });
    await page.locator('#client_type').selectOption({ index: 1 });
    await page.locator('#project').selectOption(String(other.id));
    await page.waitForFunction(() => (document.getElementById('template') as HTMLSelectElement).value !== '');
    await page.locator('#stage').selectOption({ index: 1 });
    await page.getByLabel('Description').fill('Carer support (outbox E2E)');
    await page.getByRole('button', { name: 'Add referral' }).click();
    // Offered the referral's first action; this test skips it.
    await page.getByRole('link', { name: 'Skip for now' }).click();
    await page.waitForURL(/\/clients\/-?\d+$/);

    await syncNow();
    const refused = page.locator('[data-state="rejected"]').filter({ hasText: 'New referral' });
    await refused.waitFor();
    expect(await refused.locator('.server-message').textContent()).toMatch(/not one of your projects/);
    await screenshot(page, 'outbox-1-refused');

    await refused.getByRole('button', { name: /^Edit/ }).click();
    await refused.getByLabel('Project').selectOption(String(mine.id));
    await refused.getByRole('button', { name: 'Save and retry' }).click();
    await syncNow();
    await noneWaiting();

    const sent = (await control.get(me, `referrals/client/${client.id}`)).filter((r) => r.description === 'Carer support (outbox E2E)');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.project).toBe(mine.id);
  }, 120_000);

  it("settles an edit that met a colleague's, field by field", async () => {
    const { rows } = await rpc<{ rows: Array<{ client: { id: number } }> }>(page, 'caseload:list', { limit: 3, sort: 'surname' });
    const id = rows[2]!.client.id;
    const [before] = await control.get(me, `clients/id/${id}`);

    // A colleague at the office changes the telephone (anyone who can see the client); this device has not synced since.
    const colleagues = app.sim().users.filter((u) => u.id !== me.id);
    let colleague: SimUserKeys = me;
    for (const u of colleagues) {
      if ((await control.get(u, `clients/id/${id}`)).length === 1) {
        colleague = u;
        break;
      }
    }
    await control.write(colleague, 'POST', `clients/id/${id}`, { telephone: '0113 496 0999' });

    // Then, offline, the worker changes the telephone and the address from what the replica holds.
    await app.sim().setFaults('reset-before=1');
    await page.goto(new URL(`/clients/${id}/edit`, page.url()).href);
    await page.getByLabel('Telephone').fill('0113 496 0001');
    await page.getByLabel('Address line 1').fill('1 Albion Street');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`/clients/${id}$`));

    await app.sim().setFaults('');
    await syncNow();
    const conflict = page.locator('[data-state="conflict"]');
    await conflict.waitFor();
    const telephone = conflict.getByRole('row', { name: /Telephone/ });
    expect(await telephone.textContent()).toContain('0113 496 0001');
    expect(await telephone.textContent()).toContain('0113 496 0999');
    expect(await conflict.getByRole('row', { name: /Address line 1|Address1/ }).count()).toBe(0);
    await screenshot(page, 'outbox-2-conflict');

    await telephone.getByLabel('Theirs').check();
    await conflict.getByRole('button', { name: 'Apply my choices' }).click();
    await syncNow();
    await noneWaiting();

    const [after] = await control.get(me, `clients/id/${id}`);
    expect(after).toMatchObject({ telephone: '0113 496 0999', address1: '1 Albion Street' });
    expect(after!.surname).toBe(before!.surname);
    expect(problems).toEqual([]);
  }, 120_000);
});
