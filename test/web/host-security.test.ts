// The browser host's locks, tried over real HTTP on every kind of route (page, app route, asset,
// RPC, event stream): RPC and events without the token or a session → 401 (a cookie is no
// credential); a foreign Origin, a cross-site fetch or a Host that is not our loopback address and
// port (DNS rebinding) → 403 everywhere; the token travels in the URL once and is exchanged for a
// per-tab session handed over in the fragment; every answer carries the security headers.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventHub } from '../../main/ipc/event-hub.js';
import { createDispatcher } from '../../main/ipc/register.js';
import { isWebHostSender, startWebHost, type WebHost } from '../../main/web/host.js';
import { appHeaders, countingServices, rawRequest, tokenOf, type RawReply } from '../support/ipc-support.js';

let host: WebHost;
let dir: string;
let token: string;
const counting = countingServices({ 'sync:cancel': async () => ({ cancelled: false }) });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-web-security-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Caseworker</title><script type="module" src="/assets/app.js"></script>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("app")');
  host = await startWebHost({
    dispatcher: createDispatcher(counting.services, { isTrustedSender: isWebHostSender }),
    staticDir: dir,
    events: createEventHub(),
  });
  token = tokenOf(host.url);
});

afterAll(async () => {
  await host.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface RouteKind {
  name: string;
  method: string;
  path: string;
  body?: string;
  /** Needs the token or a session (RPC and events); the page and assets are the public bundle. */
  guarded: boolean;
}

const ROUTES: RouteKind[] = [
  { name: 'the page', method: 'GET', path: '/', guarded: false },
  { name: 'an app route', method: 'GET', path: '/caseload/12', guarded: false },
  { name: 'an asset', method: 'GET', path: '/assets/app.js', guarded: false },
  { name: 'an RPC channel', method: 'POST', path: '/rpc/sync:cancel', body: '{}', guarded: true },
  { name: 'the event stream', method: 'GET', path: '/events', guarded: true },
];

/** Sends a route's request; for the event stream, only the status line and headers are awaited. */
function send(route: RouteKind, headers: Record<string, string>): Promise<RawReply> {
  if (route.path !== '/events') return rawRequest(host.port, { method: route.method, path: route.path, headers, body: route.body });
  return new Promise((resolve, reject) => {
    const socket = net.connect(host.port, '127.0.0.1', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
      socket.write(`GET /events HTTP/1.1\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n');
      const replyHeaders: Record<string, string> = {};
      for (const line of headerLines) replyHeaders[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      socket.destroy();
      resolve({ status: Number(statusLine!.split(' ')[1]), headers: replyHeaders, body: text.slice(end + 4) });
    });
    socket.on('error', reject);
  });
}

describe('the browser host refuses', () => {
  for (const route of ROUTES) {
    describe(route.name, () => {
      it("is served to the app's own page (control case)", async () => {
        expect((await send(route, appHeaders(host.port, token))).status).toBe(200);
      });

      if (route.guarded) {
        it('401 without the token, with a wrong one, or with the token in a cookie', async () => {
          const { Authorization: _auth, ...anonymous } = appHeaders(host.port, token);
          expect((await send(route, anonymous)).status).toBe(401);
          expect((await send(route, { ...anonymous, Cookie: `caseworker_token_${host.port}=${token}` })).status).toBe(401);
          expect((await send(route, { ...anonymous, Authorization: 'Bearer guess' })).status).toBe(401);
          expect((await send(route, { ...anonymous, 'X-Caseworker-Session': `abc.${'A'.repeat(43)}` })).status).toBe(401);
        });
      } else {
        it('is the public bundle: served without a credential, and sets no cookie', async () => {
          const { Authorization: _auth, ...anonymous } = appHeaders(host.port, token);
          const reply = await send(route, anonymous);
          expect(reply.status).toBe(200);
          expect(reply.headers['set-cookie']).toBeUndefined();
        });
      }

      it('403 from a foreign Origin, even with the token', async () => {
        for (const origin of ['https://evil.example', `http://127.0.0.1:${host.port + 1}`, 'null']) {
          expect((await send(route, appHeaders(host.port, token, { Origin: origin }))).status, origin).toBe(403);
        }
      });

      it('403 for a cross-site or same-site (another local port) fetch without an Origin', async () => {
        const { Origin: _origin, ...headers } = appHeaders(host.port, token);
        expect((await send(route, { ...headers, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
        expect((await send(route, { ...headers, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
      });

      it('403 when the Host is not 127.0.0.1 or localhost on our port (DNS rebinding)', async () => {
        for (const hostHeader of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, `192.168.0.10:${host.port}`, `127.0.0.1.nip.io:${host.port}`]) {
          expect((await send(route, appHeaders(host.port, token, { Host: hostHeader }))).status, hostHeader).toBe(403);
        }
        expect((await send(route, appHeaders(host.port, token, { Host: `localhost:${host.port}`, Origin: `http://localhost:${host.port}` }))).status).toBe(200);
      });
    });
  }

  it('never ran the RPC service for a refused request', () => {
    // One call per control case and one for localhost: the refusals above never reached it.
    expect(counting.calls.get('sync:cancel')).toHaveLength(2);
  });
});

describe('the token', () => {
  it('arrives once in the printed URL, is exchanged for a per-tab session in the fragment (no cookie), and leaves the address bar', async () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    const first = await rawRequest(host.port, { path: `/caseload?token=${token}&view=mine`, headers: { Host: `127.0.0.1:${host.port}` } });
    expect(first.status).toBe(303);
    expect(first.headers['set-cookie']).toBeUndefined();
    const location = /^\/caseload\?view=mine#session=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(String(first.headers.location));
    expect(location, String(first.headers.location)).not.toBeNull();
    const session = location![1]!;
    expect(session).not.toContain(token);
    const call = (headers: Record<string, string>, p = '/rpc/sync:cancel') =>
      rawRequest(host.port, { method: 'POST', path: p, headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json', ...headers }, body: '{}' });
    expect((await call({ 'X-Caseworker-Session': session })).status).toBe(200);
    // Each visit gets its own session; a session is not the token, and not accepted in an RPC URL.
    const second = await rawRequest(host.port, { path: `/?token=${token}`, headers: { Host: `127.0.0.1:${host.port}` } });
    expect(String(second.headers.location)).not.toContain(session);
    expect((await call({ Authorization: `Bearer ${session}` })).status).toBe(401);
    expect((await call({}, `/rpc/sync:cancel?session=${session}`)).status).toBe(401);
    const tampered = session.slice(0, -2) + (session.endsWith('AA') ? 'BB' : 'AA');
    expect((await call({ 'X-Caseworker-Session': tampered })).status).toBe(401);
  });

  it('in the URL but wrong: 401 with a sentence, no cookie', async () => {
    const reply = await rawRequest(host.port, { path: '/?token=stale', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(reply.status).toBe(401);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.body).toMatch(/address printed when Caseworker started/);
  });

  it('is not accepted in the URL of an RPC call (only the Authorization header)', async () => {
    const { Authorization: _a, ...headers } = appHeaders(host.port, token);
    const reply = await rawRequest(host.port, { method: 'POST', path: `/rpc/sync:cancel?token=${token}`, headers, body: '{}' });
    expect(reply.status).toBe(401);
  });

  it('is unique per run', async () => {
    const other = await startWebHost({ dispatcher: createDispatcher(countingServices().services, { isTrustedSender: isWebHostSender }), staticDir: dir });
    try {
      expect(tokenOf(other.url)).not.toBe(token);
      // Our token, presented to the other host, is refused there.
      const reply = await rawRequest(other.port, {
        method: 'POST',
        path: '/rpc/sync:cancel',
        body: '{}',
        headers: { Host: `127.0.0.1:${other.port}`, 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      });
      expect(reply.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('every answer', () => {
  it('carries a strict CSP and the other security headers, refusals included', async () => {
    const replies = [
      await rawRequest(host.port, { path: '/', headers: appHeaders(host.port, token) }),
      await rawRequest(host.port, { path: '/', headers: { Host: `127.0.0.1:${host.port}` } }),
      await rawRequest(host.port, { path: '/', headers: { Host: 'evil.example' } }),
      await rawRequest(host.port, { method: 'POST', path: '/rpc/sync:cancel', headers: appHeaders(host.port, token), body: '{}' }),
    ];
    for (const reply of replies) {
      const csp = reply.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});

describe('where it listens', () => {
  it("only on 127.0.0.1: this machine's other addresses get no answer", async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    const attempts = [external?.address, '::1'].filter((a): a is string => !!a);
    for (const address of attempts) {
      const connected = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: address, port: host.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(connected, address).toBe(false);
    }
  });
});
