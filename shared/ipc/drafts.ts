// Draft channels: what a person has typed into a form and not saved yet (a completion's notes, a
// new client), kept in the encrypted replica so a reload or a closed lid loses nothing and nothing
// about a client sits in the browser's plaintext storage. A draft is a flat, bounded object.

import { z } from 'zod';
import { LIMITS, isoInstant, noInput } from './fields.js';

const KEY_MESSAGE = 'expected a draft key like complete-contact:88';

/** `<form>` or `<form>:<record id>` (negative for a record not yet sent): `complete-contact:88`, `client-new`. */
export const draftKey = z
  .string({ error: KEY_MESSAGE })
  .max(LIMITS.draftKey, { error: KEY_MESSAGE })
  .regex(/^[a-z][a-z-]{0,39}(:-?[1-9][0-9]{0,14})?$/, { error: KEY_MESSAGE });

/** A form field, one level of nesting written with a dot (`description`, `next.startTime`). Never `__proto__`. */
export const draftFieldName = z
  .string()
  .max(LIMITS.draftField)
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,48}(\.[A-Za-z][A-Za-z0-9_]{0,48})?$/, { error: 'expected a form field name' });

export const draftValue = z.union([z.string().max(LIMITS.description), z.number(), z.boolean(), z.null()], {
  error: 'expected text, a number, true/false or null',
});

/** Field → value, at most LIMITS.draftFields fields and LIMITS.draftChars characters of JSON in all. */
export const draftFields = z
  .record(draftFieldName, draftValue)
  .refine((fields) => Object.keys(fields).length <= LIMITS.draftFields, { error: `a draft holds at most ${LIMITS.draftFields} fields` })
  .refine((fields) => JSON.stringify(fields).length <= LIMITS.draftChars, { error: `a draft holds at most ${LIMITS.draftChars} characters` });
export type DraftFields = z.infer<typeof draftFields>;

export const draftsChannels = {
  /** The draft saved under the key, or null (and savedAt null) when there is none. */
  'drafts:get': {
    input: z.strictObject({ key: draftKey }),
    output: z.object({ draft: draftFields.nullable(), savedAt: isoInstant.nullable() }),
  },
  /** Keeps the draft under the key, replacing the one before. */
  'drafts:save': {
    input: z.strictObject({ key: draftKey, draft: draftFields }),
    output: z.object({ savedAt: isoInstant }),
  },
  /** Forgets the draft under the key (after a save or a discard); no draft is not an error. */
  'drafts:clear': {
    input: z.strictObject({ key: draftKey }),
    output: z.object({ cleared: z.boolean() }),
  },
  /** How many drafts this device keeps (Settings offers to clear them). */
  'drafts:count': {
    input: noInput,
    output: z.object({ count: z.int().nonnegative() }),
  },
  /** Forgets every draft on this device. */
  'drafts:clear-all': {
    input: noInput,
    output: z.object({ cleared: z.int().nonnegative() }),
  },
} as const;
