// Form drafts in the encrypted replica, as the renderer meets them through the real dispatcher on a
// real app core: a half-written completion is kept, read back (also after a restart), and forgotten
// once cleared; the replica file and its WAL never hold the note in plaintext; keys and drafts outside
// the contract's bounds are refused; and migration 0007 adds the table without touching what was there.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { LIMITS } from '../../shared/ipc/fields.js';
import type { Channel } from '../../shared/ipc/contract.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { dispatchOk } from '../support/dispatch-calls.js';

const NOTE = 'Zephaniah disclosed a relapse; safeguarding lead informed';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCore(dataDir: string): Promise<{ core: AppCore; dispatcher: Dispatcher }> {
  const core = await createAppCore({ dataDir, keyProvider: new StaticKeyProvider(TEST_KEY), pushAfterEditMs: null });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await core.stop();
    stopped = true;
  };
  cleanups.push(stop);
  return { core: { ...core, stop }, dispatcher: createDispatcher(core.services, { isTrustedSender: () => true }) };
}

const call = dispatchOk;

function newDataDir(): string {
  const dir = tempDir('caseworker-drafts-');
  cleanups.unshift(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('a form draft kept in the replica', () => {
  it('is read back after a save, after a restart, and is gone once cleared', async () => {
    const dataDir = newDataDir();
    let { core, dispatcher } = await startCore(dataDir);
    const draft = { description: NOTE, travel_time: '12', stage: 4, 'next.enabled': true, priority: null };

    expect(await call(dispatcher, 'drafts:get', { key: 'complete-contact:88' })).toEqual({ draft: null, savedAt: null });
    const { savedAt } = await call(dispatcher, 'drafts:save', { key: 'complete-contact:88', draft });
    expect(await call(dispatcher, 'drafts:get', { key: 'complete-contact:88' })).toEqual({ draft, savedAt });
    expect(await call(dispatcher, 'drafts:get', { key: 'complete-contact:89' })).toEqual({ draft: null, savedAt: null });

    // A later save replaces the draft; a draft of a record not yet sent has a negative id.
    await call(dispatcher, 'drafts:save', { key: 'complete-contact:88', draft: { ...draft, travel_time: '15' } });
    await call(dispatcher, 'drafts:save', { key: 'client-edit:-3', draft: { surname: 'Okafor' } });
    expect(await call(dispatcher, 'drafts:count', {})).toEqual({ count: 2 });

    await core.stop();
    ({ core, dispatcher } = await startCore(dataDir));
    expect((await call(dispatcher, 'drafts:get', { key: 'complete-contact:88' })).draft).toEqual({ ...draft, travel_time: '15' });

    expect(await call(dispatcher, 'drafts:clear', { key: 'complete-contact:88' })).toEqual({ cleared: true });
    expect(await call(dispatcher, 'drafts:get', { key: 'complete-contact:88' })).toEqual({ draft: null, savedAt: null });
    expect(await call(dispatcher, 'drafts:clear', { key: 'complete-contact:88' })).toEqual({ cleared: false });
    expect(await call(dispatcher, 'drafts:clear-all', {})).toEqual({ cleared: 1 });
    expect(await call(dispatcher, 'drafts:count', {})).toEqual({ count: 0 });
  });

  it('never leaves the note in plaintext in the replica file or its WAL', async () => {
    const dataDir = newDataDir();
    const { core, dispatcher } = await startCore(dataDir);
    await call(dispatcher, 'drafts:save', { key: 'complete-contact:88', draft: { description: NOTE } });
    const file = core.replica().file;
    const plaintext = (bytes: Buffer) => bytes.includes('Zephaniah') || bytes.includes('safeguarding') || bytes.includes('complete-contact');

    // Before the checkpoint the row lives in the WAL; after the core stops, in the main file. Check both.
    const wal = fs.readFileSync(`${file}-wal`);
    expect(wal.length).toBeGreaterThan(0);
    expect(plaintext(wal)).toBe(false);
    await core.stop();
    for (const part of [file, `${file}-wal`]) {
      if (!fs.existsSync(part)) continue;
      const bytes = fs.readFileSync(part);
      expect(plaintext(bytes)).toBe(false);
      expect(bytes.includes('SQLite format 3')).toBe(false);
    }
    // The note is there, behind the key.
    const reopened = openReplicaWithKey({ file, key: TEST_KEY });
    cleanups.push(() => reopened.close());
    expect(reopened.sqlite.prepare('SELECT fields FROM drafts').pluck().get()).toContain('Zephaniah');
  });

  it('refuses keys and drafts outside the contract, and saves nothing', async () => {
    const { dispatcher } = await startCore(newDataDir());
    const refused = async <C extends Channel>(channel: C, input: unknown) => {
      const result = await dispatcher.dispatch(channel, input, 'test');
      return result.ok ? 'accepted' : result.error.code;
    };
    for (const key of ['', 'Complete:1', 'complete-contact:0', 'complete-contact:1;2', '../replica', 'x'.repeat(LIMITS.draftKey + 1), 'complete-contact:88:1']) {
      expect(await refused('drafts:save', { key, draft: { description: 'x' } }), key).toBe('VALIDATION');
    }
    const bad: unknown[] = [
      { description: { nested: 'object' } },
      { notes: ['a', 'list'] },
      { 'a.b.c': 'too deep' },
      { description: 'x'.repeat(LIMITS.description + 1) },
      Object.fromEntries(Array.from({ length: LIMITS.draftFields + 1 }, (_, i) => [`field${i}`, 1])),
      Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`field${i}`, 'x'.repeat(LIMITS.description)])),
    ];
    for (const [i, draft] of bad.entries()) expect(await refused('drafts:save', { key: 'client-new', draft }), `draft ${i}`).toBe('VALIDATION');
    expect(await call(dispatcher, 'drafts:count', {})).toEqual({ count: 0 });

    // A `__proto__` field is dropped by the schema (zod skips it), never stored nor set as a prototype.
    await call(dispatcher, 'drafts:save', { key: 'client-new', draft: JSON.parse('{"__proto__": {"polluted": "yes"}, "surname": "Okafor"}') as Record<string, string> });
    const back = (await call(dispatcher, 'drafts:get', { key: 'client-new' })).draft!;
    expect(Object.keys(back)).toEqual(['surname']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
