// The outbox channels: the queue shown in the user's words (its states through outboxDisplayState,
// a summary line naming the record, the server's message, conflicts field by field) and the
// actions on one entry, each one the outbox's own transaction (main/outbox/actions.ts). Confirmed
// entries are history and are not listed.

import type Database from 'better-sqlite3';
import type { OutboxCounts } from '../../shared/ipc/events.js';
import { outboxDisplayState, type OutboxEntry as EntryView, type OutboxState as DisplayState } from '../../shared/ipc/outbox.js';
import type { Replica } from '../db/open.js';
import { clientNameParts, clientOfContact, clientOfReferral } from '../db/record-owners.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { OutboxActionError, discardEntry, markDone, resolveConflict, retryEntry, sendAgain, type Choice } from '../outbox/actions.js';
import { countOutbox } from '../outbox/counts.js';
import { getEntry, listEntries, setEntry, type OutboxEntry } from '../outbox/entries.js';
import { EditValidationError } from '../outbox/queue.js';
import { editOf } from '../../shared/edits/classify.js';
import type { Dialect, WriteOperation } from '../../shared/dizions/dialects.js';
import { printEntry } from '../outbox/printing.js';

type Handle = Pick<Replica, 'sqlite'>;

export interface OutboxContext {
  replica: () => Handle;
  /** The connection's dialect now: entries are shown as they would be sent (else as last printed). */
  dialect?: () => Dialect | undefined;
  /** After an action: tell the screens and push soon. */
  changed: (tables: readonly string[]) => void;
}

/** Headlines in the user's words, per neutral operation. */
const OPERATION_WORDS: Record<WriteOperation, string> = {
  'create-client': 'New client',
  'update-client': 'Change to client',
  'create-referral': 'New referral',
  'update-referral': 'Change to referral',
  'plan-action': 'New action',
  'edit-action': 'Change to action',
  'complete-action': 'Complete action',
  'record-contact': 'Contact recorded',
  'edit-contact': 'Change to contact',
  'set-relationship': 'Relationship',
  'external-referral': 'External referral',
  'create-extension-record': 'New extension-database record',
  'update-extension-record': 'Change to extension-database record',
  'upload-file': 'Files for',
};

function personName(sqlite: Database.Database, clientId: unknown): string | null {
  if (typeof clientId !== 'number' && typeof clientId !== 'string') return null;
  const row = clientNameParts(sqlite, Number(clientId));
  if (!row) return null;
  const name = [row.first_name, row.surname].filter((p) => p && p.trim() !== '').join(' ');
  return name === '' ? null : name;
}

/** "Complete action 88 for Jo Bloggs", "New client Ann Lee", "Files for referral 12 (Jo Bloggs)". */
export function summarise(sqlite: Database.Database, entry: OutboxEntry): string {
  const fields = entry.fields;
  const id = entry.record_id;
  switch (entry.operation) {
    case 'create-client':
      return `New client ${[fields.first_name, fields.surname].filter(Boolean).join(' ')}`.trim();
    case 'external-referral':
      return `External referral for ${[fields.first_name, fields.surname].filter(Boolean).join(' ') || 'a new person'}`;
    case 'complete-action':
      return withClient(sqlite, `Complete action ${id}`, contactClient(sqlite, id));
    case 'edit-contact':
      return withClient(sqlite, `Change to contact ${id}`, contactClient(sqlite, id));
    case 'record-contact':
      return withClient(sqlite, 'Contact recorded', referralClient(sqlite, entry.target.referralId ?? null));
    case 'plan-action':
    case 'edit-action':
      return withClient(sqlite, `${OPERATION_WORDS[entry.operation]} ${entry.operation === 'plan-action' ? '' : (id ?? '')}`.trim(), contactClient(sqlite, id));
    case 'create-referral':
      return withClient(sqlite, 'New referral', fields.client);
    case 'update-referral':
      return withClient(sqlite, `Change to referral ${id}`, referralClient(sqlite, id));
    case 'update-client':
      return `Change to client ${personName(sqlite, id) ?? id}`;
    case 'set-relationship':
      return `Relationship between ${personName(sqlite, entry.target.recordId) ?? entry.target.recordId} and ${personName(sqlite, entry.target.secondId) ?? entry.target.secondId}`;
    case 'upload-file': {
      const edit = editOf(entry.operation, entry.target);
      const client = edit.uploadGroup === 'clients' ? edit.recordId : referralClient(sqlite, edit.recordId ?? null);
      return withClient(sqlite, `Files for ${edit.uploadGroup === 'clients' ? 'client' : 'referral'} ${edit.recordId}`, client);
    }
    default:
      return `${OPERATION_WORDS[entry.operation] ?? entry.operation} ${id ?? ''}`.trim();
  }
}

function withClient(sqlite: Database.Database, text: string, clientId: unknown): string {
  const name = personName(sqlite, clientId);
  return name ? `${text} for ${name}` : text;
}

function contactClient(sqlite: Database.Database, id: number | null): number | null {
  if (id === null) return null;
  return clientOfContact(sqlite, id);
}

function referralClient(sqlite: Database.Database, id: number | null): number | null {
  if (id === null) return null;
  return clientOfReferral(sqlite, id);
}

function groupOf(entry: OutboxEntry): string {
  try {
    const edit = editOf(entry.operation, entry.target);
    if (edit.uploadGroup) return edit.uploadGroup;
    if (edit.group === 'extension_database') return `extension_database/${edit.extensionDatabase}`;
    return edit.group;
  } catch {
    return entry.record_family;
  }
}

/** One stored entry as the contract shows it, or null for confirmed history. */
export function entryView(sqlite: Database.Database, entry: OutboxEntry, dialect?: Dialect): EntryView | null {
  const state = outboxDisplayState(entry.state, entry.error_code);
  if (state === null) return null;
  const printed = dialect ? printEntry(entry.operation, entry.target, dialect) : { method: entry.method, path: entry.path };
  return {
    id: entry.id,
    createdAt: entry.created_at,
    method: printed.method === 'PUT' ? 'PUT' : 'POST',
    path: printed.path,
    group: groupOf(entry),
    recordId: entry.record_id === 0 ? null : entry.record_id,
    summary: summarise(sqlite, entry),
    state,
    attempts: entry.attempts,
    data: { ...entry.fields },
    previous: entry.base ? { ...entry.base } : null,
    lastError: entry.error_code ? { code: entry.error_code, message: entry.error ?? '' } : null,
    conflict: entry.conflict ? Object.entries(entry.conflict).map(([field, c]) => ({ field, mine: c.mine, theirs: c.theirs, base: c.base })) : null,
  };
}

/** The header's pending count and the entries that wait for the user. */
export function outboxCounts(replica: Handle): OutboxCounts {
  return countOutbox(replica.sqlite);
}

function existing(sqlite: Database.Database, id: number): OutboxEntry {
  const entry = getEntry(sqlite, id);
  if (!entry || entry.state === 'confirmed') throw new ServiceError('NOT_FOUND', `There is no outbox entry ${id} waiting to be sent.`);
  return entry;
}

/** Outbox action errors in the envelope's words. */
function actionError(error: unknown, where = 'data'): unknown {
  if (error instanceof OutboxActionError) {
    return /^there is no outbox entry/.test(error.message) ? new ServiceError('NOT_FOUND', error.message) : new ServiceError('VALIDATION', error.message);
  }
  if (error instanceof EditValidationError) {
    return new ServiceError('VALIDATION', error.message, { issues: error.issues.map((i) => ({ path: `${where}.${i.field}`, message: i.message })) });
  }
  return error;
}

function view(sqlite: Database.Database, id: number): EntryView {
  const entry = getEntry(sqlite, id);
  const shown = entry ? entryView(sqlite, entry) : null;
  if (!shown) throw new ServiceError('NOT_FOUND', `Outbox entry ${id} has already been sent.`);
  return shown;
}

export function createOutboxServices(
  context: OutboxContext,
): Pick<Services, 'outbox:list' | 'outbox:retry' | 'outbox:discard' | 'outbox:edit' | 'outbox:resolve' | 'outbox:send-again' | 'outbox:mark-done'> {
  const act = <T>(tables: readonly string[], fn: (sqlite: Database.Database) => T, where?: string): T => {
    let result: T;
    try {
      result = fn(context.replica().sqlite);
    } catch (error) {
      throw actionError(error, where);
    }
    context.changed(tables);
    return result;
  };

  return {
    'outbox:list': async ({ states }) => {
      const sqlite = context.replica().sqlite;
      const wanted = states ? new Set<DisplayState>(states) : null;
      const entries = listEntries(sqlite)
        .map((entry) => entryView(sqlite, entry, context.dialect?.()))
        .filter((entry): entry is EntryView => entry !== null && (wanted === null || wanted.has(entry.state)));
      return { entries };
    },

    'outbox:retry': async ({ id }) =>
      act(['outbox'], (sqlite) => {
        const entry = existing(sqlite, id);
        // A pending entry backing off after a network failure: send it at the next push, now.
        if (entry.state === 'pending') setEntry(sqlite, id, { next_attempt_at: 0 });
        else retryEntry({ sqlite }, id);
        return { entry: view(sqlite, id) };
      }),

    'outbox:discard': async ({ id }) =>
      act(['outbox', 'clients', 'referrals', 'contacts', 'extension_records'], (sqlite) => {
        existing(sqlite, id);
        discardEntry({ sqlite }, id);
        return { id };
      }),

    'outbox:edit': async ({ id, data }) =>
      act(
        ['outbox', 'clients', 'referrals', 'contacts', 'extension_records'],
        (sqlite) => {
          existing(sqlite, id);
          retryEntry({ sqlite }, id, data);
          return { entry: view(sqlite, id) };
        },
        'data',
      ),

    'outbox:resolve': async ({ id, choices }) =>
      act(['outbox', 'clients', 'referrals', 'contacts'], (sqlite) => {
        existing(sqlite, id);
        const byField: Record<string, Choice> = {};
        for (const choice of choices) byField[choice.field] = choice.keep;
        const entry = resolveConflict({ sqlite }, id, byField);
        return { entry: entryView(sqlite, entry, context.dialect?.()) };
      }),

    'outbox:send-again': async ({ id }) =>
      act(['outbox'], (sqlite) => {
        existing(sqlite, id);
        sendAgain({ sqlite }, id);
        return { entry: view(sqlite, id) };
      }),

    'outbox:mark-done': async ({ id }) =>
      act(['outbox'], (sqlite) => {
        const entry = existing(sqlite, id);
        if (entry.temp_id !== null && entry.state === 'in_doubt') {
          throw new ServiceError(
            'VALIDATION',
            'This entry created a record, and Caseworker needs the id the server gave it before it can be marked as done. ' +
              'Use "Send again" if it did not arrive, or give the id with: caseworker outbox mark-done ' +
              `${id} SERVER_ID`,
          );
        }
        markDone({ sqlite }, id);
        return { id };
      }),
  };
}
