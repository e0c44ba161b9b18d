// Replies read tolerantly (shared/dizions/replies.ts): every shape a real server may use for a
// create or update reply, timestamps in other forms, relationship entries in either dialect's words —
// first as values, then over HTTP against the simulator's --reply-style and --timestamp-format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseTimestamps, readCreateReply, readRelationship, readServerTimestamp, readUpdateReply, readWriteReply } from '../../shared/dizions/replies.js';
import { parseRecords } from '../../shared/dizions/schemas.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { REPLY_STYLES } from '../../main/sim/reply-variants.js';
import { DizionsError } from '../../main/api/errors.js';
import { pushOutbox } from '../../main/outbox/replay.js';
import { queueEdit } from '../../main/outbox/queue.js';
import { freshReplica } from '../support/db-fixtures.js';
import { FAST } from '../support/outbox-support.js';
import { clientAs, replicaIds, syncAs } from '../support/sync-support.js';

describe('create and update replies', () => {
  it('a create gives its id in any of the five shapes', () => {
    for (const reply of [{ id: 17 }, 17, '17', { id: '17' }, [{ id: 17 }]]) expect(readCreateReply(reply)).toBe(17);
    expect([{ id: 17 }, 17, '17', { id: '17' }, [{ id: 17 }], null, { ok: true }].map((r) => readWriteReply(r).style)).toEqual([
      'id-object',
      'bare-number',
      'bare-string',
      'id-string-object',
      'array',
      'empty',
      'other',
    ]);
  });

  it('a create reply that is really wrong fails naming the request and the field', () => {
    expect(() => readCreateReply({ id: 0 }, 'PUT clients')).toThrow(/^PUT clients \.id: expected the new record's id .* got 0$/);
    expect(() => readCreateReply({ id: 'abc' }, 'PUT clients')).toThrow(/PUT clients \.id: .*got "abc"/);
    expect(() => readCreateReply(null, 'PUT clients')).toThrow(/PUT clients: .*got nothing/);
    expect(() => readCreateReply([{ id: 1 }, { id: 2 }], 'PUT clients')).toThrow(/got \[\{"id":1\},\{"id":2\}\]/);
    expect(() => readCreateReply(-4)).toThrow(/got -4/);
  });

  it('an update accepts any 2xx body, empty included', () => {
    expect([undefined, null, '', 'OK', { success: true }, { id: 9 }, 9].map(readUpdateReply)).toEqual([undefined, undefined, undefined, undefined, undefined, 9, 9]);
  });
});

describe('timestamps', () => {
  it('reads a T, missing seconds, a fraction and a zone; zero dates are no value', () => {
    expect(readServerTimestamp('2024-03-01 09:05:07')).toBe('2024-03-01 09:05:07');
    expect(readServerTimestamp('2024-03-01T09:05:07')).toBe('2024-03-01 09:05:07');
    expect(readServerTimestamp('2024-03-01 09:05')).toBe('2024-03-01 09:05:00');
    expect(readServerTimestamp('2024-03-01T09:05')).toBe('2024-03-01 09:05:00');
    expect(readServerTimestamp('2024-03-01T09:05:07.250')).toBe('2024-03-01 09:05:07');
    expect(readServerTimestamp('2024-07-01T09:05:07Z')).toBe('2024-07-01 10:05:07'); // UK summer time
    expect(readServerTimestamp('0000-00-00 00:00:00')).toBeNull();
    expect(readServerTimestamp('')).toBeNull();
    expect(readServerTimestamp('next Tuesday')).toBeUndefined();
  });

  it('records parse with timestamps in any tolerated form; a wrong value still names group, index and field', () => {
    const [a, b, c] = parseRecords('due_contacts', [
      { id: 1, start_date: '2024-03-01T09:00:00', end_date: '2024-03-01 10:00', updated: '0000-00-00 00:00:00' },
      { id: 2, start_date: '2024-03-01 09:00:00', updated: '2024-03-02 08:00:00' },
      { id: 3, start_date: null, future_field: 'kept' },
    ]);
    expect(a).toMatchObject({ start_date: '2024-03-01 09:00:00', end_date: '2024-03-01 10:00:00', updated: null });
    expect(b).toMatchObject({ start_date: '2024-03-01 09:00:00' });
    expect(c).toMatchObject({ future_field: 'kept' });
    expect(() => parseRecords('due_contacts', [{ id: 1 }, { id: 2, updated: 'yesterday' }])).toThrow(/^due_contacts\[1\]\.updated: expected a timestamp/);
  });

  it('normalises a downloaded record in place, leaving text it cannot read as it came', () => {
    const record: Record<string, unknown> = { id: 1, start_date: '2024-03-01T09:00', end_date: 'soon', updated: '2024-03-02 08:00:00' };
    normaliseTimestamps(record);
    expect(record).toEqual({ id: 1, start_date: '2024-03-01 09:00:00', end_date: 'soon', updated: '2024-03-02 08:00:00' });
  });
});

describe('relationship_details', () => {
  it("keeps any object shape raw and reads names in either dialect's words", () => {
    const [record] = parseRecords('clients', [
      {
        id: 5,
        relationship_details: [
          { id_second: 7, relationship_first_to_second: 3, relationship_second_to_first: 4 },
          { id_second: '8', relation_first_to_second: 'Parent', relation_second_to_first: 'Child', carer_relation_first_to_second: 2, major: 'Y' },
          { something: 'else' },
        ],
      },
    ]);
    const details = record!.relationship_details as unknown[];
    expect(details).toHaveLength(3);
    expect(details[2]).toEqual({ something: 'else' });
    expect(details.map(readRelationship)).toEqual([
      { id_second: 7, relationship_first_to_second: 3, relationship_second_to_first: 4, relationship_first_to_second_carer: undefined, relationship_second_to_first_carer: undefined },
      { id_second: 8, relationship_first_to_second: 'Parent', relationship_second_to_first: 'Child', relationship_first_to_second_carer: 2, relationship_second_to_first_carer: undefined },
      {
        id_second: undefined,
        relationship_first_to_second: undefined,
        relationship_second_to_first: undefined,
        relationship_first_to_second_carer: undefined,
        relationship_second_to_first_carer: undefined,
      },
    ]);
    expect(() => parseRecords('clients', [{ id: 5, relationship_details: 'none' }])).toThrow(/^clients\[0\]\.relationship_details: expected a list of relationships/);
  });
});

// ---- over HTTP ------------------------------------------------------------------------------------

describe.each(REPLY_STYLES.filter((s) => s !== 'none'))('the simulator answering writes with --reply-style %s', (style) => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 20, seed: 41, replyStyle: style });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("the client reads the create's id and takes the update's reply as success", async () => {
    const client = clientAs(sim, sim.users[0]!);
    try {
      const { id } = await client.createClient({ first_name: 'Reply', surname: `Style ${style}` });
      expect(sim.store.db.prepare('SELECT surname FROM clients WHERE id = ?').pluck().get(id)).toBe(`Style ${style}`);
      expect(await client.updateClient(id, { telephone: '01632 960001' })).toEqual({ id });
      expect(sim.store.db.prepare('SELECT telephone FROM clients WHERE id = ?').pluck().get(id)).toBe('01632 960001');
    } finally {
      await client.close();
    }
  });

  it('replay lands the temp id of a queued create and confirms its update, each sent once', async () => {
    const replica = freshReplica();
    const client = clientAs(sim, sim.users[0]!);
    try {
      const created = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Queued', surname: `Reply ${style}` } }, { dialect: '2019' });
      queueEdit(replica, { method: 'POST', path: `clients/id/${created.temp_id}`, fields: { telephone: '01632 960002' } }, { dialect: '2019' });
      const before = sim.requestLog.length;
      expect(await pushOutbox(replica, client, { timings: FAST })).toMatchObject({ confirmed: 2, failed: 0, in_doubt: 0 });
      const writes = sim.requestLog.slice(before).filter((e) => e.method !== 'GET');
      expect(writes.map((e) => `${e.method} ${e.status}`)).toEqual(['PUT 200', 'POST 200']);
      const server = sim.store.db.prepare(`SELECT id, telephone FROM clients WHERE surname = ?`).all(`Reply ${style}`);
      expect(server).toEqual([{ id: expect.any(Number), telephone: '01632 960002' }]);
    } finally {
      await client.close();
      replica.close();
    }
  });
});

describe('a create reply that is really wrong, over HTTP (--reply-style none: an empty body)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 20, seed: 42, replyStyle: 'none' });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('the client fails naming the request and the field, and says the change was saved', async () => {
    const client = clientAs(sim, sim.users[0]!);
    try {
      const error = await client.createClient({ first_name: 'No', surname: 'Id' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DizionsError);
      expect(error).toMatchObject({ method: 'PUT', path: 'clients', mayHaveCommitted: true });
      expect((error as Error).message).toMatch(
        /^PUT clients: the reply does not have the expected shape: the reply: expected the new record's id .*got nothing; the server accepted the change \(200\)/,
      );
    } finally {
      await client.close();
    }
  });

  it('replay finds the created record instead of sending it twice', async () => {
    const replica = freshReplica();
    const client = clientAs(sim, sim.users[0]!);
    try {
      queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Lost', surname: 'Reply None', dob: '1980-01-02' } }, { dialect: '2019' });
      expect(await pushOutbox(replica, client, { timings: FAST })).toMatchObject({ confirmed: 1, reconciled: 1, failed: 0 });
      expect(sim.store.db.prepare(`SELECT count(*) FROM clients WHERE surname = 'Reply None'`).pluck().get()).toBe(1);
    } finally {
      await client.close();
      replica.close();
    }
  });
});

describe.each(['iso', 'no-seconds', 'zero'] as const)('a server sending timestamps as --timestamp-format %s', (format) => {
  it('never stops a sync, and the next sync downloads nothing again', async () => {
    const sim = await startSimulator({ clients: 60, seed: 5, timestampFormat: format });
    const replica = freshReplica();
    const login = sim.users[0]!;
    try {
      const first = await syncAs(sim, login, replica, { me: login.id });
      expect(first.groups.due_contacts.inserted + first.groups.done_contacts.inserted).toBeGreaterThan(0);
      const stored = replica.sqlite.prepare(`SELECT json_extract(raw, '$.start_date') AS start, json_extract(raw, '$.updated') AS updated FROM contacts LIMIT 50`).all() as Array<{
        start: string | null;
        updated: string;
      }>;
      for (const row of stored) {
        expect(row.updated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        if (row.start !== null) expect(row.start).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      }
      const second = await syncAs(sim, login, replica, { me: login.id });
      expect(Object.values(second.groups).map((g) => g.fetched)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(replicaIds(replica, 'clients').length).toBe(first.groups.clients.inserted);
    } finally {
      replica.close();
      await sim.close();
    }
  });
});
