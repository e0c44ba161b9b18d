// @vitest-environment happy-dom
// The lists the renderer keeps of main's data — My actions and the outbox — against a stand-in for
// main behind the bridge (the preload's global): each loads, keeps its rows when a reload fails and
// says why, and shows an action's result at once, putting things back as they were if main refuses.
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../shared/ipc/contacts.js';
import type { OutboxEntry } from '../../shared/ipc/outbox.js';

type Reply = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };
type Handler = (input: any) => Promise<Reply>;

/** Main as the renderer sees it: one function per channel, answering with the envelope. */
const main: Record<string, Handler> = {};
const ok = (data: unknown): Reply => ({ ok: true, data });
const refused = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });

let stores: { useActionsStore: typeof import('../../renderer/src/stores/actions-store.js').useActionsStore; useOutboxStore: typeof import('../../renderer/src/stores/outbox-store.js').useOutboxStore };

beforeAll(async () => {
  // The bridge picks its transport when it is first imported: the stand-in must be there by then.
  (globalThis as Record<string, unknown>).caseworker = new Proxy({ on: () => () => undefined } as Record<string, unknown>, {
    get: (target, name: string) => target[name] ?? ((input: unknown) => main[name]!(input)),
  });
  stores = {
    useActionsStore: (await import('../../renderer/src/stores/actions-store.js')).useActionsStore,
    useOutboxStore: (await import('../../renderer/src/stores/outbox-store.js')).useOutboxStore,
  };
});

beforeEach(() => {
  setActivePinia(createPinia());
  for (const name of Object.keys(main)) delete main[name];
});

const action = (id: number, start: string): Action => ({
  contact: { id, referral: 7, client: 3, user: 12, start_date: start, end_date: start } as Action['contact'],
  client: { id: 3, first_name: 'Jo', surname: 'Bloggs' },
  referral: null,
  pending: false,
});

const entry = (id: number, state: OutboxEntry['state'] = 'failed'): OutboxEntry => ({
  id,
  createdAt: '2026-03-02T09:00:00.000Z',
  method: 'PUT',
  path: `clients/id/${id}`,
  group: 'clients',
  recordId: id,
  summary: `Change to client ${id}`,
  state,
  attempts: 1,
  data: { surname: 'Bloggs' },
  previous: { surname: 'Blogs' },
  lastError: null,
  conflict: null,
});

/** A reply main holds back until the test lets it go. */
function heldReply() {
  let release!: (reply: Reply) => void;
  const reply = new Promise<Reply>((resolve) => (release = resolve));
  return { reply, release };
}

describe('My actions', () => {
  it('loads, and a failed reload keeps the actions shown and says why until the next load works', async () => {
    const store = stores.useActionsStore();
    main['actions:list'] = async () => ok({ actions: [action(1, '2026-03-02 09:00:00'), action(2, '2026-03-03 09:00:00')] });
    await store.load();
    expect(store.actions.map((a) => a.contact.id)).toEqual([1, 2]);
    expect([store.loaded, store.loading, store.error]).toEqual([true, false, null]);

    main['actions:list'] = async () => refused('INTERNAL', 'The replica could not be read.');
    await store.load();
    expect(store.actions.map((a) => a.contact.id)).toEqual([1, 2]);
    expect(store.error).toMatchObject({ code: 'INTERNAL', message: 'The replica could not be read.' });

    main['actions:list'] = async () => ok({ actions: [action(2, '2026-03-03 09:00:00')] });
    await store.load();
    expect(store.actions.map((a) => a.contact.id)).toEqual([2]);
    expect(store.error).toBeNull();
  });

  it('completing takes the action off at once, and a reload while the save is on its way does not bring it back', async () => {
    const store = stores.useActionsStore();
    main['actions:list'] = async () => ok({ actions: [action(1, '2026-03-02 09:00:00'), action(2, '2026-03-03 09:00:00')] });
    await store.load();
    const save = heldReply();
    main['contacts:complete'] = () => save.reply;
    const completing = store.complete({ id: 1, notes: 'Visited' } as never);
    expect(store.actions.map((a) => a.contact.id)).toEqual([2]);
    await store.load(); // main still lists it: the save has not landed
    expect(store.actions.map((a) => a.contact.id)).toEqual([2]);
    save.release(ok({ id: 1, outboxId: 9, nextAction: null }));
    await expect(completing).resolves.toMatchObject({ id: 1, outboxId: 9 });
  });

  it('a completion main refuses puts the action back in date order and passes the reason on', async () => {
    const store = stores.useActionsStore();
    main['actions:list'] = async () => ok({ actions: [action(1, '2026-03-02 09:00:00'), action(2, '2026-03-03 09:00:00')] });
    await store.load();
    main['contacts:complete'] = async () => refused('VALIDATION', 'notes: too long');
    await expect(store.complete({ id: 1, notes: 'x' } as never)).rejects.toMatchObject({ code: 'VALIDATION', message: 'notes: too long' });
    expect(store.actions.map((a) => a.contact.id)).toEqual([1, 2]);
  });
});

describe('the outbox', () => {
  it('loads, and a failed reload keeps the entries shown and says why', async () => {
    const store = stores.useOutboxStore();
    main['outbox:list'] = async () => ok({ entries: [entry(4), entry(5, 'pending')] });
    await store.load();
    expect(store.entries.map((e) => [e.id, e.state])).toEqual([
      [4, 'failed'],
      [5, 'pending'],
    ]);
    main['outbox:list'] = async () => refused('INTERNAL', 'The replica could not be read.');
    await store.load();
    expect(store.entries).toHaveLength(2);
    expect(store.error).toMatchObject({ code: 'INTERNAL' });
    expect(store.loaded).toBe(true);
  });

  it('a retry shows "sending" at once and then the entry as main returns it', async () => {
    const store = stores.useOutboxStore();
    main['outbox:list'] = async () => ok({ entries: [entry(4)] });
    await store.load();
    const reply = heldReply();
    main['outbox:retry'] = () => reply.reply;
    const retrying = store.retry(4);
    expect(store.entries[0]!.state).toBe('sending');
    reply.release(ok({ entry: entry(4, 'pending') }));
    await retrying;
    expect(store.entries[0]!.state).toBe('pending');
  });

  it('a discard main refuses puts the entry back where it was', async () => {
    const store = stores.useOutboxStore();
    main['outbox:list'] = async () => ok({ entries: [entry(4), entry(5)] });
    await store.load();
    main['outbox:discard'] = async () => refused('CONFLICT', 'Entry 4 is being sent.');
    await expect(store.discard(4)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(store.entries.map((e) => e.id)).toEqual([4, 5]);
  });
});
