// What the browser host serves once the caller is the app's own page: the built renderer (with the
// single-page app's routes falling back to index.html, but never for API or asset paths), RPC
// calls round-tripped through the dispatcher to real services on a real encrypted replica, and push
// events over SSE.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDictionary } from '../../main/db/records.js';
import type { Replica } from '../../main/db/open.js';
import { createEventHub, type EventHub } from '../../main/ipc/event-hub.js';
import { createDispatcher } from '../../main/ipc/register.js';
import { createReplicaServices } from '../../main/app/replica-services.js';
import { isWebHostSender, startWebHost, WebHostError, type WebHost } from '../../main/web/host.js';
import { INITIAL_SYNC_STATUS } from '../../shared/sync-status.js';
import { freshReplica } from '../support/db-fixtures.js';
import { appHeaders, countingServices, rawRequest, tokenOf } from '../support/ipc-support.js';

let host: WebHost;
let dir: string;
let token: string;
let replica: Replica;
let hub: EventHub;
const INDEX = '<!doctype html><title>Caseworker</title>';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-web-routes-'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app-3f2a.js'), 'export {}');
  fs.writeFileSync(path.join(dir, 'assets', 'app-3f2a.css'), 'main{}');
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1');
  replica = freshReplica();
  upsertDictionary(replica, 'referrals/project', [
    { id: 5, name: 'Befriending' },
    { id: 6, name: 'Hospital discharge' },
  ]);
  hub = createEventHub();
  hub.emit('sync:status', { ...INITIAL_SYNC_STATUS, connected: true, pending: 3 });
  host = await startWebHost({
    dispatcher: createDispatcher(countingServices(createReplicaServices(replica)).services, { isTrustedSender: isWebHostSender }),
    staticDir: dir,
    events: hub,
    maxBodyBytes: 64 * 1024,
  });
  token = tokenOf(host.url);
});

afterAll(async () => {
  await host.close();
  replica.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (p: string) => rawRequest(host.port, { path: p, headers: appHeaders(host.port, token) });
const rpc = (channel: string, body: string, headers: Record<string, string> = {}) =>
  rawRequest(host.port, { method: 'POST', path: `/rpc/${channel}`, headers: appHeaders(host.port, token, headers), body });

describe('the built renderer', () => {
  it("serves the page, its assets with their types, and the app's own routes as the page", async () => {
    for (const p of ['/', '/caseload', '/clients/12', '/actions?day=today']) {
      const reply = await get(p);
      expect(reply.status, p).toBe(200);
      expect(reply.body, p).toBe(INDEX);
      expect(reply.headers['content-type'], p).toBe('text/html; charset=utf-8');
      expect(reply.headers['cache-control'], p).toBe('no-store');
    }
    expect(await get('/assets/app-3f2a.js')).toMatchObject({ status: 200, body: 'export {}', headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect((await get('/assets/app-3f2a.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 404, not the page, for missing assets, API paths, dotfiles and escapes from the folder', async () => {
    for (const p of ['/assets/missing.js', '/assets/new-page', '/favicon.ico', '/api/clients', '/rpc', '/.env', '/%2e%2e/package.json', '/..%2f..%2fetc/passwd', '/a%00b']) {
      const reply = await get(p);
      expect(reply.status, p).toBe(404);
      expect(reply.body, p).not.toContain('<title>');
    }
  });

  it('says how to build the app when the renderer is missing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-web-empty-'));
    const bare = await startWebHost({ dispatcher: createDispatcher(countingServices().services, { isTrustedSender: isWebHostSender }), staticDir: empty });
    try {
      const reply = await rawRequest(bare.port, { path: '/', headers: appHeaders(bare.port, tokenOf(bare.url)) });
      expect(reply.status).toBe(503);
      expect(reply.body).toMatch(/not built yet: run `npm run build/);
    } finally {
      await bare.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('RPC over HTTP', () => {
  it('round-trips a call to a real service on the encrypted replica', async () => {
    const reply = await rpc('dictionaries:search', JSON.stringify({ table: 'referrals/project', term: 'HOSPITAL' }));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body)).toEqual({ ok: true, data: { entries: [{ id: 6, name: 'Hospital discharge' }] } });
  });

  it('answers a bad input with the VALIDATION envelope', async () => {
    const reply = await rpc('dictionaries:get', JSON.stringify({ table: 'referrals/project', extra: 1 }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { issues: [{ path: '', message: 'unknown field: "extra"' }] } } });
  });

  it('refuses what is not a JSON call: wrong method 405, wrong type 415, broken JSON 400, too large 413, unknown channel 404', async () => {
    const wrongMethod = await get('/rpc/dictionaries:get');
    expect(wrongMethod.status).toBe(405);
    expect((await rpc('dictionaries:get', 'table=referrals/project', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const broken = await rpc('dictionaries:get', '{"table": ');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'The request body is not valid JSON.' } });
    const large = await rpc('dictionaries:get', JSON.stringify({ table: 'x'.repeat(100 * 1024) }));
    expect(large.status).toBe(413);
    for (const unknown of ['/rpc/dictionaries:drop', '/rpc/__proto__', '/rpc/constructor', '/rpc/dictionaries%3Aget/extra']) {
      const reply = await rawRequest(host.port, { method: 'POST', path: unknown, headers: appHeaders(host.port, token), body: '{}' });
      expect(reply.status, unknown).toBe(404);
      expect(JSON.parse(reply.body), unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });
});

describe('push events over SSE', () => {
  it('sends the latest sync status on connect, then each event as it happens — and nothing invalid', async () => {
    const received: Array<{ event: string; data: unknown }> = [];
    let buffer = '';
    const req = http.request({ host: '127.0.0.1', port: host.port, path: '/events', headers: appHeaders(host.port, token), agent: false });
    const done = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = block.match(/^event: (.+)$/m)?.[1];
            const data = block.match(/^data: (.+)$/m)?.[1];
            if (event && data) received.push({ event, data: JSON.parse(data) });
            if (event === 'sync:status' && received.length === 1) {
              // Connected and current: now things happen.
              hub.emit('outbox:changed', { pending: -1 } as never); // invalid: never sent
              hub.emit('data:changed', { tables: ['contacts', 'outbox'] });
            }
            if (event === 'data:changed') resolve();
          }
        });
      });
      req.on('error', reject);
    });
    req.end();
    await done;
    req.destroy();
    expect(received).toEqual([
      { event: 'sync:status', data: { ...INITIAL_SYNC_STATUS, connected: true, pending: 3 } },
      { event: 'data:changed', data: { tables: ['contacts', 'outbox'] } },
    ]);
  });
});

describe('starting', () => {
  it('on a port already taken fails with a sentence naming the port', async () => {
    await expect(startWebHost({ dispatcher: createDispatcher(countingServices().services, { isTrustedSender: isWebHostSender }), staticDir: dir, port: host.port })).rejects.toThrow(
      new WebHostError(`port ${host.port} is already in use: choose another with --port`),
    );
  });
});
