// The write channels, each turned into a dialect-neutral operation (create-client, complete-action,
// …: shared/dizions/dialects.ts) and handed to the outbox's queueEdit, which validates it with the
// shared edit rules and the connection's dialect, applies it to the replica and queues it in one
// transaction. A refusal becomes a VALIDATION error naming the field as the form knows it.

import type { Dialect, WriteOperation, WriteTarget } from '../../shared/dizions/dialects.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { ValidationIssue } from '../../shared/ipc/envelope.js';
import type { Replica } from '../db/open.js';
import { referralOfContact } from '../db/record-queries.js';
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

const topLevel: FieldPath = (field) => (field === 'path' ? 'id' : field);
const underFields: FieldPath = (field) => (field === 'path' ? 'id' : `fields.${field}`);

const RELATIONSHIP_INPUT = new Set(['id_second', 'relationship_first_to_second', 'relationship_second_to_first', 'relationship_first_to_second_carer', 'relationship_second_to_first_carer']);

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

function familyTable(operation: WriteOperation): string[] {
  if (operation === 'create-client' || operation === 'update-client' || operation === 'set-relationship') return ['clients'];
  if (operation === 'create-referral' || operation === 'update-referral') return ['referrals'];
  if (operation === 'plan-action' || operation === 'edit-action' || operation === 'complete-action' || operation === 'record-contact' || operation === 'edit-contact') return ['contacts'];
  if (operation === 'create-extension-record' || operation === 'update-extension-record') return ['extension_records'];
  return [];
}

/** The relationship input of a client form (the seed's names) as a neutral set-relationship's fields. */
const NEUTRAL_RELATIONSHIP: Record<string, string> = {
  relationship_first_to_second: 'relation_first_to_second',
  relationship_second_to_first: 'relation_second_to_first',
  relationship_first_to_second_carer: 'carer_relation_first_to_second',
  relationship_second_to_first_carer: 'carer_relation_second_to_first',
};
const SEED_RELATIONSHIP = Object.fromEntries(Object.entries(NEUTRAL_RELATIONSHIP).map(([seed, neutral]) => [neutral, seed]));

type NeutralInput = { operation: WriteOperation; target?: WriteTarget; fields?: Fields; files?: QueueEditInput['files'] };

export function createEditServices(
  context: EditContext,
): Pick<
  Services,
  | 'clients:create'
  | 'clients:update'
  | 'referrals:create'
  | 'referrals:update'
  | 'contacts:complete'
  | 'contacts:record'
  | 'contacts:create-due'
  | 'contacts:update-due'
  | 'contacts:update-done'
  | 'contacts:external-referral'
  | 'contacts:attach'
> {
  /** Queues one or more edits in one transaction: all of them, or none. */
  function queue(channel: Channel, edits: ReadonlyArray<{ edit: NeutralInput; where: FieldPath }>): QueueResult[] {
    const replica = context.replica();
    const results: QueueResult[] = [];
    let current: FieldPath = edits[0]?.where ?? topLevel;
    try {
      replica.sqlite
        .transaction(() => {
          for (const { edit, where } of edits) {
            current = where;
            results.push(queueEdit(replica, edit, { dialect: context.dialect() }));
          }
        })
        .immediate(); // queueEdit's own transactions nest inside as savepoints
    } catch (error) {
      if (error instanceof EditValidationError) throw refusal(channel, error, current);
      throw error;
    }
    context.written([...new Set(edits.flatMap(({ edit }) => familyTable(edit.operation))), 'outbox']);
    return results;
  }

  const one = (channel: Channel, edit: NeutralInput, where: FieldPath): QueueResult => queue(channel, [{ edit, where }])[0]!;
  const written = (id: number, result: QueueResult) => ({ id: result.temp_id ?? id, outboxId: result.entry });

  return {
    'clients:create': async (input) => {
      const result = one('clients:create', { operation: 'create-client', fields: formFields(input, { dropNull: true }) }, topLevel);
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'clients:update': async (input) => {
      // A relationship is its own operation (its own request in 2025): queued beside the client's fields, in one transaction.
      const fields = formFields(input.fields ?? {}, { dropNull: false });
      const relationship = formFields(input.relationship ?? {}, { dropNull: true });
      const where: FieldPath = (field) =>
        field === 'path'
          ? 'id'
          : RELATIONSHIP_INPUT.has(field)
            ? `relationship.${field}`
            : RELATIONSHIP_INPUT.has(SEED_RELATIONSHIP[field] ?? '')
              ? `relationship.${SEED_RELATIONSHIP[field]}`
              : `fields.${field}`;
      const edits: Array<{ edit: NeutralInput; where: FieldPath }> = [];
      if (Object.keys(fields).length > 0 || Object.keys(relationship).length === 0) edits.push({ edit: { operation: 'update-client', target: { recordId: input.id }, fields }, where });
      if (Object.keys(relationship).length > 0) {
        const { id_second: second, ...rest } = relationship;
        const neutral: Fields = {};
        for (const [key, value] of Object.entries(rest)) neutral[NEUTRAL_RELATIONSHIP[key] ?? key] = value;
        if (second === undefined || second === null || !/^-?\d+$/.test(String(second))) {
          throw new ServiceError('VALIDATION', 'relationship.id_second: the other client is needed to set a relationship', {
            issues: [{ path: 'relationship.id_second', message: 'the other client is needed to set a relationship' }],
          });
        }
        edits.push({ edit: { operation: 'set-relationship', target: { recordId: input.id, secondId: Number(second) }, fields: neutral }, where });
      }
      return written(input.id, queue('clients:update', edits)[0]!);
    },

    'referrals:create': async (input) => {
      const result = one('referrals:create', { operation: 'create-referral', fields: formFields(input, { dropNull: true }) }, (f) => (f === 'path' ? 'client' : f));
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'referrals:update': async (input) =>
      written(input.id, one('referrals:update', { operation: 'update-referral', target: { recordId: input.id }, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:complete': async (input) => {
      const { id, next_action: next } = input;
      const edits: Array<{ edit: NeutralInput; where: FieldPath }> = [
        {
          edit: { operation: 'complete-action', target: { recordId: id }, fields: formFields(input, { dropNull: false, omit: ['id', 'next_action'] }) },
          where: topLevel,
        },
      ];
      if (next) {
        const referral = referralOfContact(context.replica().sqlite, id);
        if (typeof referral !== 'number') {
          throw new ServiceError('VALIDATION', `action ${id} belongs to no referral on this device, so the next action cannot be planned on it`, {
            issues: [{ path: 'next_action', message: 'this action belongs to no referral on this device' }],
          });
        }
        edits.push({
          edit: { operation: 'plan-action', target: { referralId: referral }, fields: formFields(next, { dropNull: true }) },
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

    // Recording a contact on a referral with no action planned first: one record-contact operation
    // (the dialect table prints it as one request in 2025 and as plan + complete in 2019).
    'contacts:record': async (input) => {
      const { referral, next_action: next } = input;
      const edits: Array<{ edit: NeutralInput; where: FieldPath }> = [
        {
          edit: { operation: 'record-contact', target: { referralId: referral }, fields: formFields(input, { dropNull: true, omit: ['referral', 'next_action'] }) },
          where: (field) => (field === 'path' ? 'referral' : field),
        },
      ];
      if (next) {
        edits.push({
          edit: { operation: 'plan-action', target: { referralId: referral }, fields: formFields(next, { dropNull: true }) },
          where: (field) => (field === 'path' ? 'referral' : `next_action.${field}`),
        });
      }
      const [recorded, nextPlanned] = queue('contacts:record', edits);
      return {
        id: recorded!.temp_id!,
        outboxId: recorded!.entry,
        nextAction: nextPlanned ? { id: nextPlanned.temp_id!, outboxId: nextPlanned.entry } : null,
      } satisfies ChannelOutput<'contacts:record'>;
    },

    'contacts:create-due': async (input) => {
      const result = one(
        'contacts:create-due',
        {
          operation: 'plan-action',
          target: { referralId: input.referral },
          fields: formFields(input, { dropNull: true, omit: ['referral'] }),
        },
        (field) => (field === 'path' ? 'referral' : field),
      );
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'contacts:update-due': async (input) =>
      written(input.id, one('contacts:update-due', { operation: 'edit-action', target: { recordId: input.id }, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:update-done': async (input) =>
      written(input.id, one('contacts:update-done', { operation: 'edit-contact', target: { recordId: input.id }, fields: formFields(input.fields, { dropNull: false }) }, underFields)),

    'contacts:external-referral': async (input) => {
      const result = one('contacts:external-referral', { operation: 'external-referral', fields: formFields(input, { dropNull: true }) }, topLevel);
      return { outboxId: result.entry };
    },

    'contacts:attach': async (input: ChannelInput<'contacts:attach'>) => {
      const files = input.files.map((file) => ({ filename: file.filename, contentType: file.contentType, data: Buffer.from(file.dataBase64, 'base64') }));
      const result = one(
        'contacts:attach',
        {
          operation: 'upload-file',
          target: { uploadGroup: input.group, recordId: input.id },
          fields: { user_visibility: input.user_visibility.join(','), group_visibility: input.group_visibility.join(',') },
          files,
        },
        (field) => (field === 'path' ? 'id' : field === 'file' ? 'files' : field),
      );
      return { outboxId: result.entry };
    },
  };
}
