// How fresh and how complete the replica is for one report: when it last synced, and whether the
// groups the report reads hold a scoped caseload (the default "my caseload", or an explicit path
// with filters) or everything the syncing user can see. The note says so in words, because a
// report over a scoped replica covers only what was synced, and people must not mistake it for
// the organisation's figure.

import { type RecordGroup } from '../../shared/dizions/model.js';
import { type RecordsPath } from '../../shared/url-grammar.js';
import { GROUP_TABLES } from '../db/groups.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, getSyncState } from '../db/records.js';
import { describeScope, explicitPath, loadScopeSettings } from '../sync/scope.js';
import type { ReportFreshness } from '../../shared/reports/report-table.js';

type Handle = Pick<Replica, 'sqlite'>;

const REFERRAL_COLUMNS = new Set(GROUP_TABLES.referrals.columns);
const CONTACT_COLUMNS = new Set(GROUP_TABLES.done_contacts.columns);

/** The synced groups a report path reads: its own, plus those its client_* / referral-level keys join. */
export function groupsRead(path: RecordsPath): RecordGroup[] {
  const group = path.group as RecordGroup;
  const keys = [...path.pairs.map((p) => p.key), path.report?.dimension, path.report?.metric].filter((k): k is string => k !== undefined);
  const out = new Set<RecordGroup>([group]);
  const contacts = group === 'due_contacts' || group === 'done_contacts';
  if ((contacts || group === 'referrals') && keys.some((k) => k.startsWith('client_'))) out.add('clients');
  if (contacts && keys.some((k) => REFERRAL_COLUMNS.has(k) && !CONTACT_COLUMNS.has(k))) out.add('referrals');
  // A referral is active in a range when it has a due or done contact in it.
  if (group === 'referrals' && keys.includes('date_active')) {
    out.add('due_contacts');
    out.add('done_contacts');
  }
  return [...out];
}

function personName(replica: Handle, user: number): string | undefined {
  const row = replica.sqlite.prepare(`SELECT trim(coalesce(first_name, '') || ' ' || coalesce(surname, '')) AS name FROM workers WHERE user = ? ORDER BY id LIMIT 1`).get(user) as
    { name: string } | undefined;
  return row && row.name !== '' ? row.name : undefined;
}

/**
 * Freshness of the replica for a report over `path`. A group counts as complete (not scoped) only
 * when sync was told to bring down the whole group (`clients=clients`): then the replica holds
 * everything the syncing user can see there, which is also all the server would count for them.
 */
export function replicaFreshness(replica: Handle, path: RecordsPath): ReportFreshness {
  const lastSyncedAt = getSyncState<string>(replica, SYNC_KEYS.lastSync) ?? null;
  const settings = loadScopeSettings(replica);
  if (path.group === 'extension_database' || settings.me === undefined) {
    return {
      lastSyncedAt,
      scoped: true,
      note:
        lastSyncedAt === null
          ? "Covers only what this replica holds: it has never completed a sync, so these are not the server's figures."
          : 'Covers what was synced to this device, not the whole organisation; changes since the last sync are not counted.',
    };
  }
  const me = settings.me;
  const resolved = { ...settings, me };
  const myWorker = getSyncState<number | null>(replica, SYNC_KEYS.myWorker) ?? null;
  const words = describeScope(resolved, myWorker);
  const read = groupsRead(path);
  const partial = read.filter((group) => {
    const explicit = explicitPath(resolved, group);
    return explicit === undefined || explicit.pairs.length > 0;
  });
  const who = personName(replica, me);
  const user = who ? `${who} (user ${me})` : `user ${me}`;
  const since = lastSyncedAt === null ? ' This replica has never completed a sync.' : ' Changes on the server since the last sync are not counted.';
  if (partial.length === 0) {
    return { lastSyncedAt, scoped: false, note: `Covers everything ${user} can see on the server, as synced to this device.${since}` };
  }
  const scope = partial.map((group) => `${group.replace('_', ' ')}: ${words[group]}`).join('; ');
  return {
    lastSyncedAt,
    scoped: true,
    note: `Covers what was synced to this device for ${user} (${scope}), not the whole organisation.${since}`,
  };
}
