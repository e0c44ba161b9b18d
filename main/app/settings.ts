// The app's settings, kept in the replica's sync_state beside sync's own: whether the demo runs and
// how often to sync (`app:` keys), who I am (sync's `me` and `my_worker`, shared with `caseworker
// sync`), and the scope (sync's `scope:<group>` keys, one explicit path per group, the rest "my
// caseload"). The Charitylog keys are never here: a ConnectionStore holds them, and the view masks them.

import { RECORD_GROUPS, type RecordGroup } from '../../shared/dizions/model.js';
import type { SettingsView } from '../../shared/ipc/settings.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, deleteSyncState, getSyncState, setSyncState } from '../db/records.js';
import { workerName } from '../db/workers.js';
import { ServiceError } from '../ipc/service-error.js';
import { ScopeError, checkScopePath, loadScopeSettings } from '../sync/scope.js';
import { parsePath } from '../../shared/url-grammar.js';
import { lastConnectionCheck } from './connection-check.js';
import { maskKey, type ConnectionStore } from './connection-store.js';

type Handle = Pick<Replica, 'sqlite'>;

export const APP_KEYS = {
  demo: 'app:demo',
  syncIntervalMinutes: 'app:sync_interval_minutes',
} as const;

export const DEFAULT_SYNC_INTERVAL_MINUTES = 15;

export function isDemo(replica: Handle): boolean {
  return getSyncState<boolean>(replica, APP_KEYS.demo) === true;
}

export function setDemo(replica: Handle, on: boolean): void {
  setSyncState(replica, APP_KEYS.demo, on);
}

export function syncIntervalMinutes(replica: Handle): number {
  const stored = getSyncState<number>(replica, APP_KEYS.syncIntervalMinutes);
  return typeof stored === 'number' && Number.isInteger(stored) && stored > 0 ? stored : DEFAULT_SYNC_INTERVAL_MINUTES;
}

export function setSyncIntervalMinutes(replica: Handle, minutes: number): void {
  setSyncState(replica, APP_KEYS.syncIntervalMinutes, minutes);
}

export function myUserId(replica: Handle): number | null {
  const me = getSyncState<number>(replica, SYNC_KEYS.me);
  return typeof me === 'number' ? me : null;
}

export function myWorkerId(replica: Handle): number | null {
  const worker = getSyncState<number | null>(replica, SYNC_KEYS.myWorker);
  return typeof worker === 'number' ? worker : null;
}

/** "This is me": the login contacts carry in `user`, and the /workers record, if the person has one. */
export function setMe(replica: Handle, user: number, worker: number | null): void {
  replica.sqlite.transaction(() => {
    setSyncState(replica, SYNC_KEYS.me, user);
    // Sync finds my worker from the workers list on its next run; until then, the person's choice stands.
    if (worker === null) deleteSyncState(replica, SYNC_KEYS.myWorker);
    else setSyncState(replica, SYNC_KEYS.myWorker, worker);
  })();
}

/** The person's name from the synced workers (by worker id, else by login), or a fallback. */
export function nameOfMe(replica: Handle, user: number, worker: number | null, fallback?: string): string {
  const row = workerName(replica.sqlite, user, worker);
  const name = row ? [row.first_name, row.surname].filter((part) => part && part.trim() !== '').join(' ') : '';
  return name || fallback || `Login ${user}`;
}

/** The explicit scope paths, one per group, in the groups' order. */
export function scopePaths(replica: Handle): string[] {
  const { explicit } = loadScopeSettings(replica);
  return RECORD_GROUPS.map((group) => explicit[group]).filter((path): path is string => path !== undefined);
}

/**
 * Checks a scope list (one path per group, filters only) and returns it by group, printed
 * canonically. A ServiceError names the line at fault.
 */
export function checkScopeList(scope: readonly string[]): Partial<Record<RecordGroup, string>> {
  const byGroup: Partial<Record<RecordGroup, string>> = {};
  scope.forEach((text, index) => {
    const line = `line ${index + 1}`;
    let group: string;
    try {
      const parsed = parsePath(text);
      group = parsed.kind === 'records' ? parsed.group : parsed.kind;
    } catch (error) {
      throw new ServiceError('VALIDATION', `${line}: ${(error as Error).message}`, { issues: [{ path: `scope.${index}`, message: (error as Error).message }] });
    }
    try {
      const printed = checkScopePath(group, text);
      if (byGroup[group as RecordGroup] !== undefined) throw new ScopeError(`${group} is already given on an earlier line: give one path per group`);
      byGroup[group as RecordGroup] = printed;
    } catch (error) {
      if (!(error instanceof ScopeError)) throw error;
      throw new ServiceError('VALIDATION', `${line}: ${error.message}`, { issues: [{ path: `scope.${index}`, message: error.message }] });
    }
  });
  return byGroup;
}

/** Replaces the explicit scope: the groups given take their path, every other group goes back to "my caseload". */
export function saveScope(replica: Handle, byGroup: Partial<Record<RecordGroup, string>>): void {
  replica.sqlite.transaction(() => {
    for (const group of RECORD_GROUPS) {
      const path = byGroup[group];
      if (path === undefined) deleteSyncState(replica, SYNC_KEYS.scope(group));
      else setSyncState(replica, SYNC_KEYS.scope(group), path);
    }
  })();
}

export interface SettingsViewContext {
  connections: ConnectionStore;
  /** Where the replica's key comes from (KeyProvider.describe()). */
  keySource: string;
  /** The demo user's name while the demo runs (before the first sync brings the workers). */
  demoUserName?: string | undefined;
}

/** settings:get — the keys masked, never whole. */
export function settingsView(replica: Handle, context: SettingsViewContext): SettingsView {
  const demo = isDemo(replica);
  const stored = demo ? null : context.connections.load();
  const user = myUserId(replica);
  const worker = myWorkerId(replica);
  return {
    connection: stored ? { baseUrl: stored.baseUrl, dialect: stored.dialect, keys: { source: maskKey(stored.source), org: maskKey(stored.org), user: maskKey(stored.user) } } : null,
    me: user === null ? null : { user, worker, name: nameOfMe(replica, user, worker, demo ? context.demoUserName : undefined) },
    scope: scopePaths(replica),
    syncIntervalMinutes: syncIntervalMinutes(replica),
    encryption: {
      replicaEncrypted: true,
      keySource: context.keySource,
      credentialsProtected: context.connections.protection().protected,
    },
    demo,
    connectionCheck: lastConnectionCheck(replica, stored),
  };
}
