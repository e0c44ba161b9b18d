// The smaller findings of the hostile test, each reproduced: `queue … __proto__=1` is refused like
// any unknown field (not dropped); a refusal the app shows names no CLI flag ("leave out --sums");
// a server reply that is not a report is a typed, rejected reply (not INTERNAL).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { DizionsError } from '../../main/api/errors.js';
import { createReportServices } from '../../main/app/reports.js';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { compareWithServer } from '../../main/reports/compare-server.js';
import { runCaseworker } from '../support/cli-process.js';
import { TEST_KEY, freshReplica, tempDir } from '../support/db-fixtures.js';
import { dispatchFailure } from '../support/dispatch-calls.js';
import { countingServices } from '../support/ipc-support.js';

const CLI_WORDS = /(^|\s|\()--[a-z]|caseworker [a-z]+ /;

describe('queue with __proto__=1', () => {
  it('is refused, naming the field, and nothing is queued', async () => {
    const dir = tempDir('caseworker-proto-');
    const db = path.join(dir, 'replica.db');
    openReplicaWithKey({ file: db, key: TEST_KEY }).close();
    for (const hostile of ['__proto__=1', 'constructor=1', '__proto__=']) {
      const refused = await runCaseworker(['queue', '--db', db, '--dialect', '2019', 'PUT', 'clients', 'first_name=Ann', 'surname=Lee', hostile]);
      expect(refused.code, hostile).toBe(1);
      expect(refused.stderr, hostile).toContain(`${hostile.split('=')[0]}: is not`);
    }
    const list = await runCaseworker(['outbox', '--db', db, 'list', '--json']);
    expect((JSON.parse(list.stdout) as { entries: unknown[] }).entries).toEqual([]);
  });
});

describe('report refusals through IPC', () => {
  let replica: Replica;
  let server: http.Server;
  let dispatcher: Dispatcher;
  let baseUrl: string;

  beforeAll(async () => {
    replica = freshReplica();
    // A "server" whose reply to a report path is JSON, but not a report.
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'maintenance page', rows: 'none' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
    const client = () => createDizionsClient({ baseUrl, source: 's', org: 'o', user: 'u' });
    const services = countingServices(createReportServices(() => replica, { client })).services;
    dispatcher = createDispatcher(services, { isTrustedSender: () => true });
  });

  afterAll(async () => {
    replica.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sums of a report without them: a VALIDATION sentence with no CLI words (the CLI still says --sums)', async () => {
    const error = await dispatchFailure(dispatcher, 'reports:run', { path: 'clients/dimension/district', sums: true });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/only due and done contacts carry/);
    expect(error.message).not.toMatch(CLI_WORDS);
    expect(JSON.stringify(error.details)).not.toMatch(CLI_WORDS);
  });

  it('a server reply that is not a report: compareWithServer throws a DizionsError; the app sees REJECTED with a sentence', async () => {
    const client = createDizionsClient({ baseUrl, source: 's', org: 'o', user: 'u' });
    try {
      const thrown = await compareWithServer(replica, client, 'clients/dimension/district').catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(DizionsError);
      expect((thrown as DizionsError).kind).toBe('rejected');
    } finally {
      await client.close();
    }
    const error = await dispatchFailure(dispatcher, 'reports:compare', { path: 'clients/dimension/district' });
    expect(error.code).toBe('REJECTED');
    expect(error.message).toMatch(/is not a report/);
  });
});
