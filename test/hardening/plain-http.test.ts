// Plain http:// carries the API keys and casework in clear: refused everywhere except to this
// machine (the simulator, the demo) — the API client, the CLI's --server and CASEWORKER_SERVER,
// and the IPC settings channels — with one message, and nothing ever reaches the other machine.
import net from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { PLAIN_HTTP_REFUSED } from '../../shared/server-address.js';
import { runCaseworker } from '../support/cli-process.js';
import { dispatchFailure } from '../support/dispatch-calls.js';

const KEYS = { source: 'source-key', org: 'org-key', user: 'user-key' };

/** This machine's address on its network (not loopback): what "another machine" looks like from here. */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

let listener: net.Server;
let listenerPort = 0;
let connections = 0;
let remote: string;

beforeAll(async () => {
  // A listener that counts every connection: the keys must never reach it.
  listener = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, external ?? '0.0.0.0', () => resolve()));
  listenerPort = (listener.address() as net.AddressInfo).port;
  remote = `http://${external ?? '192.0.2.10'}:${listenerPort}/v2`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('plain http to another machine', () => {
  it('is refused by the API client itself, with the one message', () => {
    for (const address of [remote, 'http://api.dizions.co.uk/v2', 'HTTP://10.0.0.4/v2', 'http://127.0.0.1.nip.io/v2', 'http://[::2]/v2']) {
      expect(() => createDizionsClient({ baseUrl: address, ...KEYS }), address).toThrow(PLAIN_HTTP_REFUSED);
    }
  });

  it('is allowed to this machine and https anywhere (control case)', async () => {
    for (const address of ['http://127.0.0.1:1/v2', 'http://localhost:1/v2', 'http://[::1]:1/v2', 'http://127.4.5.6:1/v2', 'https://api.dizions.co.uk/v2']) {
      const client = createDizionsClient({ baseUrl: address, ...KEYS });
      await client.close();
    }
  });

  it('is refused by the CLI (--server and CASEWORKER_SERVER), exit 1, before any connection', async () => {
    const before = connections;
    const byFlag = await runCaseworker(['api', 'GET', 'clients', '--server', remote, '--source', 's', '--org', 'o', '--user', 'u']);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stderr).toContain(PLAIN_HTTP_REFUSED);
    expect(byFlag.stderr).not.toMatch(/at .*\.ts:\d+/); // a sentence, not a stack trace

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-plain-http-'));
    try {
      const byEnv = await runCaseworker(['sync', '--db', path.join(dir, 'r.db'), '--me', '1'], {
        CASEWORKER_SERVER: remote,
        CASEWORKER_SOURCE: 's',
        CASEWORKER_ORG: 'o',
        CASEWORKER_USER: 'u',
      });
      expect(byEnv.code).toBe(1);
      expect(byEnv.stderr).toContain(PLAIN_HTTP_REFUSED);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(connections - before).toBe(0);
  });

  describe('through IPC', () => {
    let dir: string;
    let core: AppCore;
    let dispatcher: Dispatcher;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-plain-http-ipc-'));
      core = await createAppCore({ dataDir: dir, keyProvider: new StaticKeyProvider('b4'.repeat(32)) });
      await core.start();
      dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
    });

    afterAll(async () => {
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('settings:set-connection and settings:test-connection refuse it with the same message', async () => {
      const before = connections;
      const connection = { baseUrl: remote, ...KEYS, dialect: '2019' as const };
      for (const channel of ['settings:set-connection', 'settings:test-connection'] as const) {
        const error = await dispatchFailure(dispatcher, channel, { connection });
        expect(error.code, channel).toBe('VALIDATION');
        expect(error.message, channel).toContain(PLAIN_HTTP_REFUSED);
      }
      expect(connections - before).toBe(0);
      expect(await dispatcher.dispatch('settings:get', {}, 'test')).toMatchObject({ ok: true, data: { connection: null } });
    });

    it('a connection saved by an older version to plain http elsewhere is not used', async () => {
      const before = connections;
      core
        .replica()
        .sqlite.prepare('INSERT INTO app_credentials (name, value, updated_at) VALUES (?, ?, ?)')
        .run('connection', JSON.stringify({ baseUrl: remote, ...KEYS, dialect: '2019' }), new Date().toISOString());
      const error = await dispatchFailure(dispatcher, 'settings:test-connection', {});
      expect(error.code).toBe('VALIDATION');
      expect(error.message.toLowerCase()).toContain(PLAIN_HTTP_REFUSED.toLowerCase());
      expect(connections - before).toBe(0);
    });
  });
});
