// actions:list — "My actions": the due contacts of one login (default: me), soonest first, with
// their client, referral and whether an edit of them still waits in the outbox. Dates are compared
// as the API writes them (UK local `YYYY-MM-DD HH:MM:SS`), so "today" is today in Europe/London,
// and the overdue/today/upcoming split the screen makes needs nothing more from here.

import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import type { Action } from '../../shared/ipc/contacts.js';
import type { ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { Replica } from '../db/open.js';
import { clientSummaryOf, contactView, referralView, stageStatuses } from './record-views.js';

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
  const conditions = [`state = 'due'`, '"user" = @user'];
  const params: Record<string, unknown> = { user, limit: input.limit ?? DEFAULT_LIMIT };
  if (input.from !== undefined) {
    conditions.push('start_date >= @from');
    params.from = `${input.from} 00:00:00`;
  }
  if (input.to !== undefined) {
    conditions.push('start_date <= @to');
    params.to = `${input.to} 23:59:59`;
  }
  const rows = sqlite
    .prepare(
      `SELECT c.id, c.raw,
       EXISTS (SELECT 1 FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id
               WHERE r.family = 'contacts' AND r.record_id = c.id AND r.role = 'target' AND e.state <> 'confirmed') AS pending
     FROM contacts c WHERE ${conditions.join(' AND ')}
     ORDER BY start_date IS NULL, start_date, id LIMIT @limit`,
    )
    .all(params) as Array<{ id: number; raw: string; pending: number }>;

  const statuses = stageStatuses(sqlite);
  const referralRaw = sqlite.prepare('SELECT raw FROM referrals WHERE id = ?').pluck();
  const actions: Action[] = rows.map((row) => {
    const contact = contactView(JSON.parse(row.raw) as Record<string, unknown>);
    const referralText = typeof contact.referral === 'number' ? (referralRaw.get(contact.referral) as string | undefined) : undefined;
    const referral = referralText ? referralView(JSON.parse(referralText) as Record<string, unknown>, statuses) : null;
    const clientId = typeof contact.client === 'number' ? contact.client : typeof referral?.client === 'number' ? referral.client : null;
    return {
      contact: contact as Action['contact'],
      client: clientSummaryOf(sqlite, clientId),
      referral: referral as Action['referral'],
      pending: row.pending === 1,
    };
  });
  return { actions };
}
