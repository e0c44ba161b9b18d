// The simulator's /v2 HTTP surface as a client meets it: the three key headers, form and multipart
// bodies, large collections streamed as one JSON array, and clear JSON errors for bad requests —
// after any of which the server keeps serving.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRows } from '../../main/sim/http-reply.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { FormData, api, control, json, keyHeaders } from '../support/sim-http-support.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ clients: 60, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});

async function createClient(first_name: string, surname: string): Promise<number> {
  const reply = await api(sim, 'PUT', 'clients', { form: { first_name, surname } });
  expect(reply.status, reply.text).toBe(200);
  return json<{ id: number }>(reply).id;
}

describe('authentication', () => {
  it('answers 401 naming the missing headers when keys are absent', async () => {
    const none = await api(sim, 'GET', 'clients', { as: null });
    expect(none.status).toBe(401);
    expect(json<{ error: string }>(none).error).toMatch(/Source, Org, User/);

    const user = sim.users[0]!;
    const partial = await api(sim, 'GET', 'clients', { as: null, headers: { Source: user.source, Org: user.org } });
    expect(partial.status).toBe(401);
    expect(json<{ error: string }>(partial).error).toMatch(/header: User/);
  });

  it('answers 401 when a key is wrong, and serves the same request with the right keys', async () => {
    const user = sim.users[0]!;
    const wrong = await api(sim, 'GET', 'clients/field/id', { as: null, headers: { ...keyHeaders(user), User: `${user.user}x` } });
    expect(wrong.status).toBe(401);
    expect(json<{ error: string }>(wrong).error).toMatch(/do not match/);

    const right = await api(sim, 'GET', 'clients/field/id', { as: user });
    expect(right.status).toBe(200);
    expect(right.headers['content-type']).toMatch(/^application\/json/);
    expect(Array.isArray(json(right))).toBe(true);
  });

  it('does not let a write through without keys', async () => {
    const before = sim.store.counts().clients;
    const reply = await api(sim, 'PUT', 'clients', { as: null, form: { first_name: 'No', surname: 'Keys' } });
    expect(reply.status).toBe(401);
    expect(sim.store.counts().clients).toBe(before);
  });
});

describe('form bodies', () => {
  it('creates a client from a urlencoded body, non-ASCII and reserved characters intact', async () => {
    const surname = "O'Brien-Siân & Co+ 100%";
    const id = await createClient('Zoë', surname);
    const reply = await api(sim, 'GET', `clients/id/${id}/field/id;first_name;surname`);
    expect(json(reply)).toEqual([{ id, first_name: 'Zoë', surname }]);
  });

  it('refuses bad percent-encoding and bad UTF-8 with 400, and other content types with 415', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const badPercent = await api(sim, 'PUT', 'clients', { headers: form, body: 'first_name=A&surname=%E0%A4%A' });
    expect(badPercent.status).toBe(400);
    expect(json<{ error: string }>(badPercent).error).toMatch(/percent-encoding/);

    const badUtf8 = await api(sim, 'PUT', 'clients', { headers: form, body: Buffer.from([0x73, 0x75, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe]) });
    expect(badUtf8.status).toBe(400);
    expect(json<{ error: string }>(badUtf8).error).toMatch(/UTF-8/);

    const asJson = await api(sim, 'PUT', 'clients', { headers: { 'Content-Type': 'application/json' }, body: '{"first_name":"A","surname":"B"}' });
    expect(asJson.status).toBe(415);
    expect(json<{ error: string }>(asJson).error).toMatch(/x-www-form-urlencoded or multipart\/form-data/);
  });

  it('refuses an oversized body with 413', async () => {
    const huge = `first_name=A&surname=${'x'.repeat(1100 * 1024)}`;
    const reply = await api(sim, 'PUT', 'clients', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: huge });
    expect(reply.status).toBe(413);
    expect(json<{ error: string }>(reply).error).toMatch(/larger than/);
  });
});

describe('multipart uploads', () => {
  it('stores every file of a parts-named-files upload with its visibility', async () => {
    const client = await createClient('Upload', 'Target');
    const photo = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
    const form = new FormData();
    form.append('user_visibility', '1,2');
    form.append('group_visibility', '3');
    form.append('files', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('files', new Blob(['consent given 2024-05-01'], { type: 'text/plain' }), 'consent note.txt');
    const reply = await api(sim, 'POST', `clients/id/${client}/uploads`, { multipart: form });
    expect(reply.status, reply.text).toBe(200);
    expect(json<{ id: number }>(reply).id).toBeGreaterThan(0);

    const { body } = await control(sim, 'GET', 'uploads');
    const mine = (body.uploads as Array<Record<string, unknown>>).filter((u) => u.record === client && u.group === 'clients');
    expect(mine.map((u) => u.filename).sort()).toEqual(['consent note.txt', 'photo.jpg']);
    const stored = mine.find((u) => u.filename === 'photo.jpg')!;
    expect(stored).toMatchObject({ bytes: photo.length, sha256: createHash('sha256').update(photo).digest('hex'), user_visibility: [1, 2], group_visibility: [3] });
  });

  it('takes a file from a part of any name (the API does not publish it), and refuses bodies that are not multipart at all', async () => {
    const client = await createClient('Upload', 'Anyname');
    const form = new FormData();
    form.append('user_visibility', '');
    form.append('group_visibility', '');
    form.append('attachment', new Blob(['x']), 'x.txt');
    const otherName = await api(sim, 'POST', `clients/id/${client}/uploads`, { multipart: form });
    expect(otherName.status, otherName.text).toBe(200);
    const { body } = await control(sim, 'GET', 'uploads');
    const mine = (body.uploads as Array<Record<string, unknown>>).filter((u) => u.record === client && u.group === 'clients');
    expect(mine.map((u) => u.filename)).toEqual(['x.txt']);

    const garbage = await api(sim, 'POST', `clients/id/${client}/uploads`, {
      headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' },
      body: 'this is not a multipart body',
    });
    expect(garbage.status).toBe(400);
    expect(json<{ error: string }>(garbage).error).toMatch(/multipart/);
  });
});

describe('large collections', () => {
  it('streams thousands of rows as one chunked JSON array', async () => {
    const big = await startSimulator({ clients: 1500, seed: 5 });
    try {
      const reply = await request(`${big.url}/done_contacts/field/id;description`, { headers: keyHeaders(big.users[0]!) });
      expect(reply.statusCode).toBe(200);
      expect(reply.headers['content-length']).toBeUndefined();
      let chunks = 0;
      const parts: Buffer[] = [];
      for await (const chunk of reply.body) {
        chunks++;
        parts.push(chunk as Buffer);
      }
      const rows = JSON.parse(Buffer.concat(parts).toString('utf8')) as Array<{ id: number }>;
      expect(rows.length).toBeGreaterThan(2000);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(chunks).toBeGreaterThan(1);
    } finally {
      await big.close();
    }
  });
});

describe('streaming under backpressure', () => {
  it('pulls rows only as fast as a slow client reads, and serves others meanwhile', async () => {
    const total = 150_000;
    let pulled = 0;
    function* rows() {
      for (let id = 1; id <= total; id++) {
        pulled++;
        yield { id, description: 'a note of about eighty characters, as case notes often are, padded out to length.' };
      }
    }
    const server = createServer((req, res) => {
      if (req.url === '/big') void streamRows(res, 200, rows());
      else res.end('"still here"');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const reply = await request(`${base}/big`);
      const reader = reply.body[Symbol.asyncIterator]();
      const parts: Buffer[] = [(await reader.next()).value as Buffer];
      // The client stops reading: once the socket buffers fill, the server stops pulling rows.
      let seen = -1;
      for (let i = 0; i < 50 && seen !== pulled; i++) {
        seen = pulled;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pulled).toBeLessThan(total / 2);
      expect(await (await request(`${base}/other`)).body.json()).toBe('still here');

      for (let next = await reader.next(); !next.done; next = await reader.next()) parts.push(next.value as Buffer);
      const parsed = JSON.parse(Buffer.concat(parts).toString('utf8')) as Array<{ id: number }>;
      expect(parsed).toHaveLength(total);
      expect(parsed[total - 1]!.id).toBe(total);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('errors never take the server down', () => {
  it('answers 404 JSON outside /v2 and /_control', async () => {
    for (const path of ['/', '/v1/clients', '/v2', '/favicon.ico']) {
      const reply = await request(`${sim.url.replace(/\/v2$/, '')}${path}`);
      expect(reply.statusCode, path).toBe(404);
      expect((await reply.body.json()) as object).toHaveProperty('error');
    }
  });

  it('turns a failure inside the data layer into a 500 with a message, and keeps serving', async () => {
    sim.store.db.exec('ALTER TABLE schedules RENAME TO schedules_gone');
    try {
      const broken = await api(sim, 'GET', 'schedules');
      expect(broken.status).toBe(500);
      expect(json<{ error: string }>(broken).error).toMatch(/schedules/);
    } finally {
      sim.store.db.exec('ALTER TABLE schedules_gone RENAME TO schedules');
    }
    expect((await api(sim, 'GET', 'schedules')).status).toBe(200);
  });

  it('answers malformed HTTP with 400 and still serves the next client', async () => {
    const { Socket } = await import('node:net');
    const port = Number(new URL(sim.url).port);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = new Socket();
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.connect(port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect((await api(sim, 'GET', 'clients/field/id')).status).toBe(200);
  });

  it('logs every API request with its status and bytes', async () => {
    await control(sim, 'POST', 'log/clear');
    const ok = await api(sim, 'GET', 'clients/field/id?resolveIds[]=ALL');
    await api(sim, 'GET', 'clients', { as: null });
    expect(sim.requestLog.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', 'clients/field/id?resolveIds[]=ALL', 200],
      ['GET', 'clients', 401],
    ]);
    expect(sim.requestLog[0]!.bytes).toBe(Buffer.byteLength(ok.text));
    expect(sim.requestLog[0]!.fault).toBeUndefined();
  });
});

describe('latency', () => {
  it('delays every API request by latencyMs', async () => {
    const slow = await startSimulator({ clients: 20, latencyMs: 300 });
    try {
      const started = Date.now();
      expect((await api(slow, 'GET', 'workers/field/id')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290); // a lower bound: load can only add
    } finally {
      await slow.close();
    }
  });
});
