// Every fault mode as a real HTTP client meets it, and what it did or did not commit: the ground
// the sync engine's exactly-once guarantees are tested on.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { api, control, json, keyHeaders } from '../support/sim-http-support.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 21 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.setFaults('');
  sim.requestLog.length = 0;
});

function clientsNamed(surname: string): number {
  return sim.store.db.prepare('SELECT COUNT(*) FROM clients WHERE surname = ?').pluck().get(surname) as number;
}

function createClient(surname: string) {
  return api(sim, 'PUT', 'clients', { form: { first_name: 'Fault', surname } });
}

/** Reads a reply body chunk by chunk; returns what arrived and the error that ended it, if any. */
async function readUntilEnd(url: string): Promise<{ status: number; headers: Record<string, unknown>; received: string; error?: Error }> {
  const reply = await request(url, { headers: keyHeaders(sim.users[0]!) });
  const parts: Buffer[] = [];
  try {
    for await (const chunk of reply.body) parts.push(chunk as Buffer);
    return { status: reply.statusCode, headers: reply.headers, received: Buffer.concat(parts).toString('utf8') };
  } catch (error) {
    return { status: reply.statusCode, headers: reply.headers, received: Buffer.concat(parts).toString('utf8'), error: error as Error };
  }
}

describe('status faults', () => {
  it('429 carries Retry-After and commits nothing; the retry succeeds', async () => {
    sim.setFaults('429=#1@PUT,retry-after=2');
    const limited = await createClient('RateLimited');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(json<{ error: string }>(limited).error).toMatch(/Retry-After/);
    expect(clientsNamed('RateLimited')).toBe(0);

    expect((await createClient('RateLimited')).status).toBe(200);
    expect(clientsNamed('RateLimited')).toBe(1);
  });

  it.each([['500'], ['503']])('%s answers with that status and a JSON error, committing nothing', async (mode) => {
    sim.setFaults(`${mode}=#1`);
    const reply = await createClient(`Status${mode}`);
    expect(reply.status).toBe(Number(mode));
    expect(json(reply)).toHaveProperty('error');
    expect(clientsNamed(`Status${mode}`)).toBe(0);
    expect(sim.requestLog.at(-1)).toMatchObject({ method: 'PUT', status: Number(mode), fault: mode });
  });
});

describe('dropped connections', () => {
  it('reset-before drops the connection and commits nothing', async () => {
    sim.setFaults('reset-before=#1@PUT');
    await expect(createClient('ResetBefore')).rejects.toThrow();
    expect(clientsNamed('ResetBefore')).toBe(0);
    expect(sim.requestLog.at(-1)).toMatchObject({ method: 'PUT', path: 'clients', status: 0, fault: 'reset-before' });
  });

  it('reset-after commits the write and then drops the connection without a reply', async () => {
    sim.setFaults('reset-after=#1@PUT');
    await expect(createClient('ResetAfter')).rejects.toThrow();
    expect(clientsNamed('ResetAfter')).toBe(1);
    expect(sim.requestLog.at(-1)).toMatchObject({ method: 'PUT', status: 0, bytes: 0, fault: 'reset-after' });

    // The client, unsure, looks for its record: it is there, created once.
    const id = sim.store.db.prepare('SELECT id FROM clients WHERE surname = ?').pluck().get('ResetAfter') as number;
    const found = await api(sim, 'GET', `clients/id/${id}/field/id;surname`);
    expect(json(found)).toEqual([{ id, surname: 'ResetAfter' }]);
  });
});

describe('broken bodies', () => {
  it('truncate sends 200 and half a body, framed so the client can tell it is incomplete', async () => {
    const whole = await api(sim, 'GET', 'clients/field/id;surname');
    sim.setFaults('truncate=#1@GET:clients');
    const cut = await readUntilEnd(`${sim.url}/clients/field/id;surname`);
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBeUndefined();
    expect(cut.error).toBeDefined(); // the terminating chunk never came
    expect(cut.received.length).toBeGreaterThan(0);
    expect(cut.received.length).toBeLessThan(whole.text.length);
    expect(whole.text.startsWith(cut.received)).toBe(true);
    expect(() => JSON.parse(cut.received)).toThrow();
    expect(sim.requestLog.at(-1)).toMatchObject({ status: 200, fault: 'truncate', bytes: Buffer.byteLength(cut.received) });
  });

  it('malformed sends a complete 200 whose body is not JSON', async () => {
    sim.setFaults('malformed=#1');
    const reply = await api(sim, 'GET', 'workers/field/id');
    expect(reply.status).toBe(200);
    expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(reply.text));
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('malformed on a write still commits it (the reply, not the write, is broken)', async () => {
    sim.setFaults('malformed=#1@PUT');
    const reply = await createClient('Malformed');
    expect(() => JSON.parse(reply.text)).toThrow();
    expect(clientsNamed('Malformed')).toBe(1);
  });

  it('trickle delivers the correct body in many small pieces', async () => {
    const whole = await api(sim, 'GET', 'workers/field/id');
    expect(whole.text.length).toBeGreaterThan(60);
    sim.setFaults('trickle=#1,trickle-bps=400');
    const reply = await request(`${sim.url}/workers/field/id`, { headers: keyHeaders(sim.users[0]!) });
    expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(whole.text));
    const pieces: Buffer[] = [];
    for await (const chunk of reply.body) pieces.push(chunk as Buffer);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(whole.text);
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(whole.text.length / 40));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(40);
  });

  it('latency delays the matching request', async () => {
    sim.setFaults('latency=#1,latency-ms=400');
    const started = Date.now();
    expect((await api(sim, 'GET', 'workers/field/id')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390); // a lower bound: load can only add
    expect(sim.requestLog.at(-1)).toMatchObject({ status: 200, fault: 'latency' });
  });
});

describe('triggers and scopes', () => {
  it('a count spec hits exactly the next N matching requests', async () => {
    sim.setFaults('500=#2@PUT');
    expect((await api(sim, 'GET', 'workers/field/id')).status).toBe(200);
    expect((await createClient('Counted')).status).toBe(500);
    expect((await createClient('Counted')).status).toBe(500);
    expect((await createClient('Counted')).status).toBe(200);
    expect(clientsNamed('Counted')).toBe(1);
  });

  it('a rate spec with a seed gives the same outcomes on a replay', async () => {
    const run = async () => {
      sim.setFaults('503=0.5,fault-seed=3');
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await api(sim, 'GET', 'workers/field/id')).status);
      return statuses;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set([200, 503]));
    expect(await run()).toEqual(first);
  });

  it('a path scope leaves other groups alone', async () => {
    sim.setFaults('500=#1@GET:referrals');
    expect((await api(sim, 'GET', 'clients/field/id')).status).toBe(200);
    expect((await api(sim, 'GET', 'referrals/field/id')).status).toBe(500);
    expect((await api(sim, 'GET', 'referrals/field/id')).status).toBe(200);
  });

  it('never applies to the control endpoint', async () => {
    sim.setFaults('500=1');
    const status = await control(sim, 'GET', 'status');
    expect(status.status).toBe(200);
    expect(status.body.faults.spec).toBe('500=1');
    expect((await api(sim, 'GET', 'clients/field/id')).status).toBe(500);
  });

  it('refuses a bad spec and keeps the old one', () => {
    sim.setFaults('503=#1');
    expect(() => sim.setFaults('503=often')).toThrow(/rate is a probability/);
    expect(sim.requestLog).toEqual([]);
    return api(sim, 'GET', 'clients/field/id').then((reply) => expect(reply.status).toBe(503));
  });
});
