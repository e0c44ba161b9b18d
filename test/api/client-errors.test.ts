// The Dizions client against small real HTTP servers on 127.0.0.1: how every failure a server or
// network can produce is classified (retryable / unauthorised / rejected, and whether a write is in
// doubt), and that paths the grammar refuses never reach the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDizionsClient, type DizionsClient, type DizionsClientOptions } from '../../main/api/client.js';
import { DizionsError, parseRetryAfter } from '../../main/api/errors.js';
import { retryDelayMs, withRetries } from '../../main/api/retry.js';
import { startSimulator } from '../../main/sim/server.js';
import { FLAG_FIELDS, GROUP_FIELDS, NUMERIC_FIELDS, RECORD_GROUPS, dictionaryFor } from '../../shared/dizions/model.js';
import fc from 'fast-check';
import { ResponseShapeError, fastCheck, fieldKind, parseRecord, parseRecords, recordSchema } from '../../shared/dizions/schemas.js';
import { GrammarError } from '../../shared/url-grammar.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

interface Loopback {
  baseUrl: string;
  seen: Seen[];
  server: Server;
}

const open: Array<{ server: Server; client?: DizionsClient }> = [];

async function serve(handler: Handler): Promise<Loopback> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ server });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`, seen, server };
}

function clientFor(loopback: { baseUrl: string }, options: Partial<DizionsClientOptions> = {}): DizionsClient {
  const client = createDizionsClient({ baseUrl: loopback.baseUrl, source: 'src-key', org: 'org-key', user: 'user-key', ...options });
  open.push({ server: undefined as unknown as Server, client });
  return client;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function failure(promise: Promise<unknown>): Promise<DizionsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DizionsError);
  return error as DizionsError;
}

afterEach(async () => {
  for (const item of open.splice(0)) {
    await item.client?.close();
    if (item.server) {
      item.server.closeAllConnections();
      await new Promise((resolve) => item.server.close(resolve));
    }
  }
});

describe('a successful exchange', () => {
  it('sends the three keys as headers and reads typed records, keeping fields the model does not know', async () => {
    const server = await serve((_req, res) =>
      json(res, 200, [{ id: '7', first_name: 'Ada', surname: 'Lovelace', ethnicity: 3, registered_disabled: 'Y', updated: '2024-05-01 10:00:00', favourite_colour: 'blue' }]),
    );
    const client = clientFor(server);
    const records = await client.getRecords('clients', { religion: [1, 3, 10], ethnicity: 1 });
    expect(server.seen[0]!.url).toBe('/v2/clients/religion/1;3;10/ethnicity/1');
    expect(server.seen[0]!.headers).toMatchObject({ source: 'src-key', org: 'org-key', user: 'user-key' });
    expect(records).toEqual([{ id: 7, first_name: 'Ada', surname: 'Lovelace', ethnicity: 3, registered_disabled: 'Y', updated: '2024-05-01 10:00:00', favourite_colour: 'blue' }]);
    expect(client.requests).toBe(1);
    expect(client.bytesReceived).toBeGreaterThan(50);
  });

  it('form-encodes writes with the 2019 verbs and returns the new id', async () => {
    const server = await serve((_req, res) => json(res, 200, { id: 42 }));
    const client = clientFor(server);
    expect(await client.createClient({ first_name: 'Zoë', surname: "O'Brien & Sons", telephone: null, email: undefined })).toEqual({ id: 42 });
    await client.updateClient(42, { surname: 'Smith' });
    await client.completeDueContact(88, { start_date: '2024-05-01 10:00:00', end_date: '2024-05-01 11:00:00' });
    const [create, update, complete] = server.seen;
    expect([create!.method, create!.url, update!.method, update!.url, complete!.method, complete!.url]).toEqual(['PUT', '/v2/clients', 'POST', '/v2/clients/id/42', 'POST', '/v2/done_contacts/id/88']);
    expect(create!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(create!.body.toString()))).toEqual({ first_name: 'Zoë', surname: "O'Brien & Sons", telephone: '' });
  });

  it('uses the 2025 verbs when told to: create is POST, update is PUT, external referrals stay PUT', async () => {
    const server = await serve((_req, res) => json(res, 200, { id: 5 }));
    const client = clientFor(server, { dialect: '2025' });
    await client.createClient({ first_name: 'A', surname: 'B' });
    await client.updateReferral(5, { description: 'x' });
    await client.createExternalReferral({ org_type_id: 1, surname: 'B', description: 'x' });
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /v2/clients', 'PUT /v2/referrals/5', 'PUT /v2/external_referral']);
  });

  it('uploads files as multipart parts named "files" with comma-separated visibility', async () => {
    const server = await serve((_req, res) => json(res, 200, { id: 3 }));
    const client = clientFor(server);
    const reply = await client.upload(
      'referrals',
      12,
      [
        { filename: 'letter.txt', data: new TextEncoder().encode('Dear client'), contentType: 'text/plain' },
        { filename: 'scan.pdf', data: new Uint8Array([37, 80, 68, 70]) },
      ],
      { user: [4, 7], group: [2] },
    );
    expect(reply).toEqual({ id: 3 });
    const seen = server.seen[0]!;
    expect(seen.url).toBe('/v2/referrals/id/12/uploads');
    const form = await new Response(new Uint8Array(seen.body), { headers: { 'content-type': seen.headers['content-type']! } }).formData();
    expect(form.get('user_visibility')).toBe('4,7');
    expect(form.get('group_visibility')).toBe('2');
    const files = form.getAll('files') as File[];
    expect(files.map((f) => f.name)).toEqual(['letter.txt', 'scan.pdf']);
    expect(await files[0]!.text()).toBe('Dear client');
  });

  it('hands sync the raw body and its size without validating it', async () => {
    const server = await serve((_req, res) => json(res, 200, [{ id: 1, surname: 42 }]));
    const client = clientFor(server);
    const raw = await client.getRecordsRaw('clients/field/id;surname');
    expect(raw).toEqual({ status: 200, text: '[{"id":1,"surname":42}]', bytes: 23 });
    expect(server.seen[0]!.url).toBe('/v2/clients/field/id;surname');
  });
});

describe('error replies', () => {
  it('429 with Retry-After in seconds is retryable after that long', async () => {
    const server = await serve((_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '2' }));
    const error = await failure(clientFor(server).getRecords('clients'));
    expect(error).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 2000, mayHaveCommitted: false });
    expect(error.message).toContain('retry after 2 s');
  });

  it('429 with Retry-After as an HTTP date is retryable until that date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const server = await serve((_req, res) => json(res, 429, 'busy', { 'retry-after': at }));
    const error = await failure(clientFor(server).getRecords('clients'));
    expect(error.kind).toBe('retryable');
    expect(error.retryAfterMs).toBeGreaterThan(20_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('500 and 503 are retryable; a write refused with 500 was not applied, one behind a 504 gateway may have been', async () => {
    let status = 500;
    const server = await serve((_req, res) => json(res, status, { error: 'database is down' }));
    const client = clientFor(server);
    expect(await failure(client.getRecords('clients'))).toMatchObject({ kind: 'retryable', status: 500, serverMessage: 'database is down' });
    expect(await failure(client.createClient({ first_name: 'A', surname: 'B' }))).toMatchObject({ kind: 'retryable', mayHaveCommitted: false });
    status = 503;
    expect(await failure(client.getRecords('clients'))).toMatchObject({ kind: 'retryable', status: 503 });
    status = 504;
    expect(await failure(client.updateClient(4, { surname: 'B' }))).toMatchObject({ kind: 'retryable', status: 504, mayHaveCommitted: true });
  });

  it('401 says the keys were refused; 403 is unauthorised too', async () => {
    let status = 401;
    const server = await serve((_req, res) => json(res, status, { error: 'unknown Org key' }));
    const client = clientFor(server);
    const refused = await failure(client.getById('clients', 1));
    expect(refused).toMatchObject({ kind: 'unauthorised', status: 401, serverMessage: 'unknown Org key' });
    expect(refused.message).toBe('GET clients/id/1: the server refused the keys (401): check the Source, Org and User keys: unknown Org key');
    status = 403;
    expect(await failure(client.getById('clients', 1))).toMatchObject({ kind: 'unauthorised', status: 403 });
  });

  it("400 is rejected with the server's own words, from JSON or plain text", async () => {
    let plain = false;
    const server = await serve((_req, res) => {
      if (plain) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('Bad date format in dob');
      } else {
        json(res, 400, { error: 'surname is required' });
      }
    });
    const client = clientFor(server);
    const missing = await failure(client.createClient({ first_name: 'A' }));
    expect(missing).toMatchObject({ kind: 'rejected', status: 400, serverMessage: 'surname is required', mayHaveCommitted: false });
    expect(missing.message).toBe('PUT clients: the server rejected the request (400): surname is required');
    plain = true;
    expect(await failure(client.updateClient(3, { dob: 'yesterday' }))).toMatchObject({ kind: 'rejected', serverMessage: 'Bad date format in dob' });
  });
});

describe('network failures', () => {
  it('a connection reset before the reply: a GET is retryable, a write is in doubt', async () => {
    const server = await serve((req) => req.socket.destroy());
    const client = clientFor(server);
    expect(await failure(client.getRecords('clients'))).toMatchObject({ kind: 'retryable', status: 0, phase: 'sent', mayHaveCommitted: false });
    const write = await failure(client.createReferral({ client: 1, description: 'x' }));
    expect(write).toMatchObject({ kind: 'retryable', status: 0, phase: 'sent', mayHaveCommitted: true });
    expect(write.message).toContain('the change may have been saved');
  });

  it('a server nobody listens on: retryable, and a write certainly never arrived', async () => {
    const server = await serve(() => undefined);
    const baseUrl = server.baseUrl;
    server.server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await failure(clientFor({ baseUrl }).createClient({ first_name: 'A', surname: 'B' }));
    expect(error).toMatchObject({ kind: 'retryable', status: 0, phase: 'connect', mayHaveCommitted: false });
    expect(error.message).toContain('cannot reach the server');
  });

  it('a server that never answers times out: retryable, and a write is in doubt', async () => {
    const server = await serve(() => undefined);
    const client = clientFor(server, { timeoutMs: 300 });
    const read = await failure(client.getRecords('clients'));
    expect(read).toMatchObject({ kind: 'retryable', status: 0, mayHaveCommitted: false });
    expect(read.message).toContain('did not answer within 0.3 s');
    expect(await failure(client.updateDueContact(9, { description: 'x' }))).toMatchObject({ kind: 'retryable', mayHaveCommitted: true });
  });

  it('a reply cut off mid-body: retryable; for a write the server had said 200, so it is in doubt', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('[{"id": 1, "surname": "Smi');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const client = clientFor(server);
    const read = await failure(client.getRecords('clients'));
    expect(read).toMatchObject({ kind: 'retryable', status: 200, phase: 'reply', mayHaveCommitted: false });
    expect(read.message).toMatch(/cut off after 26 bytes/);
    expect(await failure(client.createClient({ first_name: 'A', surname: 'B' }))).toMatchObject({ kind: 'retryable', status: 200, mayHaveCommitted: true });
  });

  it('malformed JSON in a 2xx reply: retryable for a GET, in doubt for a write', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[{"id": 1,, }');
    });
    const client = clientFor(server);
    const read = await failure(client.getRecords('clients'));
    expect(read).toMatchObject({ kind: 'retryable', status: 200, mayHaveCommitted: false });
    expect(read.message).toContain('not valid JSON');
    expect(await failure(client.updateReferral(3, { stage: 2 }))).toMatchObject({ kind: 'retryable', mayHaveCommitted: true });
  });
});

describe('reply shapes', () => {
  it('a field of the wrong type is named, with the record index', async () => {
    const server = await serve((_req, res) =>
      json(res, 200, [
        { id: 1, surname: 'A' },
        { id: 2, surname: 42 },
      ]),
    );
    const error = await failure(clientFor(server).getRecords('clients'));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('clients[1].surname: expected string or null, got 42');
    expect(error.cause).toBeInstanceOf(ResponseShapeError);
  });

  it('names the field in parseRecords too, and coerces digit strings where numbers belong', () => {
    const good = { id: 1, surname: 'A', people_in_household: '3', travel_mileage: '2.5', dob: '0000-00-00' };
    expect(parseRecords('clients', [good])[0]).toMatchObject({ people_in_household: 3, dob: null });
    const records = [good, good, good, { id: 4, surname: ['x'] }];
    expect(() => parseRecords('clients', records)).toThrow('clients[3].surname: expected string or null, got a list');
    expect(() => parseRecords('done_contacts', [{ id: 5, start_date: '2024-13' }])).toThrow('done_contacts[0].start_date: expected a timestamp');
    expect(() => parseRecords('referrals', [{ id: -2 }])).toThrow('referrals[0].id: expected a positive whole-number id');
    expect(() => parseRecords('clients', [{ id: 1, active: 'yes' }])).toThrow('clients[0].active: expected "Y", "N" or null');
    expect(() => parseRecords('clients', { id: 1 })).toThrow('clients: expected a list of records');
  });

  it('a dictionary field may hold a name when the GET asked for resolveIds[]', async () => {
    const server = await serve((_req, res) => json(res, 200, [{ id: 1, ethnicity: 'White British', religion: 3 }]));
    const client = clientFor(server);
    const [record] = await client.getRecords('clients', {}, { resolveIds: ['ethnicity'] });
    expect(record).toMatchObject({ ethnicity: 'White British', religion: 3 });
    expect(server.seen[0]!.url).toBe('/v2/clients?resolveIds[]=ethnicity');
    await expect(client.getRecords('clients')).rejects.toThrow('clients[0].ethnicity: expected a dictionary id');
  });

  it('a write reply without an id is in doubt, not a success', async () => {
    const server = await serve((_req, res) => json(res, 200, { ok: true }));
    const error = await failure(clientFor(server).createClient({ first_name: 'A', surname: 'B' }));
    expect(error).toMatchObject({ kind: 'retryable', mayHaveCommitted: true });
    expect(error.message).toContain("reply.id: expected the new record's id");
  });
});

describe('paths the grammar refuses never reach the server', () => {
  it('an 11th filter pair, a hostile value, a bad id or a bad method: zero requests', async () => {
    const server = await serve((_req, res) => json(res, 200, []));
    const client = clientFor(server);
    const eleven = Object.fromEntries(
      ['accommodation', 'active', 'age_range', 'blue_badge_holder', 'consent', 'county', 'deceased', 'district', 'employment_status', 'ethnicity', 'gender'].map((k) => [k, 1]),
    );
    await expect(client.getRecords('clients', eleven)).rejects.toThrow(GrammarError);
    await expect(client.getRecords('clients', eleven)).rejects.toThrow('at most 10 filter pairs');
    await expect(client.getRecords('clients', { surname: '../../admin' })).rejects.toThrow(GrammarError);
    await expect(client.getRecords('clients', { surname: 'a\r\nInjected: 1' })).rejects.toThrow(GrammarError);
    await expect(client.request('GET', 'clients/a/1/b/2/c/3/d/4/e/5/f/6/g/7/h/8/i/9/j/10/k/11')).rejects.toThrow(GrammarError);
    await expect(client.request('GET', 'clients?drop=1')).rejects.toThrow(GrammarError);
    await expect(client.request('GE T', 'clients')).rejects.toThrow(GrammarError);
    await expect(client.updateClient(0, { surname: 'x' })).rejects.toThrow(GrammarError);
    await expect(client.updateClient(1.5, { surname: 'x' })).rejects.toThrow('clients id must be a positive whole number, got 1.5');
    expect(server.seen).toHaveLength(0);
    expect(client.requests).toBe(0);
  });

  it('a value with path characters stays inside its segment', async () => {
    const server = await serve((_req, res) => json(res, 200, []));
    await clientFor(server).getRecords('clients', { postcode: 'AB1 2CD/x;y' });
    expect(server.seen[0]!.url).toBe('/v2/clients/postcode/AB1%202CD%2Fx%3By');
  });
});

describe('bounded retries', () => {
  it('retries a 429 after its Retry-After and returns the answer', async () => {
    let calls = 0;
    const server = await serve((_req, res) => (++calls === 1 ? json(res, 429, 'busy', { 'retry-after': '0' }) : json(res, 200, [{ id: 1 }])));
    const client = clientFor(server);
    const retries: number[] = [];
    const records = await withRetries(() => client.getRecords('clients'), { attempts: 3, baseMs: 1, maxMs: 5, onRetry: (_e, attempt) => retries.push(attempt) });
    expect(records).toEqual([{ id: 1 }]);
    expect(retries).toEqual([1]);
    expect(server.seen).toHaveLength(2);
  });

  it('gives up after the attempts allowed, and never resends a rejected request or an in-doubt write', async () => {
    let status = 500;
    const server = await serve((req, res) => (status === 0 ? req.socket.destroy() : json(res, status, { error: 'no' })));
    const client = clientFor(server);
    await expect(withRetries(() => client.getRecords('clients'), { attempts: 3, baseMs: 1, maxMs: 2 })).rejects.toMatchObject({ status: 500 });
    expect(server.seen).toHaveLength(3);
    status = 400;
    await expect(withRetries(() => client.getRecords('clients'), { attempts: 3, baseMs: 1, maxMs: 2 })).rejects.toMatchObject({ kind: 'rejected' });
    expect(server.seen).toHaveLength(4);
    status = 0;
    await expect(withRetries(() => client.createClient({ first_name: 'A', surname: 'B' }), { attempts: 3, baseMs: 1, maxMs: 2 })).rejects.toMatchObject({ mayHaveCommitted: true });
    expect(server.seen).toHaveLength(5);
  });

  it('backs off exponentially up to a ceiling, never sooner than Retry-After', () => {
    const error = new DizionsError({ method: 'GET', path: 'clients', kind: 'retryable', status: 503, phase: 'reply', message: 'x' });
    const full = () => 1;
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(error, n, { baseMs: 100, maxMs: 1000, random: full }))).toEqual([100, 200, 400, 800, 1000]);
    const slow = new DizionsError({ method: 'GET', path: 'clients', kind: 'retryable', status: 429, phase: 'reply', message: 'x', retryAfterMs: 5000 });
    expect(retryDelayMs(slow, 1, { baseMs: 100, maxMs: 1000, random: full })).toBe(5000);
  });
});

describe("the simulator's faults, as the client classifies them", () => {
  it('500, 429, resets, cut-off and malformed replies, a trickle and a stall', async () => {
    const sim = await startSimulator({ clients: 20, seed: 4 });
    const user = sim.users[0]!;
    const client = createDizionsClient({ baseUrl: sim.url, source: user.source, org: user.org, user: user.user, timeoutMs: 2000 });
    const clientCount = () => sim.store.counts().clients!;
    try {
      sim.setFaults('500=#2');
      expect(await withRetries(() => client.getRecords('workers'), { attempts: 3, baseMs: 1, maxMs: 2 })).not.toHaveLength(0);
      expect(sim.requestLog.map((e) => e.status)).toEqual([500, 500, 200]);

      sim.setFaults('429=#1,retry-after=1');
      expect(await failure(client.getRecords('workers'))).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 1000 });

      // A reset before the server read the request looks, to the client, exactly like one after:
      // both writes are in doubt, and only a read-back can tell them apart.
      sim.setFaults('reset-before=#1');
      let before = clientCount();
      expect(await failure(client.createClient({ first_name: 'Reset', surname: 'Before' }))).toMatchObject({ kind: 'retryable', status: 0, mayHaveCommitted: true });
      expect(clientCount()).toBe(before);
      sim.setFaults('reset-after=#1@PUT');
      before = clientCount();
      expect(await failure(client.createClient({ first_name: 'Reset', surname: 'After' }))).toMatchObject({ kind: 'retryable', status: 0, mayHaveCommitted: true });
      expect(clientCount()).toBe(before + 1);

      sim.setFaults('truncate=#1');
      const cut = await failure(client.getRecords('clients'));
      expect(cut).toMatchObject({ kind: 'retryable', status: 200, phase: 'reply', mayHaveCommitted: false });
      expect(cut.message).toContain('cut off');

      sim.setFaults('malformed=#1');
      expect((await failure(client.getRecords('clients'))).message).toContain('not valid JSON');

      sim.setFaults('trickle=#1,trickle-bps=4000');
      expect(await client.getRecords('workers', {}, { fields: ['id', 'surname'] })).not.toHaveLength(0);

      sim.setFaults('latency=#1,latency-ms=3000');
      const stalled = await failure(client.getRecords('workers', {}, {}, { timeoutMs: 300 }));
      expect(stalled).toMatchObject({ kind: 'retryable', status: 0 });
      expect(stalled.message).toContain('did not answer');
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('the reply schemas follow the data model', () => {
  it('the fast check used in bulk sync never accepts what zod would refuse or change', () => {
    const samples: Array<[Parameters<typeof fastCheck>[0], string, string[]]> = [
      ['id', 'usual_support_worker', []],
      ['dictionary', 'ethnicity', []],
      ['resolved', 'ethnicity', ['ethnicity']],
      ['flag', 'active', []],
      ['timestamp', 'updated', []],
      ['date', 'dob', []],
      ['number', 'people_in_household', []],
      ['text', 'surname', []],
    ];
    const value = fc.oneof(
      fc.constantFrom(null, '', 'Y', 'N', 'y', '0000-00-00', '0000-00-00 00:00:00', '2024-02-29', '2024-02-29 09:30:00', '12', '-3', '2.5', 0, -1, 1.5, true),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.object({ maxDepth: 0 }),
    );
    for (const [kind, field, resolved] of samples) {
      const schema = recordSchema('clients', { resolved });
      fc.assert(
        fc.property(value, (v) => {
          if (!fastCheck(kind)(v)) return;
          const parsed = schema.safeParse({ [field]: v });
          expect(parsed.success).toBe(true);
          expect((parsed.data as Record<string, unknown>)[field]).toEqual(v);
        }),
        { numRuns: 300 },
      );
    }
    // …and leaves the coercions to zod.
    const raw = { id: '4', people_in_household: '2', dob: '0000-00-00' };
    expect(parseRecord('clients', raw)).toEqual({ id: 4, people_in_household: 2, dob: null });
    const clean = { id: 4, surname: 'Ng' };
    expect(parseRecord('clients', clean)).toBe(clean);
  });

  it('gives every field of every group a kind that agrees with model.ts', () => {
    for (const group of RECORD_GROUPS) {
      for (const field of GROUP_FIELDS[group]) {
        const kind = fieldKind(group, field);
        expect([group, field, kind === 'flag']).toEqual([group, field, FLAG_FIELDS.has(field)]);
        expect([group, field, kind === 'dictionary']).toEqual([group, field, dictionaryFor(group, field) !== undefined]);
        if (NUMERIC_FIELDS.has(field)) expect([group, field, ['id', 'number', 'dictionary'].includes(kind)]).toEqual([group, field, true]);
      }
    }
  });
});
