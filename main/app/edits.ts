// The write channels, each turned into the API's own write (method + path + form fields, the verb
// from the dialect's table) and handed to the outbox's queueEdit, which validates it with the shared
// edit rules, applies it to the replica and queues it in one transaction. A refusal becomes a
// VALIDATION error naming the field as the form knows it; nothing is written then.

import { WRITE_VERBS, type Dialect, type WriteOperation } from '../../shared/dizions/assumptions.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { ValidationIssue } from '../../shared/ipc/envelope.js';
import type { Replica } from '../db/open.js';
import { ServiceError } from '../ipc/service-error.js';
import { EditValidationError, queueEdit, type QueueEditInput, type QueueResult } from '../outbox/queue.js';
import type { Services } from '../ipc/services.js';

type Handle = Pick<Replica, 'sqlite'>;
type Fields = Record<string, string | number | null>;

export interface EditContext {
  replica: () => Handle;
  dialect: () => Dialect;
  /** After a write committed: tell the screens (data:changed, outbox:changed, status) and push soon. */
  written: (tables: readonly string[]) => void;
}

/** Where an edit's field sits in the channel's input, for the form to put the message next to it. */
type FieldPath = (field: string) => string;

/** One edit of a channel; a function when it needs an earlier edit's temp id (same transaction). */
interface QueuedEdit {
  edit: QueueEditInput | ((earlier: readonly QueueResult[]) => QueueEditInput);
  where: FieldPath;
}

const topLevel: FieldPath = (field) => (field === 'path' ? 'id' : field);
const underFields: FieldPath = (field) => (field === 'path' ? 'id' : `fields.${field}`);

const RELATIONSHIP_INPUT = new Set([
  'id_second', 'relationship_first_to_second', 'relationship_second_to_first',
  'relationship_first_to_second_carer', 'relationship_second_to_first_carer',
]);

function refusal(channel: Channel, error: EditValidationError, where: FieldPath): ServiceError {
  const issues: ValidationIssue[] = error.issues.slice(0, 20).map((issue) => ({ path: where(issue.field), message: issue.message }));
  const first = error.issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length === 2 ? '' : 's'})` : '';
  const message = first ? `${first.field}: ${first.message}${more}` : `The ${channel} request was not valid`;
  return new ServiceError('VALIDATION', message, { issues });
}

/** Fields without the undefined ones (and, on a create, without nulls: nothing to clear yet). */
function formFields(input: Record<string, unknown>, options: { dropNull: boolean; omit?: readonly string[] }): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(input)) {
    if (options.omit?.includes(key) || value === undefined) continue;
    if (value === null && options.dropNull) continue;
    if (value === null || typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  return out;
}

function familyTable(path: string): string[] {
  if (path.startsWith('clients')) return ['clients'];
  if (path.startsWith('referrals')) return ['referrals'];
  if (path.startsWith('due_contacts') || path.startsWith('done_contacts')) return ['contacts'];
  if (path.startsWith('extension_database')) return ['extension_records'];
  return [];
}

export function createEditServices(context: EditContext): Pick<Services,
  'clients:create' | 'clients:update' | 'referrals:create' | 'referrals:update' | 'contacts:complete' | 'contacts:record' | 'contacts:create-due'
  | 'contacts:update-due' | 'contacts:update-done' | 'contacts:external-referral' | 'contacts:attach'> {
  const verb = (operation: WriteOperation) => WRITE_VERBS[operation][context.dialect()];

  /** Queues one or more edits in one transaction: all of them, or none. */
  function queue(channel: Channel, edits: ReadonlyArray<QueuedEdit>): QueueResult[] {
    const replica = context.replica();
    const results: QueueResult[] = [];
    let current: FieldPath = edits[0]?.where ?? topLevel;
    try {
      replica.sqlite.transaction(() => {
        for (const { edit, where } of edits) {
          current = where;
          results.push(queueEdit(replica, typeof edit === 'function' ? edit(results) : edit, { dialect: context.dialect() }));
        }
      }).immediate(); // queueEdit's own transactions nest inside as savepoints
    } catch (error) {
      if (error instanceof EditValidationError) throw refusal(channel, error, current);
      throw error;
    }
    context.written([...new Set(edits.flatMap(({ edit }) => (typeof edit === 'function' ? ['contacts'] : familyTable(edit.path)))), 'outbox']);
    return results;
  }

  const one = (channel: Channel, edit: QueueEditInput, where: FieldPath): QueueResult => queue(channel, [{ edit, where }])[0]!;
  const written = (id: number, result: QueueResult) => ({ id: result.temp_id ?? id, outboxId: result.entry });

  return {
    'clients:create': async (input) => {
      const result = one('clients:create', { method: verb('createClient'), path: 'clients', fields: formFields(input, { dropNull: true }) }, topLevel);
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'clients:update': async (input) => {
      const fields = { ...formFields(input.fields ?? {}, { dropNull: false }), ...formFields(input.relationship ?? {}, { dropNull: true }) };
      const where: FieldPath = (field) => (field === 'path' ? 'id' : RELATIONSHIP_INPUT.has(field) ? `relationship.${field}` : `fields.${field}`);
      return written(input.id, one('clients:update', { method: verb('updateClient'), path: `clients/id/${input.id}`, fields }, where));
    },

    'referrals:create': async (input) => {
      const result = one('referrals:create', { method: verb('createReferral'), path: 'referrals', fields: formFields(input, { dropNull: true }) }, (f) => (f === 'path' ? 'client' : f));
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'referrals:update': async (input) =>
      written(input.id, one('referrals:update', { method: verb('updateReferral'), path: `referrals/id/${input.id}`, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:complete': async (input) => {
      const { id, next_action: next } = input;
      const edits: QueuedEdit[] = [{
        edit: { method: verb('updateDoneContact'), path: `done_contacts/id/${id}`, fields: formFields(input, { dropNull: false, omit: ['id', 'next_action'] }) },
        where: topLevel,
      }];
      if (next) {
        const referral = context.replica().sqlite.prepare('SELECT referral FROM contacts WHERE id = ?').pluck().get(id) as number | null | undefined;
        if (typeof referral !== 'number') {
          throw new ServiceError('VALIDATION', `action ${id} belongs to no referral on this device, so the next action cannot be planned on it`, {
            issues: [{ path: 'next_action', message: 'this action belongs to no referral on this device' }],
          });
        }
        edits.push({
          edit: { method: verb('createDueContact'), path: `due_contacts/referral/${referral}`, fields: formFields(next, { dropNull: true }) },
          where: (field) => (field === 'path' ? 'id' : `next_action.${field}`),
        });
      }
      const [completed, planned] = queue('contacts:complete', edits);
      return {
        id,
        outboxId: completed!.entry,
        nextAction: planned ? { id: planned.temp_id!, outboxId: planned.entry } : null,
      } satisfies ChannelOutput<'contacts:complete'>;
    },

    // Recording a contact with no action planned first: in the seed's dialect, an action planned and
    // completed at once (two entries, the second waiting for the first's server id).
    'contacts:record': async (input) => {
      const { referral, next_action: next } = input;
      const contact = formFields(input, { dropNull: true, omit: ['referral', 'next_action'] });
      const planned = { user: input.user, start_date: input.start_date, end_date: input.end_date, description: input.description };
      const edits: QueuedEdit[] = [
        { edit: { method: verb('createDueContact'), path: `due_contacts/referral/${referral}`, fields: planned }, where: (field) => (field === 'path' ? 'referral' : field) },
        { edit: ([plan]) => ({ method: verb('updateDoneContact'), path: `done_contacts/id/${plan!.temp_id!}`, fields: contact }), where: topLevel },
      ];
      if (next) {
        edits.push({
          edit: { method: verb('createDueContact'), path: `due_contacts/referral/${referral}`, fields: formFields(next, { dropNull: true }) },
          where: (field) => (field === 'path' ? 'referral' : `next_action.${field}`),
        });
      }
      const [plan, recorded, nextPlanned] = queue('contacts:record', edits);
      return {
        id: plan!.temp_id!,
        outboxId: recorded!.entry,
        nextAction: nextPlanned ? { id: nextPlanned.temp_id!, outboxId: nextPlanned.entry } : null,
      } satisfies ChannelOutput<'contacts:record'>;
    },

    'contacts:create-due': async (input) => {
      const result = one('contacts:create-due', {
        method: verb('createDueContact'), path: `due_contacts/referral/${input.referral}`, fields: formFields(input, { dropNull: true, omit: ['referral'] }),
      }, (field) => (field === 'path' ? 'referral' : field));
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'contacts:update-due': async (input) =>
      written(input.id, one('contacts:update-due', { method: verb('updateDueContact'), path: `due_contacts/id/${input.id}`, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:update-done': async (input) =>
      written(input.id, one('contacts:update-done', { method: verb('updateDoneContact'), path: `done_contacts/id/${input.id}`, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:external-referral': async (input) => {
      const result = one('contacts:external-referral', { method: verb('createExternalReferral'), path: 'external_referral', fields: formFields(input, { dropNull: true }) }, topLevel);
      return { outboxId: result.entry };
    },

    'contacts:attach': async (input: ChannelInput<'contacts:attach'>) => {
      const files = input.files.map((file) => ({ filename: file.filename, contentType: file.contentType, data: Buffer.from(file.dataBase64, 'base64') }));
      const result = one('contacts:attach', {
        method: verb('upload'),
        path: `${input.group}/id/${input.id}/uploads`,
        fields: { user_visibility: input.user_visibility.join(','), group_visibility: input.group_visibility.join(',') },
        files,
      }, (field) => (field === 'path' ? 'id' : field === 'file' ? 'files' : field));
      return { outboxId: result.entry };
    },
  };
}
