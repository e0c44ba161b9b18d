// Dictionaries and selectable fields change rarely, so sync refreshes them on a slow cadence (once
// a day by default, on `--full`, or when a record arrives carrying a dictionary id the replica has
// never seen), not on every run. A table the server does not have (404) is skipped, not fatal.

import { DICTIONARY_TABLES, RECORD_GROUPS, RELATIONSHIP_DICTIONARIES, dictionaryFor, type RecordGroup } from '../../shared/dizions/model.js';
import type { DictionaryEntry } from '../../shared/dizions/assumptions.js';
import { DizionsError } from '../api/errors.js';
import { withRetries } from '../api/retry.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, getSyncState, selectableFieldNames, setSelectableFields, setSyncState, upsertDictionary } from '../db/records.js';
import type { FetchContext } from './fetch.js';
import { runLimited } from './pool.js';

type Handle = Pick<Replica, 'sqlite'>;

export const DICTIONARY_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Small replies: a few in flight is plenty. */
const CONCURRENCY = 4;

/** Every table sync keeps: the model's dictionaries plus the two relationship dictionaries. */
export const ALL_DICTIONARY_TABLES: readonly string[] = [...DICTIONARY_TABLES, ...RELATIONSHIP_DICTIONARIES];

/** Whether the whole set is due: never fetched, older than `maxAgeMs`, or a full sync. */
export function dictionariesDue(replica: Handle, now: Date, maxAgeMs: number, full: boolean): boolean {
  if (full) return true;
  const at = getSyncState<string>(replica, SYNC_KEYS.dictionariesFetchedAt);
  if (typeof at !== 'string') return true;
  const fetched = Date.parse(at);
  return Number.isNaN(fetched) || now.getTime() - fetched >= maxAgeMs;
}

async function retried<T>(context: FetchContext, fn: () => Promise<T>): Promise<T> {
  return withRetries(fn, {
    ...context.retry,
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.onRetry ? { onRetry: context.onRetry } : {}),
  });
}

function isMissing(error: unknown): boolean {
  return error instanceof DizionsError && error.kind === 'rejected' && error.status === 404;
}

/** Fetches the given dictionary tables (`organisations/district`, `relationships`, …); returns how many were stored. */
export async function refreshDictionaryTables(context: FetchContext, replica: Handle, tables: readonly string[], onTable?: () => void): Promise<number> {
  let stored = 0;
  await runLimited(
    tables,
    CONCURRENCY,
    async (table) => {
      const call = context.signal ? { signal: context.signal } : {};
      let entries: DictionaryEntry[];
      try {
        if (table === 'relationships' || table === 'carer_relationships') {
          entries = await retried(context, () => context.client.relationships(table === 'carer_relationships', call));
        } else {
          const [apiGroup, name] = table.split('/') as [string, string];
          entries = await retried(context, () => context.client.dictionary(apiGroup, name, call));
        }
      } catch (error) {
        if (isMissing(error)) return; // this server has no such dictionary
        throw error;
      }
      upsertDictionary(replica, table, entries);
      stored++;
      onTable?.();
    },
    context.signal,
  );
  return stored;
}

/** Fetches `<group>/selectable_fields` for every record group and keeps the replies. */
export async function refreshSelectableFields(context: FetchContext, replica: Handle): Promise<void> {
  await runLimited(
    RECORD_GROUPS,
    CONCURRENCY,
    async (group) => {
      try {
        const fields = await retried(context, () => context.client.selectableFields(group, context.signal ? { signal: context.signal } : {}));
        setSelectableFields(replica, group, fields);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
    context.signal,
  );
}

export function markDictionariesFetched(replica: Handle, now: Date): void {
  setSyncState(replica, SYNC_KEYS.dictionariesFetchedAt, now.toISOString());
}

/**
 * The fields to ask for when fetching a group's records: every selectable field (so single-record
 * extension fields and relationships arrive too), or undefined for the server's defaults.
 */
export function fetchFields(replica: Handle, group: RecordGroup): string[] | undefined {
  const names = selectableFieldNames(replica, group).filter((n) => /^[a-z][a-z0-9_]*$/.test(n));
  if (names.length === 0) return undefined;
  for (const required of ['updated', 'id']) if (!names.includes(required)) names.unshift(required);
  return names;
}

/** Watches ingested records for dictionary ids the replica does not hold, table by table. */
export class DictionaryWatch {
  private readonly known = new Map<string, Set<number>>();
  private readonly unknown = new Set<string>();

  constructor(private readonly replica: Handle) {
    this.reload();
  }

  /** Re-reads the ids the replica holds (after a refresh). */
  reload(): void {
    this.known.clear();
    const rows = this.replica.sqlite.prepare('SELECT table_ref, id FROM dictionaries').raw(true).all() as Array<[string, number]>;
    for (const [table, id] of rows) {
      let ids = this.known.get(table);
      if (!ids) this.known.set(table, (ids = new Set()));
      ids.add(id);
    }
  }

  note(group: RecordGroup, records: ReadonlyArray<Record<string, unknown>>): void {
    const fields = Object.keys(records[0] ?? {}).flatMap((field) => {
      const table = dictionaryFor(group, field);
      return table ? [[field, table] as const] : [];
    });
    // Field by field: a table already known to lack an id is not looked at again (a fill passes
    // every record of a group through here).
    for (const [field, table] of fields) {
      if (this.unknown.has(table)) continue;
      const known = this.known.get(table);
      for (const record of records) {
        const value = record[field];
        if (typeof value !== 'number') continue; // null, or a name when resolveIds was used
        if (!known?.has(value)) {
          this.unknown.add(table);
          break;
        }
      }
    }
  }

  /** Tables holding at least one id seen in a record but not in the replica. */
  tablesToRefresh(): string[] {
    return [...this.unknown].sort();
  }
}
