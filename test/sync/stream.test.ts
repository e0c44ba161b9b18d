// The streamed path of an initial fill: the JSON-array parser fed a reply in pieces cut anywhere
// (inside strings, escapes, numbers, multi-byte characters) gives what JSON.parse gives and refuses
// damaged replies; and gzip over loopback — the simulator honours Accept-Encoding, the client
// decompresses and counts the bytes that crossed the wire.
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { MalformedReply } from '../../main/sync/json-array.js';
import { JsonArrayStream } from '../../main/sync/json-stream.js';

function parseInPieces(text: string, cuts: number[], runChars: number): unknown[] {
  const parser = new JsonArrayStream(runChars);
  const items: unknown[] = [];
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (text.length + 1))].sort((a, b) => a - b)) {
    for (const run of parser.push(text.slice(at, cut))) items.push(...run);
    at = cut;
  }
  for (const run of parser.push(text.slice(at))) items.push(...run);
  items.push(...parser.end());
  return items;
}

const record = fc.record({
  id: fc.nat(),
  note: fc.string({ unit: 'grapheme' }),
  tricky: fc.constantFrom('} ] { [', '"quoted" \\ back', '\\"', 'naïve — “curly” 🙂', ''),
  nested: fc.array(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.dictionary(fc.string(), fc.boolean())), { maxLength: 3 }),
});

describe('the streamed JSON-array parser', () => {
  it('gives the same items as JSON.parse, whatever the pieces the reply arrives in', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 400 }), fc.boolean(), (rows, cuts, runChars, pretty) => {
        const text = pretty ? ` ${JSON.stringify(rows, null, 2)}\n` : JSON.stringify(rows);
        expect(parseInPieces(text, cuts, runChars)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a reply cut off, one that is not an array, and one that goes on after the array', () => {
    const text = JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ id: i + 1, surname: 'Smith' })));
    expect(() => parseInPieces(text.slice(0, text.length / 2), [100, 5_000], 1_000)).toThrow(MalformedReply);
    expect(() => parseInPieces('', [], 1_000)).toThrow(MalformedReply);
    expect(() => parseInPieces('<html><body>Bad gateway</body></html>', [3], 1_000)).toThrow(MalformedReply);
    expect(() => parseInPieces('{"error":"nope"}', [], 1_000)).toThrow(MalformedReply);
    expect(() => parseInPieces('[{"id":1}] [', [], 1_000)).toThrow(MalformedReply);
    expect(() => parseInPieces('[{"id":1},{"id":', [8], 1_000)).toThrow(MalformedReply);
  });
});

describe('gzip between the client and the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 300, seed: 14 });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });
  const keys = () => ({ source: sim.users[0]!.source, org: sim.users[0]!.org, user: sim.users[0]!.user });

  it('the simulator gzips a reply only for a client that accepts it', async () => {
    const headers = { Source: keys().source, Org: keys().org, User: keys().user };
    const plain = await request(`${sim.url}/clients/field/id;updated`, { headers });
    const plainText = await plain.body.text();
    expect(plain.headers['content-encoding']).toBeUndefined();
    const refused = await request(`${sim.url}/clients/field/id;updated`, { headers: { ...headers, 'accept-encoding': 'gzip;q=0, identity' } });
    await refused.body.text();
    expect(refused.headers['content-encoding']).toBeUndefined();
    const gzipped = await request(`${sim.url}/clients/field/id;updated`, { headers: { ...headers, 'accept-encoding': 'gzip, deflate' } });
    const wire = Buffer.from(await gzipped.body.arrayBuffer());
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(wire).toString('utf8')).toBe(plainText);
    expect(wire.length).toBeLessThan(plainText.length / 3);
  });

  it('the client reads gzipped replies, whole or streamed, and counts the compressed bytes', async () => {
    const client = createDizionsClient({ baseUrl: sim.url, ...keys() });
    try {
      const raw = await client.getRecordsRaw('clients/field/id;surname;updated');
      const rows = JSON.parse(raw.text) as Array<{ id: number }>;
      expect(rows.length).toBeGreaterThan(50); // the clients this login sees
      expect(raw.bytes).toBeLessThan(raw.text.length / 2);
      expect(client.bytesReceived).toBe(raw.bytes);

      let streamed = '';
      const before = client.bytesReceived;
      const reply = await client.streamRecordsRaw('clients/field/id;surname;updated', (text) => {
        streamed += text;
      });
      expect(streamed).toBe(raw.text);
      expect(reply.bytes).toBe(client.bytesReceived - before);
      expect(reply.bytes).toBeLessThan(streamed.length / 2);
    } finally {
      await client.close();
    }
  });
});
