// The groups a file can be made visible to (`group_visibility`). No list of groups is documented:
// the app asks the dictionaries named in assumptions.ts (UPLOAD_GROUP_DICTIONARIES, read-only) and
// keeps what one answers; otherwise an admin names the groups in Settings. Each person's last
// choice in the attach dialog is remembered under their login. All of it lives in sync_state.

import { UPLOAD_GROUP_DICTIONARIES } from '../../shared/dizions/assumptions.js';
import type { UploadGroup, UploadGroupsView, VisibilityChoice } from '../../shared/ipc/upload-groups.js';
import type { DizionsClient } from '../api/client.js';
import { DizionsError } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { getSyncState, setSyncState } from '../db/records.js';
import type { Services } from '../ipc/services.js';
import { myUserId } from './settings.js';

type Handle = Pick<Replica, 'sqlite'>;

const GROUPS_KEY = 'app:upload_groups';
const rememberKey = (user: number | null) => `app:upload_visibility:${user ?? 'anyone'}`;

interface StoredGroups {
  source: 'dictionary' | 'settings';
  dictionary: string | null;
  groups: UploadGroup[];
}

function stored(replica: Handle): StoredGroups | null {
  const value = getSyncState<StoredGroups>(replica, GROUPS_KEY);
  return value && Array.isArray(value.groups) ? value : null;
}

export function uploadGroupsView(replica: Handle): UploadGroupsView {
  const groups = stored(replica);
  const remembered = getSyncState<VisibilityChoice>(replica, rememberKey(myUserId(replica)));
  return {
    groups: groups?.groups ?? [],
    source: groups ? groups.source : 'none',
    dictionary: groups?.dictionary ?? null,
    remembered: remembered && Array.isArray(remembered.user_visibility) && Array.isArray(remembered.group_visibility) ? remembered : null,
  };
}

/** `[{id, name}]` entries with a positive id and a name; anything else in the reply is ignored. */
function groupsOf(entries: ReadonlyArray<Record<string, unknown>>): UploadGroup[] {
  return entries.flatMap((e) =>
    typeof e.id === 'number' && Number.isInteger(e.id) && e.id > 0 && typeof e.name === 'string' && e.name.trim() !== '' ? [{ id: e.id, name: e.name.trim().slice(0, 200) }] : [],
  );
}

/** Asks each candidate dictionary in turn; the first that answers with groups wins. */
export async function lookUpGroupDictionary(client: DizionsClient): Promise<{ dictionary: string; groups: UploadGroup[] } | null> {
  for (const table of UPLOAD_GROUP_DICTIONARIES) {
    const [apiGroup, name] = table.split('/') as [string, string];
    try {
      const groups = groupsOf((await client.dictionary(apiGroup, name)) as Array<Record<string, unknown>>);
      if (groups.length > 0) return { dictionary: `dictionary/${table}`, groups };
    } catch (error) {
      if (error instanceof DizionsError && error.kind === 'rejected') continue; // no such dictionary here
      throw error;
    }
  }
  return null;
}

export interface UploadGroupsContext {
  replica: () => Handle;
  /** A client for the current connection (closed here); throws a ServiceError when there is none. */
  client: () => DizionsClient;
}

export function createUploadGroupServices(context: UploadGroupsContext): Pick<Services, 'groups:list' | 'groups:set' | 'groups:look-up' | 'groups:remember'> {
  return {
    'groups:list': async () => uploadGroupsView(context.replica()),

    'groups:set': async ({ groups }) => {
      const replica = context.replica();
      setSyncState(replica, GROUPS_KEY, { source: 'settings', dictionary: null, groups } satisfies StoredGroups);
      return uploadGroupsView(replica);
    },

    'groups:look-up': async () => {
      const client = context.client();
      let found;
      try {
        found = await lookUpGroupDictionary(client);
      } finally {
        await client.close();
      }
      const replica = context.replica();
      if (!found) {
        return {
          found: false,
          message: `The server has no groups dictionary (asked ${UPLOAD_GROUP_DICTIONARIES.map((t) => `dictionary/${t}`).join(' and ')}). Name the groups below, with the ids Charitylog shows for them.`,
          view: uploadGroupsView(replica),
        };
      }
      setSyncState(replica, GROUPS_KEY, { source: 'dictionary', dictionary: found.dictionary, groups: found.groups } satisfies StoredGroups);
      return { found: true, message: `Found ${found.groups.length} group${found.groups.length === 1 ? '' : 's'} in ${found.dictionary}.`, view: uploadGroupsView(replica) };
    },

    'groups:remember': async (choice) => {
      const replica = context.replica();
      setSyncState(replica, rememberKey(myUserId(replica)), choice);
      return { remembered: choice };
    },
  };
}
