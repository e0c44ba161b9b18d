// What a sync brings down: who "me" is, and per group either "my caseload" (the default) or an
// explicit path of the API's own grammar that replaces the default for that group, time window
// included. Settings persist in the replica's sync_state, so the next sync (and `status`) knows them.
//
// The default, for user `me` whose /workers record is `myWorker`:
// (plus, for each multiple-record extension database asked for, its rows of the referrals in scope)
//   due_contacts  due_contacts/user/<me>
//   referrals     the referrals of those due contacts
//   clients       the clients of those referrals, clients/usual_support_worker/<myWorker>, and the
//                 clients created on this device (the server shows a user the clients they created)
//   done_contacts the done contacts of the referrals in scope, date_active within the window (12 months)
//   schedules     schedules/worker/<myWorker>
//   workers       all (and every dictionary, always)

import { RECORD_GROUPS, isRecordGroup, type RecordGroup } from '../../shared/dizions/model.js';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { GrammarError, isExtensionDatabaseName, parsePath, printPath, type RecordsPath } from '../../shared/url-grammar.js';
import { SYNC_KEYS, deleteSyncState, getSyncState, setSyncState } from '../db/records.js';
import type { Replica } from '../db/open.js';

type Handle = Pick<Replica, 'sqlite'>;

export const DEFAULT_DONE_WINDOW_MONTHS = 12;
export const DONE_WINDOW_KEY = 'done_window_months';
export const EXTENSIONS_KEY = 'extension_databases';

/** A `--scope` value is wrong: the message says which part and why. */
export class ScopeError extends Error {
  override name = 'ScopeError';
}

export interface ScopeSettings {
  /** The user id the person picked (what contacts carry in `user`). */
  me: number;
  /** Explicit per-group paths (printed canonically); a group absent here takes the default. */
  explicit: Partial<Record<RecordGroup, string>>;
  doneWindowMonths: number;
  /** Multiple-record extension databases to keep (`wellcheck_notes_9`): their rows for the referrals in scope. */
  extensionDatabases: string[];
}

/** Checks a user id given on the command line, in the environment or by the app. */
export function parseUserId(value: string | number, where: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) {
    throw new ScopeError(`${where} must be a user id (a positive whole number), got "${text}"`);
  }
  return Number(text);
}

/**
 * Checks an explicit scope for `group`: a records path of that group with filters only (sync adds
 * `/field/` and the batching itself). Returns the path printed canonically.
 */
export function checkScopePath(group: string, text: string): string {
  if (!isRecordGroup(group)) throw new ScopeError(`"${group}" is not a group sync keeps (${RECORD_GROUPS.join(', ')})`);
  let path;
  try {
    path = parsePath(text);
  } catch (error) {
    if (error instanceof GrammarError) throw new ScopeError(`scope for ${group}: ${error.message}`);
    throw error;
  }
  if (path.kind !== 'records' || path.group !== group || path.extensionDatabase) {
    throw new ScopeError(`scope for ${group} must be a ${group} path such as ${group}/id/1;2, got "${text}"`);
  }
  if (path.fields || path.report || path.uploads || path.resolveIds) {
    throw new ScopeError(`scope for ${group} takes filters only (no field/, dimension/, uploads or resolveIds): "${text}"`);
  }
  return printPath(path);
}

/** Parses one `GROUP=PATH` argument; PATH `default` puts the group back on "my caseload". */
export function parseScopeArgument(argument: string): { group: RecordGroup; path: string | 'default' } {
  const eq = argument.indexOf('=');
  if (eq <= 0) throw new ScopeError(`--scope takes GROUP=PATH, e.g. referrals=referrals/project/5;7 (got "${argument}")`);
  const group = argument.slice(0, eq).trim();
  const text = argument.slice(eq + 1).trim();
  if (!isRecordGroup(group)) throw new ScopeError(`--scope: "${group}" is not a group sync keeps (${RECORD_GROUPS.join(', ')})`);
  if (text === 'default') return { group, path: 'default' };
  return { group, path: checkScopePath(group, text) };
}

/** The scope stored in the replica by the last sync (undefined me when none ever ran). */
export function loadScopeSettings(replica: Handle): Omit<ScopeSettings, 'me'> & { me: number | undefined } {
  const explicit: Partial<Record<RecordGroup, string>> = {};
  for (const group of RECORD_GROUPS) {
    const stored = getSyncState<string>(replica, SYNC_KEYS.scope(group));
    if (typeof stored === 'string') explicit[group] = stored;
  }
  const me = getSyncState<number>(replica, SYNC_KEYS.me);
  const months = getSyncState<number>(replica, DONE_WINDOW_KEY);
  const extensions = getSyncState<string[]>(replica, EXTENSIONS_KEY);
  return {
    me: typeof me === 'number' ? me : undefined,
    explicit,
    doneWindowMonths: typeof months === 'number' ? months : DEFAULT_DONE_WINDOW_MONTHS,
    extensionDatabases: Array.isArray(extensions) ? extensions.filter((e) => typeof e === 'string') : [],
  };
}

export function saveScopeSettings(replica: Handle, settings: ScopeSettings): void {
  replica.sqlite.transaction(() => {
    setSyncState(replica, SYNC_KEYS.me, settings.me);
    setSyncState(replica, DONE_WINDOW_KEY, settings.doneWindowMonths);
    setSyncState(replica, EXTENSIONS_KEY, settings.extensionDatabases);
    for (const group of RECORD_GROUPS) {
      const path = settings.explicit[group];
      if (path === undefined) deleteSyncState(replica, SYNC_KEYS.scope(group));
      else setSyncState(replica, SYNC_KEYS.scope(group), path);
    }
  })();
}

/** Merges `--scope` arguments over the stored explicit scopes (`default` removes one). */
export function mergeScopes(stored: Partial<Record<RecordGroup, string>>, given: ReadonlyArray<{ group: RecordGroup; path: string }>): Partial<Record<RecordGroup, string>> {
  const out = { ...stored };
  for (const { group, path } of given) {
    if (path === 'default') delete out[group];
    else out[group] = checkScopePath(group, path);
  }
  return out;
}

/** Checks extension database names (`wellcheck_notes_9`, or the current manual's `wellcheck_notes`); `none` alone means "keep none". */
export function parseExtensionDatabases(names: readonly string[]): string[] {
  if (names.length === 1 && names[0] === 'none') return [];
  for (const name of names) {
    if (!isExtensionDatabaseName(name)) throw new ScopeError(`--extension takes an extension database's API name, e.g. wellcheck_notes or wellcheck_notes_9 (got "${name}")`);
  }
  return [...new Set(names)].sort();
}

/** The explicit path of a group, parsed (undefined when the group takes the default). */
export function explicitPath(settings: ScopeSettings, group: RecordGroup): RecordsPath | undefined {
  const text = settings.explicit[group];
  if (text === undefined) return undefined;
  return parsePath(text) as RecordsPath;
}

/** `[from, to]` dates of the done-contacts window ending today (server time). */
export function doneWindow(now: Date, months: number): [string, string] {
  const today = formatServerTimestamp(now).slice(0, 10);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const totalMonths = y * 12 + (m - 1) - months;
  const fromYear = Math.floor(totalMonths / 12);
  const fromMonth = (totalMonths % 12) + 1;
  const lastDay = new Date(Date.UTC(fromYear, fromMonth, 0)).getUTCDate();
  const from = `${String(fromYear).padStart(4, '0')}-${String(fromMonth).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
  return [from, today];
}

/** In words, per group: what the scope is (for `status` and the sync summary). */
export function describeScope(settings: Pick<ScopeSettings, 'me' | 'explicit' | 'doneWindowMonths'>, myWorker: number | null | undefined): Record<RecordGroup, string> {
  const worker = myWorker ?? null;
  const defaults: Record<RecordGroup, string> = {
    due_contacts: `due_contacts/user/${settings.me}`,
    referrals: 'the referrals of the due contacts in scope',
    clients: worker === null ? 'the clients of the referrals in scope' : `the clients of the referrals in scope, and clients/usual_support_worker/${worker}`,
    done_contacts: `the done contacts of the referrals in scope, date_active within the last ${settings.doneWindowMonths} months`,
    schedules: worker === null ? 'none (no /workers record belongs to this user)' : `schedules/worker/${worker}`,
    workers: 'workers',
  };
  const out = {} as Record<RecordGroup, string>;
  for (const group of RECORD_GROUPS) out[group] = settings.explicit[group] ?? defaults[group];
  return out;
}
