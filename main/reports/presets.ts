// The reports managers and funders ask field teams for most, ready to run: plain Dizions report
// paths, so each also works against the server unchanged. "This month" is the calendar month in UK
// time; "me" is the user the replica syncs as (presets for "me" are left out until it has synced).

import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, getSyncState } from '../db/records.js';

export interface ReportPreset {
  id: string;
  title: string;
  path: string;
  sums: boolean;
}

/** `[first, last]` day of the calendar month `now` falls in, UK time. */
export function monthOf(now: Date): [string, string] {
  const month = formatServerTimestamp(now).slice(0, 7);
  const [year, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return [`${month}-01`, `${month}-${String(last).padStart(2, '0')}`];
}

/** The presets for a user (`me`, the id contacts carry in `user`) at `now`. */
export function presetsFor(me: number | undefined, now: Date = new Date()): ReportPreset[] {
  const [from, to] = monthOf(now);
  const mine: ReportPreset[] =
    me === undefined
      ? []
      : [
          { id: 'my-contacts-this-month', title: 'My contacts this month, by day', path: `done_contacts/dimension/day/date_active/${from},${to}/user/${me}`, sums: false },
          { id: 'my-due-actions-by-week', title: 'My due actions, by week', path: `due_contacts/dimension/week/user/${me}`, sums: false },
        ];
  return [
    ...mine,
    { id: 'clients-by-district-gender', title: 'Clients by district and gender', path: 'clients/dimension/district/metric/gender', sums: false },
    { id: 'travel-by-project', title: 'Travel time and miles, by project', path: 'done_contacts/dimension/project', sums: true },
    { id: 'referrals-by-stage', title: 'Referrals by stage', path: 'referrals/dimension/stage', sums: false },
  ];
}

/** The presets for the user this replica syncs as. */
export function reportPresets(replica: Pick<Replica, 'sqlite'>, now: Date = new Date()): ReportPreset[] {
  const me = getSyncState<number>(replica, SYNC_KEYS.me);
  return presetsFor(typeof me === 'number' ? me : undefined, now);
}
