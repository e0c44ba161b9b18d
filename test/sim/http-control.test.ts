// The control endpoint as tests and trainers use it — change the data behind the app's back, set
// faults, read the log — its refusal of anyone but this machine, and state that survives a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { api, control, json } from '../support/sim-http-support.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 31 });
});
afterAll(async () => {
  await sim?.close();
});

function one<T>(sql: string, ...params: unknown[]): T {
  return sim.store.db.prepare(sql).get(...params) as T;
}

/** A raw request with chosen Host/Origin headers, to a chosen address. */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('reading state', () => {
  it('status shows counts, the demo users and the active faults', async () => {
    sim.setFaults('503=#2@PUT');
    const { status, body } = await control(sim, 'GET', 'status');
    expect(status).toBe(200);
    expect(body.counts.clients).toBe(sim.store.counts().clients);
    expect(body.users).toEqual(sim.users);
    expect(body.faults.rules).toEqual([expect.objectContaining({ mode: '503', remaining: 2, scope: { method: 'PUT' } })]);
    sim.setFaults('');
  });

  it('lists uploads and staged external referrals, which the API cannot read back', async () => {
    const staged = await api(sim, 'PUT', 'external_referral', { form: { org_type_id: '1', surname: 'Staged', description: 'self-referral by phone' } });
    expect(staged.status, staged.text).toBe(200);
    const { body } = await control(sim, 'GET', 'external-referrals');
    expect(body.external_referrals).toEqual(expect.arrayContaining([expect.objectContaining({ surname: 'Staged', description: 'self-referral by phone' })]));
    expect((await control(sim, 'GET', 'uploads')).body).toEqual({ uploads: expect.any(Array) });
  });

  it('returns the request log and clears it', async () => {
    await control(sim, 'POST', 'log/clear');
    await api(sim, 'GET', 'workers/field/id');
    const log = await control(sim, 'GET', 'log');
    expect(log.body.entries).toEqual([expect.objectContaining({ method: 'GET', path: 'workers/field/id', status: 200 })]);
    expect((await control(sim, 'POST', 'log/clear')).body).toEqual({ cleared: 1 });
    expect((await control(sim, 'GET', 'log')).body.entries).toEqual([]);
  });
});

describe('changing things behind the client', () => {
  it('sets faults that the API then shows, and refuses a bad spec with 400', async () => {
    expect((await control(sim, 'POST', 'faults', { spec: '503=#1' })).status).toBe(200);
    expect((await api(sim, 'GET', 'workers/field/id')).status).toBe(503);
    expect((await api(sim, 'GET', 'workers/field/id')).status).toBe(200);
    const bad = await control(sim, 'POST', 'faults', { spec: 'explode=1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/unknown fault "explode"/);
  });

  it('deletes a record so the API no longer returns it, and 404s the second time', async () => {
    const referral = one<{ id: number }>('SELECT id FROM referrals ORDER BY id LIMIT 1').id;
    expect((await control(sim, 'POST', 'delete', { group: 'referrals', id: referral })).body).toEqual({ deleted: { group: 'referrals', id: referral } });
    expect(json(await api(sim, 'GET', `referrals/id/${referral}`))).toEqual([]);
    const again = await control(sim, 'POST', 'delete', { group: 'referrals', id: referral });
    expect(again.status).toBe(404);
  });

  it('moves a client to another worker and moves its updated stamp forward', async () => {
    const client = one<{ id: number; usual_support_worker: number | null; updated: string }>(
      'SELECT id, usual_support_worker, updated FROM clients WHERE usual_support_worker IS NOT NULL ORDER BY id LIMIT 1',
    );
    const other = one<{ id: number }>('SELECT id FROM workers WHERE id != ? ORDER BY id LIMIT 1', client.usual_support_worker).id;
    const moved = await control(sim, 'POST', 'move-client', { client: client.id, worker: other });
    expect(moved.body).toEqual({ moved: { client: client.id, worker: other } });
    const after = one<{ usual_support_worker: number; updated: string }>('SELECT usual_support_worker, updated FROM clients WHERE id = ?', client.id);
    expect(after.usual_support_worker).toBe(other);
    expect(after.updated > client.updated).toBe(true);
    expect((await control(sim, 'POST', 'move-client', { client: 99_999_999, worker: other })).status).toBe(404);
  });

  it('moves a referral to another project', async () => {
    const referral = one<{ id: number; project: number }>('SELECT id, project FROM referrals ORDER BY id DESC LIMIT 1');
    const project = one<{ id: number }>("SELECT id FROM dictionaries WHERE table_ref = 'referrals/project' AND id != ? ORDER BY id LIMIT 1", referral.project).id;
    expect((await control(sim, 'POST', 'move-referral', { referral: referral.id, project })).status).toBe(200);
    expect(one<{ project: number }>('SELECT project FROM referrals WHERE id = ?', referral.id).project).toBe(project);
  });

  it('touches a reproducible sample of a group', async () => {
    const first = await control(sim, 'POST', 'touch', { group: 'clients', fraction: 0.3, seed: 4 });
    expect(first.status).toBe(200);
    const touched = first.body.touched as number[];
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.length).toBeLessThan(sim.store.counts().clients!);
    const again = await control(sim, 'POST', 'touch', { group: 'clients', fraction: 0.3, seed: 4 });
    expect(again.body.touched).toEqual(touched);
  });

  it('answers bad requests with 400, 404, 405 and 415 and a message', async () => {
    expect((await control(sim, 'POST', 'delete', { group: 'referrals' })).body.error).toMatch(/"id" must be a whole number/);
    expect((await control(sim, 'POST', 'touch', { group: 'nonsense', fraction: 0.1 })).status).toBe(400);
    expect((await control(sim, 'POST', 'touch', { group: 'clients', fraction: 2 })).status).toBe(400);
    expect((await control(sim, 'GET', 'explode')).status).toBe(404);
    expect((await control(sim, 'GET', 'delete')).status).toBe(405);
    const notJson = await control(sim, 'POST', 'faults', undefined, { 'Content-Type': 'application/json' });
    expect(notJson.status).toBe(400); // an empty object has no spec
    const plain = await rawRequest(`${sim.controlUrl}/faults`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"spec":""}' });
    expect(plain.status).toBe(415);
    const broken = await rawRequest(`${sim.controlUrl}/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"spec":' });
    expect(broken).toEqual({ status: 400, body: { error: 'the body is not valid JSON' } });
  });
});

describe('who may use it', () => {
  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin with 403', async () => {
    const port = new URL(sim.controlUrl).port;
    const rebound = await rawRequest(`${sim.controlUrl}/status`, { headers: { Host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error).toMatch(/loopback Host/);
    const page = await rawRequest(`${sim.controlUrl}/faults`, {
      method: 'POST',
      headers: { Origin: 'http://attacker.example', 'Content-Type': 'application/json' },
      body: '{"spec":"500=1"}',
    });
    expect(page.status).toBe(403);
    expect((await control(sim, 'GET', 'status')).body.faults.spec).not.toBe('500=1');
    expect((await rawRequest(`${sim.controlUrl}/status`, { headers: { Host: `localhost:${port}` } })).status).toBe(200);
  });

  // The peer check itself is covered by isLoopbackAddress's unit tests: no test sends traffic to a
  // non-loopback address, even this machine's own (the workplace's network rule).
  it('warns on stderr when told to listen beyond loopback', async () => {
    const stderr = process.stderr.write;
    const warnings: string[] = [];
    process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let wide: RunningSimulator | undefined;
    try {
      wide = await startSimulator({ host: '0.0.0.0', clients: 20 });
    } finally {
      process.stderr.write = stderr;
      await wide?.close();
    }
    expect(warnings.join('')).toMatch(/WARNING: listening on 0\.0\.0\.0, not loopback/);
  });
});

describe('restart', () => {
  it('keeps state in the data folder across a restart on the same port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-restart-'));
    try {
      const first = await startSimulator({ dataDir: dir, clients: 30, seed: 2 });
      const port = Number(new URL(first.url).port);
      const created = await api(first, 'PUT', 'clients', { form: { first_name: 'Still', surname: 'Here' } });
      const id = json<{ id: number }>(created).id;
      const users = first.users;
      await first.close();

      const second = await startSimulator({ dataDir: dir, port, clients: 30, seed: 2 });
      try {
        expect(second.url).toBe(first.url);
        expect(second.users).toEqual(users);
        expect(json(await api(second, 'GET', `clients/id/${id}/field/id;surname`))).toEqual([{ id, surname: 'Here' }]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('removes its temporary data folder on close when none was given', async () => {
    const temp = await startSimulator({ clients: 10 });
    const file = temp.store.db.name;
    await temp.close();
    const { existsSync } = await import('node:fs');
    expect(existsSync(file)).toBe(false);
  });
});
