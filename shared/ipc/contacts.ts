// Contact channels: "My actions" (due contacts), completing one offline, planning the next, editing
// due and done contacts, external referrals and file uploads. Due and done contacts share one id
// space (assumptions table): completing due contact 88 makes done contact 88.

import { z } from 'zod';
import { clientFieldsInput, contactRecord, pendingMark, readById, referralRecord } from './clients.js';
import { LIMITS, MAX_FILE_BASE64, clientSummary, description, dictionaryId, dizionsDate, dizionsTimestamp, personName, quantity, recordId, serverId, someOf, writeResult } from './fields.js';

const endNotBeforeStart = (v: { start_date?: string | undefined; end_date?: string | undefined }) => v.start_date === undefined || v.end_date === undefined || v.end_date >= v.start_date;
const END_MESSAGE = { error: 'the end must not be before the start', path: ['end_date'] };

/** A planned action: who, when, what (model.ts MANDATORY.createDueContact). */
export const dueContactFields = {
  user: serverId,
  start_date: dizionsTimestamp,
  end_date: dizionsTimestamp,
  description,
};

/** Completing a due contact (MANDATORY.completeContact) plus the optional fields of the later docs. */
export const completionFields = {
  user: serverId,
  stage: serverId,
  start_date: dizionsTimestamp,
  end_date: dizionsTimestamp,
  description,
  travel_time: quantity.nullable().optional(),
  travel_mileage: quantity.nullable().optional(),
  transport_method: dictionaryId.optional(),
  contact_type: dictionaryId.optional(),
  contact_method: dictionaryId.optional(),
  priority: dictionaryId.optional(),
};

export const action = z.object({
  contact: contactRecord,
  client: clientSummary.nullable(),
  referral: referralRecord.nullable(),
  /** True while an edit of this action waits in the outbox. */
  pending: z.boolean(),
});
export type Action = z.infer<typeof action>;

export const contactDetail = z.object({
  contact: contactRecord,
  state: z.enum(['due', 'done']),
  client: clientSummary.nullable(),
  referral: referralRecord.nullable(),
  pending: z.array(pendingMark),
});
export type ContactDetail = z.infer<typeof contactDetail>;

const uploadFile = z.strictObject({
  filename: z
    .string()
    .min(1)
    .max(LIMITS.filename)
    .refine((s) => !/[\\/\u0000-\u001f]/.test(s) && s !== '.' && s !== '..', { error: 'a file name, without folders' }),
  contentType: z
    .string()
    .max(100)
    .regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i, { error: 'expected a MIME type like application/pdf' }),
  /** The file's bytes, base64 (JSON carries no bytes; at most 10 MB per file). */
  dataBase64: z
    .string()
    .max(MAX_FILE_BASE64, { error: 'the file is larger than 10 MB' })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'expected base64' }),
});

const visibilityIds = z.array(serverId).max(LIMITS.visibilityIds);

export const contactsChannels = {
  /** My due contacts between two dates (default: everything due, including overdue), soonest first. */
  'actions:list': {
    input: z.strictObject({
      from: dizionsDate.optional(),
      to: dizionsDate.optional(),
      /** Whose actions; default the worker set with settings:set-me. */
      user: serverId.optional(),
      limit: z.int().min(1).max(LIMITS.listLimit).optional(),
    }),
    output: z.object({ actions: z.array(action) }),
  },
  /** One due or done contact, for the completion form. */
  'contacts:get': readById(contactDetail),
  /** Complete a due contact offline; optionally plan the next action on the same referral. */
  'contacts:complete': {
    input: z
      .strictObject({
        id: recordId,
        ...completionFields,
        next_action: z.strictObject(dueContactFields).refine(endNotBeforeStart, END_MESSAGE).optional(),
      })
      .refine(endNotBeforeStart, END_MESSAGE),
    output: z.object({ id: recordId, outboxId: serverId.nullable(), nextAction: writeResult.nullable() }),
  },
  /**
   * Record a contact on a referral with no action planned first (Charitylog's "Extra Info", its most
   * used button); optionally plan the next action on the same referral.
   */
  'contacts:record': {
    input: z
      .strictObject({
        referral: recordId,
        ...completionFields,
        next_action: z.strictObject(dueContactFields).refine(endNotBeforeStart, END_MESSAGE).optional(),
      })
      .refine(endNotBeforeStart, END_MESSAGE),
    output: z.object({ id: recordId, outboxId: serverId, nextAction: writeResult.nullable() }),
  },
  /** Plan an action (due contact) on a referral. */
  'contacts:create-due': {
    input: z.strictObject({ referral: recordId, ...dueContactFields }).refine(endNotBeforeStart, END_MESSAGE),
    output: writeResult,
  },
  'contacts:update-due': {
    input: z.strictObject({ id: recordId, fields: someOf(dueContactFields).refine(endNotBeforeStart, END_MESSAGE) }),
    output: writeResult,
  },
  'contacts:update-done': {
    input: z.strictObject({ id: recordId, fields: someOf(completionFields).refine(endNotBeforeStart, END_MESSAGE) }),
    output: writeResult,
  },
  /** An external referral for the administrator's staging area (org_type_id, surname and description required). */
  'contacts:external-referral': {
    input: z.strictObject({
      ...z.strictObject(clientFieldsInput).partial().shape,
      org_type_id: serverId,
      surname: personName,
      description,
      project: dictionaryId.optional(),
    }),
    output: z.object({ outboxId: serverId }),
  },
  /** Attach files to a client or referral, with who may see them (uploads are queued like any edit). */
  'contacts:attach': {
    input: z.strictObject({
      group: z.enum(['clients', 'referrals']),
      id: recordId,
      files: z
        .array(uploadFile)
        .min(1, { error: 'choose at least one file' })
        .max(LIMITS.filesPerUpload, { error: `at most ${LIMITS.filesPerUpload} files at once` }),
      user_visibility: visibilityIds,
      group_visibility: visibilityIds,
    }),
    output: z.object({ outboxId: serverId }),
  },
} as const;
