// actions:list — "My actions": the due contacts of one login (default: me), soonest first, with
// their client, referral and whether an edit of them still waits in the outbox. Dates are compared
// as the API writes them (UK local `YYYY-MM-DD HH:MM:SS`), so "today" is today in Europe/London,
// and the overdue/today/upcoming split the screen makes needs nothing more from here.

import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import type { Action } from '../../shared/ipc/contacts.js';
import type { ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import { dueActionsOf } from '../db/action-queries.js';
import type { Replica } from '../db/open.js';
import type { Services } from '../ipc/services.js';
import { referralRecord, stageStatuses } from '../db/record-queries.js';
import { clientSummaryOf, contactView, referralView } from './record-views.js';

type Handle = Pick<Replica, 'sqlite'>;

const DEFAULT_LIMIT = 500;

export type ActionGroup = 'overdue' | 'today' | 'upcoming';

/** Where an action falls for someone in the UK now: before today, today, or later (by its start). */
export function actionGroup(startDate: string | null, now: Date = new Date()): ActionGroup {
  const today = formatServerTimestamp(now).slice(0, 10);
  const day = (startDate ?? '').slice(0, 10);
  if (day === '' || day > today) return 'upcoming';
  return day === today ? 'today' : 'overdue';
}

export function listActions(replica: Handle, input: ChannelInput<'actions:list'>, me: number | null): ChannelOutput<'actions:list'> {
  const user = input.user ?? me;
  if (user === null) return { actions: [] };
  const sqlite = replica.sqlite;
  const rows = dueActionsOf(sqlite, {
    user,
    from: input.from === undefined ? undefined : `${input.from} 00:00:00`,
    to: input.to === undefined ? undefined : `${input.to} 23:59:59`,
    limit: input.limit ?? DEFAULT_LIMIT,
  });

  const statuses = stageStatuses(sqlite);
  const actions: Action[] = rows.map((row) => {
    const contact = contactView(row.raw);
    const referralRaw = typeof contact.referral === 'number' ? referralRecord(sqlite, contact.referral) : undefined;
    const referral = referralRaw ? referralView(referralRaw, statuses) : null;
    const clientId = typeof contact.client === 'number' ? contact.client : typeof referral?.client === 'number' ? referral.client : null;
    return {
      contact: contact as Action['contact'],
      client: clientSummaryOf(sqlite, clientId),
      referral: referral as Action['referral'],
      pending: row.pending,
    };
  });
  return { actions };
}

/** `me` is the login "My actions" shows when the screen names none (Settings → Who I am). */
export function createActionServices(replica: () => Handle, me: () => number | null): Pick<Services, 'actions:list'> {
  return {
    'actions:list': async (input) => listActions(replica(), input, me()),
  };
}
