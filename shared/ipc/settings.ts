// Settings channels: the Charitylog connection (Source/Org/User keys, stored by main in the OS
// keychain and never sent back — only masked), who I am, the sync scope and interval, and the
// demo. Keys go in; only their last four characters ever come out.

import { z } from 'zod';
import { PLAIN_HTTP_REFUSED, isRefusedPlainHttp } from '../server-address.js';
import { LIMITS, apiRecord, dizionsPath, serverId } from './fields.js';

/** https, or plain http on this machine (the simulator and demo). */
export const serverUrl = z
  .string({ error: 'expected the server address, e.g. https://api.dizions.co.uk/v2' })
  .max(500)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        if (url.username || url.password) return false;
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { error: 'expected an https:// address, e.g. https://api.dizions.co.uk/v2' },
  )
  .refine((value) => !isRefusedPlainHttp(value), { error: PLAIN_HTTP_REFUSED });

/** A header key as Charitylog issues it: printable, no spaces, no line breaks. */
const apiKey = (which: string) =>
  z
    .string({ error: `expected the ${which} key` })
    .min(1, { error: `the ${which} key is empty` })
    .max(LIMITS.shortText, { error: `the ${which} key is too long` })
    .regex(/^[\x21-\x7e]+$/, { error: `the ${which} key has characters a key cannot have (spaces, line breaks or non-ASCII)` });

export const connectionInput = z.strictObject({
  baseUrl: serverUrl,
  source: apiKey('Source'),
  org: apiKey('Org'),
  user: apiKey('User'),
  dialect: z.enum(['2019', '2025']),
});
export type ConnectionInput = z.infer<typeof connectionInput>;

/** A key as shown back: bullets and at most the last four characters. */
export const maskedKey = z
  .string()
  .max(40)
  .regex(/^•*[^•]{0,4}$/);

export const worker = apiRecord({
  first_name: z.string().nullable(),
  surname: z.string().nullable(),
  user: z.number().nullable(),
});
export type Worker = z.infer<typeof worker>;

/** One of the doctor's checks in plain words: what was checked, passed or not, and what to do. */
export const connectionCheckItem = z.object({
  name: z.string(),
  ok: z.boolean(),
  checked: z.string(),
  detail: z.string(),
  advice: z.string().nullable(),
});

/** Settings → Check connection: the server's dialect and each read-only check. */
export const connectionCheck = z.object({
  at: z.string(),
  reached: z.boolean(),
  authorised: z.boolean(),
  /** Why the checks could not run (unreachable, keys refused). */
  error: z.string().nullable(),
  dialect: z.enum(['2019', '2025']).nullable(),
  checks: z.array(connectionCheckItem),
});
export type ConnectionCheck = z.infer<typeof connectionCheck>;

/** The last check of the saved connection, kept for the Sync view's notice. */
export const connectionCheckSummary = z.object({
  at: z.string(),
  dialect: z.enum(['2019', '2025']).nullable(),
  passed: z.boolean(),
  /** What was checked, in words, for each check that failed. */
  failed: z.array(z.string()),
});
export type ConnectionCheckSummary = z.infer<typeof connectionCheckSummary>;

export const settingsView = z.object({
  connection: z
    .object({
      baseUrl: z.string(),
      dialect: z.enum(['2019', '2025']),
      keys: z.object({ source: maskedKey, org: maskedKey, user: maskedKey }),
    })
    .nullable(),
  /** The person using the app: their login (contacts' `user`) and their worker record. */
  me: z.object({ user: serverId, worker: serverId.nullable(), name: z.string() }).nullable(),
  /** The GET paths whose records the replica holds. */
  scope: z.array(z.string()),
  syncIntervalMinutes: z.number().int().positive(),
  encryption: z.object({
    replicaEncrypted: z.boolean(),
    /** Where the database key comes from ("the OS keychain (gnome_libsecret)"). */
    keySource: z.string(),
    /** False when the OS offers no keychain and the user accepted keys stored with basic protection. */
    credentialsProtected: z.boolean(),
  }),
  demo: z.boolean(),
  /** The last Check connection of the saved connection; null when never checked since the keys were saved. */
  connectionCheck: connectionCheckSummary.nullable(),
});
export type SettingsView = z.infer<typeof settingsView>;

const scopeList = z
  .array(dizionsPath)
  .min(1, { error: 'give at least one path' })
  .max(LIMITS.scopePaths, { error: `at most ${LIMITS.scopePaths} paths` });

export const settingsChannels = {
  'settings:get': { input: z.strictObject({}), output: settingsView },
  /** Save the connection. `acceptUnprotectedStorage` is the user's explicit yes when the OS has no keychain. */
  'settings:set-connection': {
    input: z.strictObject({ connection: connectionInput, acceptUnprotectedStorage: z.boolean().optional() }),
    output: settingsView,
  },
  /**
   * The doctor's read-only checks with these keys (or the saved ones), in plain words. Checking the saved
   * connection saves the dialect found with it (`dialectSaved`). Never changes data on the server.
   */
  'settings:check-connection': {
    input: z.strictObject({ connection: connectionInput.omit({ dialect: true }).optional() }),
    output: connectionCheck.extend({ dialectSaved: z.boolean() }),
  },
  /** One call to the server with these keys (or the saved ones); the workers list to pick "this is me" from. */
  'settings:test-connection': {
    input: z.strictObject({ connection: connectionInput.optional() }),
    output: z.object({ workers: z.array(worker) }),
  },
  'settings:set-me': {
    input: z.strictObject({ user: serverId, worker: serverId.nullable() }),
    output: settingsView,
  },
  'settings:set-scope': { input: z.strictObject({ scope: scopeList }), output: settingsView },
  'settings:set-sync-interval': {
    input: z.strictObject({ minutes: z.int().min(1, { error: 'at least 1 minute' }).max(1440, { error: 'at most once a day (1440 minutes)' }) }),
    output: settingsView,
  },
  /** How many records each scope path would bring, asked of the server. */
  'settings:preview-scope': {
    input: z.strictObject({ scope: scopeList }),
    output: z.object({ counts: z.array(z.object({ path: z.string(), count: z.number().int().nonnegative() })) }),
  },
  /** "Try with demo data": the simulator in-process, signed in as a demo field worker. */
  'settings:start-demo': { input: z.strictObject({}), output: settingsView },
  /** Trainers: put the demo back to its starting data. */
  'settings:demo-reset': { input: z.strictObject({}), output: settingsView },
} as const;
