// The reader and a replica that is replaced: a demo reset deletes the replica file and opens a new
// one under the core. The reader lets go of the old file first, reads asked meanwhile wait for the
// reset, and afterwards they answer from the new replica (not the deleted one).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startThreadedDemo, type ThreadedDemo } from '../support/threaded-demo.js';

let demo: ThreadedDemo;
let dir: string;
let call: ThreadedDemo['call'];

beforeAll(async () => {
  demo = await startThreadedDemo('replace', { key: 'd4'.repeat(32), clients: 60 });
  ({ dir, call } = demo);
});

afterAll(async () => {
  await demo?.stop();
});

it('answers every read channel from the reader, whose connection is query-only', async () => {
  const client = (await call('caseload:list', { offset: 0, limit: 1 })).rows[0]!;
  const detail = await call('clients:get', { id: client.client.id });
  expect(detail.client.id).toBe(client.client.id);
  if (client.referrals[0]) expect((await call('referrals:get', { id: client.referrals[0].id })).referral.id).toBe(client.referrals[0].id);
  const actions = await call('actions:list', {});
  const due = actions.actions[0]?.contact.id;
  expect(due).toBeDefined();
  expect((await call('contacts:get', { id: due! })).contact.id).toBe(due);
  expect((await call('caseload:query', { path: 'clients/field/id' })).rows.length).toBeGreaterThan(0);
  expect((await call('dictionaries:get', { table: 'referrals/project' })).entries.length).toBeGreaterThan(0);
  expect((await call('dictionaries:search', { table: 'referrals/project', term: 'a' })).entries).toBeDefined();
  expect((await call('dictionaries:workers', {})).workers.length).toBeGreaterThan(0);
  expect((await call('reports:run', { path: 'clients/dimension/gender' })).rows.length).toBeGreaterThan(0);
  expect((await call('reports:export', { path: 'clients/dimension/gender', format: 'xlsx' })).dataBase64?.length).toBeGreaterThan(0);
  expect((await call('reports:saved-list', {})).reports).toEqual([]);
  expect((await call('drafts:count', {})).count).toBe(0);
  expect((await call('drafts:get', { key: 'client-form:-1' })).draft).toBeNull();
  expect((await call('outbox:list', {})).entries).toEqual([]);
});

it('answers reads from the new replica after a demo reset, and reads asked during it wait for it', async () => {
  const before = await call('caseload:list', { offset: 0, limit: 5 });
  expect(before.total).toBeGreaterThan(0);
  const first = before.rows[0]!.client.id;
  await call('clients:update', { id: first, fields: { first_name: 'Practice' } });
  expect((await call('sync:status', {})).pending).toBe(1);
  const born = fs.statSync(path.join(dir, 'replica.db')).birthtimeMs;

  const reset = call('settings:demo-reset', {});
  const during = call('outbox:list', {});
  await reset;
  expect((await during).entries).toEqual([]); // asked during the reset, answered from the new replica
  expect(fs.statSync(path.join(dir, 'replica.db')).birthtimeMs).not.toBe(born); // a new file, not the old one emptied

  await call('sync:run', {});
  const after = await call('caseload:list', { offset: 0, limit: 5 });
  expect(after.total).toBe(before.total);
  expect((await call('clients:get', { id: first })).client.first_name).not.toBe('Practice');
  expect((await call('sync:status', {})).pending).toBe(0);
});
