// What the end-to-end tests share: the app as a user runs it (`caseworker web` in a child process,
// the built renderer in Debian's Chromium), the simulator seen from outside (its control endpoint
// and its API under a colleague's keys), axe-core run inside the page, screenshots under
// test-artifacts/, and a watch on the console for CSP refusals and uncaught errors.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import type { DemoOptions } from '../../main/app/demo.js';
import { buildRenderer, rendererBuildReason } from '../../main/web/renderer-build.js';
import { chooseWebKey } from '../../main/web/web-key.js';
import { createDispatcher } from '../../main/ipc/register.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import type { DemoUserLine } from '../../main/sim/types.js';
import { DEFAULT_STATIC_DIR, isWebHostSender, startWebHost } from '../../main/web/host.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const CLI = path.join(ROOT, 'bin', 'caseworker.mjs');
const CHROMIUM = '/usr/bin/chromium';
const AXE_SOURCE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Builds the renderer when it is missing or older than its sources, as `caseworker web` does; a
 * lock file keeps two test workers from building over each other.
 */
export async function ensureRendererBuilt(): Promise<void> {
  if (!rendererBuildReason()) return;
  const lock = path.join(ROOT, 'dist', '.renderer-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the longest build belongs to a worker that died.
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) fs.rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error('another test worker has been building the renderer for two minutes');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (rendererBuildReason()) await buildRenderer(() => undefined);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `caseworker-e2e-${prefix}-`));
}

// ---- the app -----------------------------------------------------------------------------------------

export interface RunningApp {
  /** The address printed at start (carries the token); open it once per browser context. */
  url: string;
  origin: string;
  /** Everything the process wrote, for a failing test's message. */
  output: string[];
  stop(): Promise<void>;
}

export interface AppOptions {
  db: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
}

/** Starts `caseworker web` and waits for the address it prints. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const args = [CLI, 'web', '--db', options.db, '--port', String(options.port ?? 0), ...(options.args ?? [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`caseworker web printed no address within 30 s:\n${output.join('')}`)), 30_000);
    const look = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output.join(''));
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`caseworker web exited (${String(code)}) before printing its address:\n${output.join('')}`));
    });
  });
  const origin = new URL(url).origin;
  return {
    url,
    origin,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface InProcessApp {
  url: string;
  core: AppCore;
  /** The demo's simulator (started by the app itself), to fault or inspect from outside. */
  sim(): RunningSimulator;
  stop(): Promise<void>;
}

/**
 * What `caseworker web` does (main/cli/web.ts), in this process: the demo key file beside the
 * data, the app core with the demo, the browser host over it. Closing it and starting it again on
 * the same folder is closing and reopening the app. `demo.faults` starts the demo's network broken.
 */
export async function startWebApp(dataDir: string, demo: DemoOptions = {}): Promise<InProcessApp> {
  await ensureRendererBuilt();
  const replicaFile = path.join(dataDir, 'replica.db');
  const key = chooseWebKey({ dataDir, replicaFile });
  const core = await createAppCore({
    dataDir,
    replicaFile,
    keyProvider: key.provider,
    demo: true,
    backgroundSync: true,
    keyStoredBesideData: key.storedBesideData,
    demoOptions: demo,
  });
  await core.start();
  const dispatcher = createDispatcher(core.services, { isTrustedSender: isWebHostSender });
  const host = await startWebHost({ dispatcher, staticDir: DEFAULT_STATIC_DIR, events: core.events });
  return {
    url: host.url,
    core,
    sim: () => {
      const sim = core.demoServer();
      if (!sim) throw new Error('the demo server is not running');
      return sim;
    },
    stop: async () => {
      await host.close();
      await core.stop();
    },
  };
}

// ---- the browser -------------------------------------------------------------------------------------

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile (never a downloaded browser). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = tempDir('profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Problems the page reported: uncaught errors, console errors, CSP refusals. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // The host's Permissions-Policy names features this Chromium does not know; that is the host's header, not the page.
    if (message.type() === 'error' && !/Permissions-Policy/.test(text)) problems.push(`console: ${text}`);
    if (/Content Security Policy/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return problems;
}

/** The app's address bar path after client-side navigation settles. */
export async function go(page: Page, pathname: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState({}, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, pathname);
  await page.waitForFunction((p) => location.pathname === p.split('?')[0], pathname);
}

/** Calls a channel of the browser host from inside the page, with the page's per-tab session. */
export async function rpc<T = unknown>(page: Page, channel: string, input: unknown = {}): Promise<T> {
  const envelope = await page.evaluate(
    async ([c, i]) => {
      const session = sessionStorage.getItem('caseworker.session') ?? '';
      const response = await fetch(`/rpc/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Caseworker-Session': session }, body: JSON.stringify(i) });
      return response.json() as Promise<{ ok: boolean; data?: unknown; error?: { code: string; message: string } }>;
    },
    [channel, input] as const,
  );
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error?.code} ${envelope.error?.message}`);
  return envelope.data as T;
}

// ---- accessibility and screenshots ------------------------------------------------------------------------

const axeSource = () => fs.readFileSync(AXE_SOURCE, 'utf8');

/** axe-core's serious and critical violations on the page as it is now (evaluated, so the CSP allows it). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(`${axeSource()}\n;void 0`);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.impact} ${v.id} (${v.help}): ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      );
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// ---- the simulator from outside ---------------------------------------------------------------------------

/** A login of the simulated charity with its three header keys, as the simulator lists them. */
export type SimUserKeys = DemoUserLine;

/** The simulator's control endpoint (`…/_control`): what tests and trainers use behind the app's back. */
export class SimControl {
  constructor(readonly controlUrl: string) {}

  get apiUrl(): string {
    return this.controlUrl.replace(/\/_control\/?$/, '/v2');
  }

  private async send(method: 'GET' | 'POST', op: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.controlUrl}/${op}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`control ${op}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  status() {
    return this.send('GET', 'status') as Promise<{ counts: Record<string, number>; users: SimUserKeys[] }>;
  }

  setFaults(spec: string) {
    return this.send('POST', 'faults', { spec });
  }

  deleteRecord(group: string, id: number) {
    return this.send('POST', 'delete', { group, id });
  }

  uploads() {
    return this.send('GET', 'uploads') as Promise<{ uploads: Array<{ group: string; record: number; filename: string; bytes: number }> }>;
  }

  log() {
    return this.send('GET', 'log') as Promise<{ entries: Array<{ method: string; path: string; status: number }> }>;
  }

  /** GET an API path as `who` (a colleague, or the field worker) and parse the JSON array. */
  async get(who: SimUserKeys, apiPath: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${this.apiUrl}/${apiPath}`, { headers: { Source: who.source, Org: who.org, User: who.user } });
    if (!response.ok) throw new Error(`GET ${apiPath}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Array<Record<string, unknown>>>;
  }

  /** A write as `who` (the 2019 dialect: POST updates), as a colleague at the office would make it. */
  async write(who: SimUserKeys, method: 'PUT' | 'POST', apiPath: string, form: Record<string, string>): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}/${apiPath}`, {
      method,
      headers: { Source: who.source, Org: who.org, User: who.user, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

/** Follows a link of the main navigation (the Sync link may carry a "need attention" count) and waits for the page. */
export async function navigate(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: new RegExp(`^${name}( \\d+ need attention)?$`) })
    .click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** Presses "Sync now" and returns the sentence the app answered with (a new notice, not an old one). */
export async function syncNow(page: Page): Promise<string> {
  await navigate(page, 'Sync');
  const seen = await page.locator('[data-notice-id]').evaluateAll((els) => Math.max(0, ...els.map((e) => Number(e.getAttribute('data-notice-id')))));
  await page
    .getByTestId('sync-now')
    .click()
    .catch(async (e: unknown) => {
      await screenshot(page, 'debug-sync-now');
      throw e;
    });
  const handle = await page.waitForFunction(
    (after) => {
      const fresh = Array.from(document.querySelectorAll('[data-notice-id]')).filter((e) => Number(e.getAttribute('data-notice-id')) > after);
      return fresh.map((e) => e.textContent ?? '').find((t) => /Sync finished|Sync did not finish/.test(t)) ?? null;
    },
    seen,
    { timeout: 60_000 },
  );
  return String(await handle.jsonValue());
}
