// The small pure parts of sync: packed `updated` stamps and the diff that decides what to fetch and
// remove, URL-bounded id batches, and the sliced JSON-array parser (damaged replies included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idBatches, MAX_PATH_CHARS } from '../../main/sync/id-batches.js';
import { MalformedReply, forEachArraySlice } from '../../main/sync/json-array.js';
import { StampList, UNKNOWN_STAMP, diffStamps, packStamp, unpackStamp } from '../../main/sync/stamps.js';
import { parsePath, printPath, type RecordsPath } from '../../shared/url-grammar.js';

async function list(entries: Array<[number, string | null]>): Promise<StampList> {
  const out = new StampList();
  for (const [id, updated] of entries) out.push(id, packStamp(updated));
  return out.sortUnique();
}

describe('updated stamps', () => {
  it('pack to numbers that order as the timestamps do, and unpack back', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        (a, b) => {
          const sa = a.toISOString().slice(0, 19).replace('T', ' ');
          const sb = b.toISOString().slice(0, 19).replace('T', ' ');
          expect(Math.sign(packStamp(sa) - packStamp(sb))).toBe(sa < sb ? -1 : sa > sb ? 1 : 0);
          expect(unpackStamp(packStamp(sa))).toBe(sa);
        },
      ),
    );
  });

  it('an unexpected format still compares equal to itself and differs from other values', () => {
    expect(packStamp('2024-01-01T09:00:00Z')).toBe(packStamp('2024-01-01T09:00:00Z'));
    expect(packStamp('2024-01-01T09:00:00Z')).not.toBe(packStamp('2024-01-01T09:00:01Z'));
    expect(packStamp('2024-01-01T09:00:00Z')).not.toBe(packStamp(null));
    expect(unpackStamp(packStamp('yesterday'))).toBeUndefined();
  });
});

describe('the diff between the server listing and the replica', () => {
  const server = () =>
    list([
      [4, '2024-01-01 09:00:00'],
      [1, '2024-01-01 09:00:00'],
      [5, null],
      [2, '2024-02-01 09:00:00'],
    ]);
  const local = () =>
    list([
      [-3, null],
      [1, '2024-01-01 09:00:00'],
      [2, '2024-01-15 09:00:00'],
      [3, '2024-01-01 09:00:00'],
      [5, null],
    ]);

  it('fetches what is new or changed, removes what the server no longer lists, keeps what is current', async () => {
    expect(diffStamps(await server(), await local())).toEqual({ fetch: [2, 4], remove: [3], heldBack: [], unchanged: 2 });
  });

  it('never removes negative ids (created offline) and holds back records with pending edits', async () => {
    expect(diffStamps(await server(), await local(), { pending: new Set([2, 3]) })).toEqual({ fetch: [4], remove: [], heldBack: [2], unchanged: 2 });
  });

  it('a full sync fetches everything listed', async () => {
    expect(diffStamps(await server(), await local(), { full: true }).fetch).toEqual([1, 2, 4, 5]);
  });

  it('an ids-only listing counts as unchanged unless a stamp says otherwise', async () => {
    const idsOnly = new StampList();
    for (const id of [1, 2, 5, 6]) idsOnly.push(id, UNKNOWN_STAMP);
    idsOnly.push(2, packStamp('2024-03-01 00:00:00'));
    expect(diffStamps(await idsOnly.sortUnique(), await local())).toEqual({ fetch: [2, 6], remove: [3], heldBack: [], unchanged: 2 });
  });

  it('agrees with a plain Map-based diff on random lists', async () => {
    const entries = fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom('2024-01-01 00:00:00', '2024-01-02 00:00:00', null)), { maxLength: 40, selector: ([id]) => id });
    await fc.assert(
      fc.asyncProperty(entries, entries, async (s, l) => {
        const sm = new Map(s);
        const lm = new Map(l);
        const diff = diffStamps(await list(s), await list(l));
        const fetch = [...sm.keys()].filter((id) => !lm.has(id) || packStamp(lm.get(id)) !== packStamp(sm.get(id))).sort((a, b) => a - b);
        const remove = [...lm.keys()].filter((id) => !sm.has(id)).sort((a, b) => a - b);
        expect(diff.fetch).toEqual(fetch);
        expect(diff.remove).toEqual(remove);
      }),
    );
  });
});

describe('sorting a listing', () => {
  it('sorts any order into ascending ids, one entry each, keeping a known stamp over an unknown one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.boolean()), { maxLength: 300 }), async (entries) => {
        const l = new StampList(4);
        for (const [id, known] of entries) l.push(id, known ? id * 10 : UNKNOWN_STAMP);
        await l.sortUnique();
        const ids = [...new Set(entries.map(([id]) => id))].sort((a, b) => a - b);
        expect([...l.idArray()]).toEqual(ids);
        for (let i = 0; i < l.length; i++) {
          const known = entries.some(([id, k]) => id === l.ids[i] && k);
          expect(Number.isNaN(l.stamps[i]!)).toBe(!known);
        }
      }),
    );
  });
});

describe('id batches', () => {
  const base: RecordsPath = { kind: 'records', group: 'clients', pairs: [], fields: ['id', 'surname', 'updated'] };

  it('cover every id once, in order, each path under the URL budget and printed by the grammar', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i * 7);
    const batches = [...idBatches(base, 'id', ids)];
    expect(batches.flatMap((b) => b.ids)).toEqual(ids);
    for (const batch of batches) {
      const printed = printPath(batch.path);
      expect(printed.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
      expect(parsePath(printed)).toEqual(batch.path);
      expect(printed).toMatch(/^clients\/id\/[\d;]+\/field\/id;surname;updated$/);
    }
    expect(batches.length).toBeGreaterThan(5);
  });

  it('respect a smaller budget and a cap on ids per batch', () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    for (const batch of idBatches(base, 'id', ids, { maxPathChars: 80 })) expect(printPath(batch.path).length).toBeLessThanOrEqual(80);
    expect([...idBatches(base, 'id', ids, { maxIds: 30 })].map((b) => b.ids.length)).toEqual([30, 30, 30, 10]);
    expect([...idBatches(base, 'id', [])]).toEqual([]);
  });
});

describe('parsing a collection reply in slices', () => {
  async function parseAll(text: string): Promise<unknown[]> {
    const out: unknown[] = [];
    await forEachArraySlice(text, (items) => {
      out.push(...items);
    });
    return out;
  }

  it('gives the same items as JSON.parse, for replies large enough to be sliced', async () => {
    const rows = Array.from({ length: 80_000 }, (_, i) => ({ id: i + 1, note: i % 7 === 0 ? 'braces } ] { [ and "quotes" \\ inside' : `row ${i}`, nested: { list: [i, [i]] } }));
    const text = JSON.stringify(rows);
    expect(text.length).toBeGreaterThan(4 << 20);
    expect(await parseAll(text)).toEqual(rows);
    expect(await parseAll(`  ${JSON.stringify(rows, null, 1)}\n`)).toEqual(rows);
  });

  it('refuses a reply cut off half-way, or one that is not an array', async () => {
    const text = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ id: i + 1, surname: 'Smith' })));
    await expect(parseAll(text.slice(0, Math.floor(text.length / 2)))).rejects.toBeInstanceOf(MalformedReply);
    await expect(parseAll(text.slice(0, 100))).rejects.toBeInstanceOf(MalformedReply);
    await expect(parseAll('<html><body>Bad gateway</body></html>')).rejects.toBeInstanceOf(MalformedReply);
    await expect(parseAll('{"error":"nope"}')).rejects.toBeInstanceOf(MalformedReply);
    await expect(parseAll(`<html>${'x'.repeat(2 << 20)}`)).rejects.toBeInstanceOf(MalformedReply);
  });
});
