// `caseworker web` as a person runs it: a real process on a fresh data folder prints one JSON line
// with its URL, serves the page to the holder of the token, answers the contract over HTTP with
// the demo running, refuses a real connection while its key sits next to the data, and stops
// cleanly on SIGTERM. A second run with CASEWORKER_DB_KEY drops the demo copy made with the file key.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererBuildReason } from '../../main/web/renderer-build.js';
import { DEMO_KEY_FILE } from '../../main/web/web-key.js';
import { rawRequest, tokenOf } from '../support/ipc-support.js';

const BIN = path.resolve('bin/caseworker.mjs');
let dir: string;
let staticDir: string;

interface Running {
  child: ChildProcess;
  url: string;
  port: number;
  stderr: () => string;
  exit: Promise<number | null>;
}

async function startWeb(env: Record<string, string | undefined> = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'web', '--data', path.join(dir, 'data'), '--port', '0', '--static', staticDir], {
    env: { ...process.env, CASEWORKER_DB_KEY: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`caseworker web exited (${code}) before printing its URL:\n${stderr}`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return { child, url, port: Number(new URL(url).port), stderr: () => stderr, exit };
}

async function rpc(port: number, channel: string, body: unknown, token?: string) {
  const reply = await rawRequest(port, {
    method: 'POST',
    path: `/rpc/${channel}`,
    headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: reply.status, envelope: JSON.parse(reply.body) as { ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } } };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-web-cli-'));
  staticDir = path.join(dir, 'static');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html lang="en-GB"><title>Caseworker</title><div id="app"></div></html>');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('caseworker web', () => {
  it('serves the demo to the holder of the token, and stops cleanly on SIGTERM', async () => {
    const web = await startWeb();
    try {
      expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
      expect(web.stderr()).toMatch(/demo key kept next to the data .*; use CASEWORKER_DB_KEY for real data/);
      const keyFile = path.join(dir, 'data', DEMO_KEY_FILE);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

      // The printed link trades its token for a per-tab session (in the fragment, never a cookie), then the page is served.
      const first = await rawRequest(web.port, { path: new URL(web.url).pathname + new URL(web.url).search, headers: { Host: `127.0.0.1:${web.port}` } });
      expect(first.status).toBe(303);
      expect(first.headers['set-cookie']).toBeUndefined();
      const session = /#session=(.+)$/.exec(String(first.headers.location))![1]!;
      const page = await rawRequest(web.port, { path: '/', headers: { Host: `127.0.0.1:${web.port}` } });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('<div id="app">');

      const token = tokenOf(web.url);
      const settings = await rpc(web.port, 'settings:get', {}, token);
      expect(settings.status).toBe(200);
      expect(settings.envelope).toMatchObject({ ok: true, data: { demo: true, connection: null } });
      expect((settings.envelope.data!.me as { name: string }).name.length).toBeGreaterThan(0);
      const withSession = await rawRequest(web.port, {
        method: 'POST',
        path: '/rpc/settings:get',
        body: '{}',
        headers: { Host: `127.0.0.1:${web.port}`, 'Content-Type': 'application/json', 'X-Caseworker-Session': session },
      });
      expect(JSON.parse(withSession.body)).toMatchObject({ ok: true, data: { demo: true } });

      const anonymous = await rpc(web.port, 'settings:get', {});
      expect(anonymous.status).toBe(401);
      expect(anonymous.envelope).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });

      // Real records never go into a replica whose key sits next to it.
      const connect = await rpc(
        web.port,
        'settings:set-connection',
        {
          connection: { baseUrl: 'https://api.dizions.co.uk/v2', source: 'source-key', org: 'org-key-123', user: 'user-key-456', dialect: '2019' },
        },
        token,
      );
      expect(connect.envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(connect.envelope.error!.message).toMatch(/CASEWORKER_DB_KEY/);
      expect((await rpc(web.port, 'settings:get', {}, token)).envelope.data).toMatchObject({ demo: true, connection: null });
    } finally {
      web.child.kill('SIGTERM');
    }
    expect(await web.exit).toBe(0);
    expect(web.stderr()).toMatch(/stopping/);
  });

  it('with CASEWORKER_DB_KEY, drops the demo copy made with the file key and starts a new one', async () => {
    const web = await startWeb({ CASEWORKER_DB_KEY: 'a long passphrase only this worker knows' });
    try {
      expect(web.stderr()).toMatch(/demo's local copy .* was removed/);
      expect(fs.existsSync(path.join(dir, 'data', DEMO_KEY_FILE))).toBe(false);
      const settings = await rpc(web.port, 'settings:get', {}, tokenOf(web.url));
      expect(settings.envelope).toMatchObject({ ok: true, data: { demo: true, encryption: { keySource: 'the CASEWORKER_DB_KEY environment variable' } } });
    } finally {
      web.child.kill('SIGTERM');
    }
    expect(await web.exit).toBe(0);
  });

  it('refuses a mistyped flag with the usage (exit 2), before opening anything', async () => {
    const child = spawn(process.execPath, [BIN, 'web', '--prot', '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/usage: caseworker web/);
  });
});

describe('the renderer build check', () => {
  it('asks for a build when the pages are missing or older than their sources', () => {
    const root = path.join(dir, 'checkout');
    const out = path.join(root, 'dist', 'renderer');
    fs.mkdirSync(path.join(root, 'renderer', 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, 'shared'), { recursive: true });
    fs.writeFileSync(path.join(root, 'vite.config.ts'), '');
    const source = path.join(root, 'renderer', 'src', 'main.ts');
    fs.writeFileSync(source, '');
    const past = new Date(Date.now() - 60_000);
    for (const file of [source, path.join(root, 'vite.config.ts'), path.join(root, 'renderer', 'src'), path.join(root, 'renderer'), path.join(root, 'shared')]) fs.utimesSync(file, past, past);
    expect(rendererBuildReason(root, out)).toMatch(/not built/);

    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html>');
    expect(rendererBuildReason(root, out)).toBeNull();

    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(source, later, later);
    expect(rendererBuildReason(root, out)).toMatch(/changed/);
  });
});
