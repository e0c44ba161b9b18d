// The outbox as main holds it: edits made here and waiting to be sent exactly once. Acting on an
// entry shows the result at once (optimistic) and puts the entry back as it was if main refuses.

import { defineStore } from 'pinia';
import type { OutboxEntry } from '../../../shared/ipc/outbox.js';
import { call } from '../api/bridge.js';
import { useLoadedList } from './loaded-list.js';

export const useOutboxStore = defineStore('outbox', () => {
  const {
    items: entries,
    loading,
    loaded,
    error,
    load,
  } = useLoadedList(async () => {
    const reply: { entries: OutboxEntry[] } = await call('outbox:list', {});
    return reply.entries;
  });

  /** Applies `change` to the list now; restores the list if `action` fails. */
  async function optimistic<T>(change: (list: OutboxEntry[]) => OutboxEntry[], action: () => Promise<T>, settle: (result: T, list: OutboxEntry[]) => OutboxEntry[]): Promise<T> {
    const before = entries.value;
    entries.value = change(before);
    try {
      const result = await action();
      entries.value = settle(result, entries.value);
      return result;
    } catch (e) {
      entries.value = before;
      throw e;
    }
  }

  const replace = (entry: OutboxEntry) => (list: OutboxEntry[]) => list.map((e) => (e.id === entry.id ? entry : e));
  const without = (id: number) => (list: OutboxEntry[]) => list.filter((e) => e.id !== id);
  const withState = (id: number, state: OutboxEntry['state']) => (list: OutboxEntry[]) => list.map((e) => (e.id === id ? { ...e, state } : e));

  const retry = (id: number) =>
    optimistic(
      withState(id, 'sending'),
      () => call('outbox:retry', { id }),
      (r, list) => replace(r.entry)(list),
    );
  const sendAgain = (id: number) =>
    optimistic(
      withState(id, 'sending'),
      () => call('outbox:send-again', { id }),
      (r, list) => replace(r.entry)(list),
    );
  const discard = (id: number) =>
    optimistic(
      without(id),
      () => call('outbox:discard', { id }),
      (_r, list) => list,
    );
  const markDone = (id: number) =>
    optimistic(
      without(id),
      () => call('outbox:mark-done', { id }),
      (_r, list) => list,
    );
  const edit = (id: number, data: Record<string, string | number | null>) =>
    optimistic(
      (list) => list,
      () => call('outbox:edit', { id, data }),
      (r, list) => replace(r.entry)(list),
    );
  const resolve = (id: number, choices: Array<{ field: string; keep: 'mine' | 'theirs' }>) =>
    optimistic(
      without(id),
      () => call('outbox:resolve', { id, choices }),
      (r, list) => (r.entry ? [...list, r.entry].sort((a, b) => a.id - b.id) : list),
    );

  return { entries, loading, loaded, error, load, retry, sendAgain, discard, markDone, edit, resolve };
});
