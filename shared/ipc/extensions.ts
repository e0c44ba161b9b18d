// Extension-database channels: the multiple-record extension databases this charity uses (the API
// lists none, so an admin names them in Settings and the app checks each answers, read-only), and
// adding or editing their rows offline — queued like every other write, in the connection's dialect.

import { z } from 'zod';
import { extensionDatabaseRows } from './clients.js';
import { fieldName, inputScalar, isoInstant, recordId, writeResult } from './fields.js';

/** An extension database's API name: `wellcheck_notes_9` (2019) or `wellcheck_notes` (the current manual). */
export const extensionDatabaseName = z
  .string({ error: 'expected the API name of an extension database, e.g. wellcheck_notes_9' })
  .trim()
  .min(1, { error: 'give the API name of the extension database, e.g. wellcheck_notes_9' })
  .max(64, { error: 'an extension database name is at most 64 characters' })
  .regex(/^[a-z][a-z0-9_]*$/, { error: 'an API name has lowercase letters, digits and _ only, e.g. wellcheck_notes_9' });

export const extensionDatabase = z.object({
  name: extensionDatabaseName,
  /** Its fields by API name, in the order `…/selectable_fields` gave them (empty until checked). */
  fields: z.array(fieldName),
  /** When the server last answered for it. */
  checkedAt: isoInstant.nullable(),
  /** Rows on this device. */
  rows: z.number().int().nonnegative(),
});
export type ExtensionDatabase = z.infer<typeof extensionDatabase>;

const databaseList = z.object({ databases: z.array(extensionDatabase) });

const rowFields = z.record(fieldName, inputScalar).refine((fields) => Object.keys(fields).length <= 60, { error: 'at most 60 fields' });

export const extensionsChannels = {
  /** The extension databases kept on this device, with their fields. */
  'extensions:list': { input: z.strictObject({}), output: databaseList },
  /** Admin: check the name answers on the server (a read-only GET), then keep its rows for the referrals in scope. */
  'extensions:add': { input: z.strictObject({ name: extensionDatabaseName }), output: databaseList },
  /** Stop keeping one (its rows leave the device at the next sync; edits waiting to be sent stay). */
  'extensions:remove': { input: z.strictObject({ name: extensionDatabaseName }), output: databaseList },
  /** A new row, tied to a referral (its client follows) or to a client alone. */
  'extensions:create-record': {
    input: z
      .strictObject({ database: extensionDatabaseName, referral: recordId.optional(), client: recordId.optional(), fields: rowFields })
      .refine((v) => v.referral !== undefined || v.client !== undefined, { error: 'give the referral (or the client) the record belongs to', path: ['referral'] }),
    output: writeResult,
  },
  /** Change fields of a row. */
  'extensions:update-record': {
    input: z.strictObject({ database: extensionDatabaseName, id: recordId, fields: rowFields.refine((f) => Object.keys(f).length > 0, { error: 'nothing to change' }) }),
    output: writeResult,
  },
  /** One referral's rows, per database (the referral screen). */
  'extensions:for-referral': {
    input: z.strictObject({ referral: recordId }),
    output: z.object({ extension_records: z.array(extensionDatabaseRows) }),
  },
} as const;
