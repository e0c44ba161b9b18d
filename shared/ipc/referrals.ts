// Referral channels: read one referral with its contacts, open a referral for a client, edit one.
// Mandatory fields on create are the later docs' (model.ts MANDATORY.createReferral).

import { z } from 'zod';
import { contactsAndUploads, pendingMark, readById, referralRecord } from './clients.js';
import { clientSummary, description, dictionaryId, dizionsDate, recordId, serverId, someOf, writeResult } from './fields.js';

export const referralFieldsInput = {
  client: recordId,
  client_type: serverId,
  date: dizionsDate,
  project: serverId,
  template: serverId,
  stage: serverId,
  description,
  project_category: dictionaryId,
  contact_method: dictionaryId,
  funding_sponsor: dictionaryId,
  contact_type: dictionaryId,
  referrer: dictionaryId,
  introduction_source: dictionaryId,
  additional_org_person: serverId.nullable(),
  priority: dictionaryId,
};

/** Create: the seven mandatory fields (model.ts MANDATORY.createReferral) required, the rest optional. */
const { client, client_type, date, project, template, stage, description: _description, ...optionalOnCreate } = referralFieldsInput;
const createReferralInput = z.strictObject({
  client,
  client_type,
  date,
  project,
  template,
  stage,
  description,
  ...z.strictObject(optionalOnCreate).partial().shape,
});

export const referralDetail = z.object({
  referral: referralRecord,
  client: clientSummary.nullable(),
  ...contactsAndUploads,
  pending: z.array(pendingMark),
});
export type ReferralDetail = z.infer<typeof referralDetail>;

export const referralsChannels = {
  /** One referral with its contacts. NOT_FOUND when not in the replica. */
  'referrals:get': readById(referralDetail),
  /** A new referral ("Record a Contact" in the seed) for a client, possibly one not yet sent. */
  'referrals:create': {
    input: createReferralInput,
    output: writeResult,
  },
  /** Edit a referral (stage, priority, description…). */
  'referrals:update': {
    input: z.strictObject({ id: recordId, fields: someOf(referralFieldsInput) }),
    output: writeResult,
  },
} as const;
