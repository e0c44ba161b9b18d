// Client channels: read one client's whole record, create a client, edit one (and add a
// relationship). Field names are the API's; writes apply to the replica and queue for the server.

import { z } from 'zod';
import { apiRecord, clientSummary, dictionaryId, dizionsDate, fieldName, flag, isoInstant, personName, recordId, scalar, serverId, someOf, stageStatus, text, writeResult } from './fields.js';

/** The client fields a caseworker can set (model.ts CLIENT_FIELDS less id, updated and age_range, which the server derives). */
export const clientFieldsInput = {
  first_name: personName,
  surname: personName,
  dob: dizionsDate.nullable(),
  gender: dictionaryId,
  ethnicity: dictionaryId,
  religion: dictionaryId,
  sexual_orientation: dictionaryId,
  marital_status: dictionaryId,
  main_language: dictionaryId,
  main_disability: dictionaryId,
  registered_disabled: flag.nullable(),
  blue_badge_holder: flag.nullable(),
  accommodation: dictionaryId,
  employment_status: flag.nullable(),
  people_in_household: z.int({ error: 'expected a whole number' }).min(0).max(100).nullable(),
  address1: text(),
  address2: text(),
  town: text(),
  county: dictionaryId,
  district: dictionaryId,
  postcode: text(16),
  telephone: text(40),
  mobile: text(40),
  email: text(254),
  nhs_number: text(20),
  social_services_number: text(40),
  external_id: text(100),
  gp_name: text(),
  gp_surgery: dictionaryId,
  school: dictionaryId,
  consent: flag.nullable(),
  preferred_communication_method: dictionaryId,
  usual_support_worker: serverId.nullable(),
  active: flag.nullable(),
  deceased: flag.nullable(),
  type: dictionaryId,
  /** The single-record extension field of the assumptions table. */
  website_photo_consent: dictionaryId,
};

const optionalClientFields = z.strictObject(clientFieldsInput).partial().shape;

/** A relationship, set through a client update (seed: "Updating Records"); values from dictionary/relationships. */
export const relationshipInput = z.strictObject({
  id_second: recordId,
  relationship_first_to_second: serverId,
  relationship_second_to_first: serverId,
  relationship_first_to_second_carer: serverId.optional(),
  relationship_second_to_first_carer: serverId.optional(),
});

export const clientRecord = apiRecord({
  first_name: z.string().nullable(),
  surname: z.string().nullable(),
});

export const relationshipRecord = z.object({
  id_second: recordId,
  relationship_first_to_second: z.union([z.number(), z.string()]).nullable(),
  relationship_second_to_first: z.union([z.number(), z.string()]).nullable(),
  relationship_first_to_second_carer: z.union([z.number(), z.string()]).nullable().optional(),
  relationship_second_to_first_carer: z.union([z.number(), z.string()]).nullable().optional(),
  /** The other person, when the replica holds them. */
  other: clientSummary.nullable(),
});

export const referralRecord = apiRecord({
  client: recordId.nullable(),
  project: z.number().nullable(),
  stage: z.number().nullable(),
  /** The stage's status through its template (null when the template is unknown here). */
  status: stageStatus.nullable(),
});

export const contactRecord = apiRecord({
  referral: recordId.nullable(),
  client: recordId.nullable(),
  user: z.number().nullable(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
});

/** A file sent from this app (the API documents no GET of uploads, so only ours are known). */
export const uploadRecord = z.object({
  id: recordId,
  group: z.enum(['clients', 'referrals']),
  record: recordId,
  filename: z.string(),
  contentType: z.string(),
  bytes: z.number().int().nonnegative(),
  user_visibility: z.array(z.number().int()),
  group_visibility: z.array(z.number().int()),
  /** Whether the server has it yet. */
  sent: z.boolean(),
  createdAt: isoInstant,
});

/** Rows of one multiple-record extension database linked to this client (or its referrals). */
export const extensionDatabaseRows = z.object({
  database: z.string(), // e.g. wellcheck_notes_9
  rows: z.array(z.looseObject({ id: recordId }).catchall(scalar)),
});

/** A field of a record waiting in the outbox, so the screen can mark it "not yet sent". */
export const pendingMark = z.object({
  outboxId: serverId,
  group: z.string(),
  record: recordId,
  /** Null when the whole record is new. */
  field: fieldName.nullable(),
  state: z.string(),
});

/** What the client and referral screens show under the record: its contacts, due then done, and the files sent from here. */
export const contactsAndUploads = {
  due_contacts: z.array(contactRecord),
  done_contacts: z.array(contactRecord),
  uploads: z.array(uploadRecord),
};

/** A channel that reads one record of the replica by id (NOT_FOUND when it does not hold it). */
export const readById = <Output extends z.ZodType>(output: Output) => ({ input: z.strictObject({ id: recordId }), output });

export const clientDetail = z.object({
  client: clientRecord,
  relationships: z.array(relationshipRecord),
  referrals: z.array(referralRecord),
  ...contactsAndUploads,
  extension_records: z.array(extensionDatabaseRows),
  pending: z.array(pendingMark),
});
export type ClientDetail = z.infer<typeof clientDetail>;

export const clientsChannels = {
  /** One client with everything the client record screen shows. NOT_FOUND when not in the replica. */
  'clients:get': readById(clientDetail),
  /**
   * Names of related people who are not on this device, asked of the server with the worker's keys
   * (OFFLINE without a connection); those the server does not show this worker come back in `notVisible`.
   */
  'clients:names': {
    input: z.strictObject({ ids: z.array(serverId).min(1).max(50) }),
    output: z.object({ people: z.array(clientSummary), notVisible: z.array(serverId) }),
  },
  /** A new client (first_name and surname required; `type` defaults to 1 on the server). */
  'clients:create': {
    input: z.strictObject({ ...optionalClientFields, first_name: personName, surname: personName }),
    output: writeResult,
  },
  /** Edit a client's fields, and/or add a relationship. */
  'clients:update': {
    input: z
      .strictObject({
        id: recordId,
        fields: someOf(clientFieldsInput).optional(),
        relationship: relationshipInput.optional(),
      })
      .refine((v) => v.fields !== undefined || v.relationship !== undefined, { error: 'nothing to change: give fields or a relationship' }),
    output: writeResult,
  },
} as const;
