// Dictionary names for the ids records carry (`referrals/project` 3 → "Befriending"), and the
// workers, fetched once per page life from the replica and shared by every view. A dictionary the
// replica does not hold answers empty, so a screen shows the id rather than failing.

import { defineStore } from 'pinia';
import { shallowReactive, shallowRef } from 'vue';
import { dictionaryFor } from '../../../shared/dizions/model.js';
import type { DictionaryEntry } from '../../../shared/ipc/dictionaries.js';
import type { Worker } from '../../../shared/ipc/settings.js';
import { call, IpcError } from '../api/bridge.js';

async function fetchEntries(table: string): Promise<DictionaryEntry[]> {
  const reply: { entries: DictionaryEntry[] } = await call('dictionaries:get', { table });
  return reply.entries;
}

export const useDictionariesStore = defineStore('dictionaries', () => {
  const tables = shallowReactive(new Map<string, DictionaryEntry[]>());
  const workers = shallowRef<Worker[]>([]);
  const inFlight = new Map<string, Promise<DictionaryEntry[]>>();
  let workersLoaded: Promise<Worker[]> | null = null;

  function load(table: string): Promise<DictionaryEntry[]> {
    const held = tables.get(table);
    if (held) return Promise.resolve(held);
    let request = inFlight.get(table);
    if (!request) {
      request = fetchEntries(table)
        .catch((error: unknown) => {
          if (error instanceof IpcError && error.code === 'NOT_FOUND') return [];
          throw error;
        })
        .then((entries) => {
          tables.set(table, entries);
          return entries;
        })
        .finally(() => inFlight.delete(table));
      inFlight.set(table, request);
    }
    return request;
  }

  function loadMany(list: readonly string[]): Promise<DictionaryEntry[][]> {
    return Promise.all(list.map(load));
  }

  function loadWorkers(force = false): Promise<Worker[]> {
    if (!workersLoaded || force) {
      workersLoaded = call('dictionaries:workers', {}).then((r) => (workers.value = r.workers));
      workersLoaded.catch(() => (workersLoaded = null));
    }
    return workersLoaded;
  }

  function entries(table: string): DictionaryEntry[] {
    return tables.get(table) ?? [];
  }

  /** The name of `id` in `table`, or the id itself (as text) when the name is not known. */
  function name(table: string, id: unknown): string {
    if (id === null || id === undefined || id === '') return '';
    const found = tables.get(table)?.find((e) => e.id === Number(id));
    return found ? found.name : String(id);
  }

  /** The name of a record field's value, through the data model's dictionary map. */
  function fieldName(group: string, field: string, value: unknown): string {
    const table = dictionaryFor(group, field);
    return table ? name(table, value) : value === null || value === undefined ? '' : String(value);
  }

  function workerName(id: unknown): string {
    if (id === null || id === undefined) return '';
    const w = workers.value.find((x) => x.id === Number(id));
    return w ? `${w.first_name ?? ''} ${w.surname ?? ''}`.trim() : `Worker ${String(id)}`;
  }

  function userName(user: unknown): string {
    if (user === null || user === undefined) return '';
    const w = workers.value.find((x) => x.user === Number(user));
    return w ? `${w.first_name ?? ''} ${w.surname ?? ''}`.trim() : `User ${String(user)}`;
  }

  return { tables, workers, load, loadMany, loadWorkers, entries, name, fieldName, workerName, userName };
});
