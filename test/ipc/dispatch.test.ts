// How one call travels through the dispatcher: sender checked, input parsed, service run, output
// validated and stripped, failures turned into the envelope's closed set of codes — with personal
// data and huge inputs never echoed back, and unexpected faults only in the support log.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DizionsError } from '../../main/api/errors.js';
import { upsertDictionary, upsertRecords } from '../../main/db/records.js';
import { createDispatcher } from '../../main/ipc/register.js';
import { createReplicaServices } from '../../main/app/replica-services.js';
import { createReportServices } from '../../main/app/reports.js';
import { ServiceError } from '../../main/ipc/service-error.js';
import type { Services } from '../../main/ipc/services.js';
import { SupportLog } from '../../main/support-log.js';
import { IpcError, unwrap, type Result } from '../../shared/ipc/envelope.js';
import { GrammarError } from '../../shared/url-grammar.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';
import { countingServices, trustEveryone } from '../support/ipc-support.js';

const SETTINGS = {
  connection: { baseUrl: 'https://api.dizions.co.uk/v2', dialect: '2019', keys: { source: '••••a1b2', org: '••••c3d4', user: '••••e5f6' } },
  me: { user: 7, worker: 12, name: 'Demo Worker' },
  scope: ['referrals/project/3'],
  syncIntervalMinutes: 15,
  encryption: { replicaEncrypted: true, keySource: 'a fixed test key', credentialsProtected: true },
  demo: false,
  connectionCheck: null,
} as const;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function supportLog(): { log: SupportLog; text: () => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-dispatch-log-'));
  dirs.push(dir);
  const log = new SupportLog({ dir });
  return { log, text: () => (fs.existsSync(log.file) ? fs.readFileSync(log.file, 'utf8') : '') };
}

function dispatcherWith(real: Partial<Services>, options: { trusted?: (s: unknown) => boolean; log?: SupportLog } = {}) {
  const counting = countingServices(real);
  const dispatcher = createDispatcher(counting.services, { isTrustedSender: options.trusted ?? trustEveryone, log: options.log?.writer });
  return { ...counting, dispatch: (channel: string, input: unknown) => dispatcher.dispatch(channel, input, 'sender') };
}

function errorOf(result: Result<unknown>) {
  if (result.ok) throw new Error(`expected an error envelope, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('a call through the dispatcher', () => {
  it('hands the service the parsed input and returns only the fields the contract names', async () => {
    const { dispatch, calls } = dispatcherWith({
      'settings:get': async () => ({ ...SETTINGS, sourceKeyForDebugging: 'Zz9-real-source-key' }) as never,
    });
    const result = await dispatch('settings:get', {});
    expect(result).toEqual({ ok: true, data: SETTINGS });
    expect(JSON.stringify(result)).not.toContain('Zz9-real-source-key');
    expect(calls.get('settings:get')).toEqual([{}]);
  });

  it('refuses a sender that is not the app, without running the service', async () => {
    const { dispatch, total } = dispatcherWith({}, { trusted: () => false });
    expect(errorOf(await dispatch('settings:get', {})).code).toBe('UNAUTHORIZED');
    const throwing = dispatcherWith(
      {},
      {
        trusted: () => {
          throw new Error('frame destroyed');
        },
      },
    );
    expect(errorOf(await throwing.dispatch('settings:get', {})).code).toBe('UNAUTHORIZED');
    expect(total() + throwing.total()).toBe(0);
  });

  it('answers a bad input with VALIDATION naming each field, and never runs the service', async () => {
    const { dispatch, total } = dispatcherWith({});
    const error = errorOf(await dispatch('clients:create', { first_name: '   ', surname: 42, dob: '2024-02-30' }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^The clients:create request was not valid: /);
    const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'first_name', message: 'must not be blank' },
        { path: 'surname', message: 'expected a name' },
        { path: 'dob', message: 'expected a date like 2024-03-31' },
      ]),
    );
    expect(new IpcError(error.code, error.message, error.details).issues).toEqual(issues);
    expect(total()).toBe(0);
  });

  it('does not echo a huge input back', async () => {
    const { dispatch } = dispatcherWith({});
    const hugeKey = 'k'.repeat(100_000);
    const error = errorOf(await dispatch('clients:get', { id: 1, [hugeKey]: 'x'.repeat(1_000_000) }));
    expect(error.code).toBe('VALIDATION');
    expect(JSON.stringify(error).length).toBeLessThan(1_000);
    const deep = errorOf(await dispatch('clients:get', JSON.parse(`${'['.repeat(5_000)}${']'.repeat(5_000)}`)));
    expect(deep).toMatchObject({ code: 'VALIDATION', details: { issues: [{ message: 'the input is nested more than 24 levels deep' }] } });
  });

  it("keeps a ServiceError's code, message and details", async () => {
    const { dispatch } = dispatcherWith({
      'outbox:resolve': async () => {
        throw new ServiceError('CONFLICT', 'Theirs changed again: review the fields.', { fields: ['stage'] });
      },
    });
    expect(errorOf(await dispatch('outbox:resolve', { id: 4, choices: [{ field: 'stage', keep: 'mine' }] }))).toEqual({
      code: 'CONFLICT',
      message: 'Theirs changed again: review the fields.',
      details: { fields: ['stage'] },
    });
  });

  it("maps the Dizions client's failures: unreachable → OFFLINE, refused keys → UNAUTHORIZED, refused request → REJECTED", async () => {
    const label = { method: 'GET', path: 'workers' };
    const failures: Array<[DizionsError, string]> = [
      [new DizionsError({ ...label, kind: 'retryable', status: 0, phase: 'connect', message: 'cannot reach the server (ECONNREFUSED)' }), 'OFFLINE'],
      [new DizionsError({ ...label, kind: 'unauthorised', status: 401, phase: 'reply', message: 'the server refused the keys (401)' }), 'UNAUTHORIZED'],
      [
        new DizionsError({ ...label, kind: 'rejected', status: 400, phase: 'reply', message: 'the server rejected the request (400): stage is required', serverMessage: 'stage is required' }),
        'REJECTED',
      ],
    ];
    for (const [failure, code] of failures) {
      const { dispatch } = dispatcherWith({
        'settings:test-connection': async () => {
          throw failure;
        },
      });
      const error = errorOf(await dispatch('settings:test-connection', {}));
      expect(error.code).toBe(code);
      expect(error.message).toBe(failure.message);
    }
  });

  it('treats a grammar mistake found by a service as VALIDATION', async () => {
    const { dispatch } = dispatcherWith({
      'reports:run': async () => {
        throw new GrammarError('unknown dimension "shoe_size"');
      },
    });
    expect(errorOf(await dispatch('reports:run', { path: 'clients/dimension/district' }))).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('shoe_size') });
  });

  it('hides an unexpected fault behind a reference; the support log has where, not what the record said', async () => {
    const { log, text } = supportLog();
    const { dispatch } = dispatcherWith(
      {
        'clients:get': async () => {
          throw new TypeError('Jo Bloggs, NHS 943 476 5919, 12 Acacia Avenue broke the view');
        },
      },
      { log },
    );
    const error = errorOf(await dispatch('clients:get', { id: 5 }));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/unexpected problem \(reference [0-9a-f]{8}\)/);
    expect(JSON.stringify(error)).not.toMatch(/Bloggs|943|Acacia/);
    const reference = error.message.match(/reference ([0-9a-f]{8})/)![1]!;
    const line = JSON.parse(text().trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ event: 'ipc.internal_error', channel: 'clients:get', reference, error: 'TypeError' });
    expect(line.at[0]).toMatch(/ipc\/dispatch\.test\.ts:\d+:\d+$/);
    expect(text()).not.toMatch(/Bloggs|943|Acacia/);
  });

  it('refuses an output that breaks the contract (INTERNAL), logging the paths, not the values', async () => {
    const { log, text } = supportLog();
    const { dispatch } = dispatcherWith(
      {
        // An unmasked key must never reach the renderer: the output schema only admits masked ones.
        'settings:get': async () => ({ ...SETTINGS, connection: { ...SETTINGS.connection, keys: { ...SETTINGS.connection.keys, user: 'Zz9-real-user-key' } } }) as never,
      },
      { log },
    );
    const error = errorOf(await dispatch('settings:get', {}));
    expect(error.code).toBe('INTERNAL');
    expect(JSON.stringify(error)).not.toContain('Zz9');
    expect(text()).toContain('"event":"ipc.output_invalid"');
    expect(text()).toContain('connection.keys.user');
    expect(text()).not.toContain('Zz9');
  });

  it('answers an unknown channel with NOT_FOUND', async () => {
    const { dispatch } = dispatcherWith({});
    expect(errorOf(await dispatch('clients:drop-table', {})).code).toBe('NOT_FOUND');
    expect(errorOf(await dispatch('__proto__', {})).code).toBe('NOT_FOUND');
  });

  it('unwrap() gives the data of a success and throws the typed IpcError of a failure', () => {
    expect(unwrap({ ok: true, data: { id: 3 } })).toEqual({ id: 3 });
    expect(() => unwrap({ ok: false, error: { code: 'OFFLINE', message: 'cannot reach the server' } })).toThrow(IpcError);
    try {
      unwrap({ ok: false, error: { code: 'OFFLINE', message: 'cannot reach the server' } });
    } catch (error) {
      expect(error).toMatchObject({ code: 'OFFLINE', message: 'cannot reach the server' });
    }
    expect(() => unwrap('<html>')).toThrow('could not read');
  });
});

describe('the channels the replica answers today', () => {
  it('reads dictionaries, workers, raw paths and reports from a real encrypted replica', async () => {
    const replica = freshReplica();
    try {
      upsertDictionary(replica, 'organisations/district', [
        { id: 3, name: 'North' },
        { id: 4, name: 'South Riverside' },
      ]);
      upsertRecords(replica, 'clients', [clientRecord(1, { district: 3 }), clientRecord(2, { district: 4 }), clientRecord(3, { district: 4 })]);
      upsertRecords(replica, 'workers', [{ id: 12, first_name: 'Dee', surname: 'Mo', user: 7, active: 'Y', updated: '2024-01-01 09:00:00' }]);
      const { dispatch } = dispatcherWith({ ...createReplicaServices(replica), ...createReportServices(() => replica) });

      expect(unwrap(await dispatch('dictionaries:get', { table: 'organisations/district' }))).toEqual({
        entries: [
          { id: 3, name: 'North' },
          { id: 4, name: 'South Riverside' },
        ],
      });
      expect(unwrap(await dispatch('dictionaries:search', { table: 'organisations/district', term: 'river' }))).toEqual({ entries: [{ id: 4, name: 'South Riverside' }] });
      expect(errorOf(await dispatch('dictionaries:get', { table: 'organisations/shoe_size' })).code).toBe('NOT_FOUND');
      expect(unwrap(await dispatch('dictionaries:workers', { active: true }))).toMatchObject({ workers: [{ id: 12, first_name: 'Dee', user: 7 }] });

      const query = unwrap(await dispatch('caseload:query', { path: 'clients/district/4/field/id;surname' })) as { rows: unknown[] };
      expect(query.rows).toEqual([
        { id: 2, surname: 'Surname2' },
        { id: 3, surname: 'Surname3' },
      ]);
      expect(errorOf(await dispatch('caseload:query', { path: 'clients/district/4/../../etc' })).code).toBe('VALIDATION');

      expect(unwrap(await dispatch('reports:run', { path: 'clients/dimension/district' }))).toMatchObject({
        dimension: 'district',
        metric: null,
        rows: [
          { district: 3, count: 1 },
          { district: 4, count: 2 },
        ],
        sums: null,
        names: { district: { 3: 'North', 4: 'South Riverside' } },
      });
    } finally {
      replica.close();
    }
  });
});
