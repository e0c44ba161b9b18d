// The multiple-record extension databases the app keeps. The API lists none
// (assumptions.ts EXTENSION_DATABASE_LIST_ENDPOINT), so an admin names them in Settings and each is
// checked with a read-only GET before it is kept; the list lives under sync's own key, so the
// app's sync and `caseworker sync` fetch the same rows. Rows are added and edited through the
// outbox's queueEdit, in the connection's dialect, like every other write.

import type { Dialect } from '../../shared/dizions/assumptions.js';
import type { WriteOperation, WriteTarget } from '../../shared/dizions/dialects.js';
import type { ValidationIssue } from '../../shared/ipc/envelope.js';
import type { ExtensionDatabase } from '../../shared/ipc/extensions.js';
import type { ChannelOutput } from '../../shared/ipc/contract.js';
import { GrammarError, printPath, type RecordsPath } from '../../shared/url-grammar.js';
import type { DizionsClient } from '../api/client.js';
import { DizionsError } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { countExtensionRows, extensionRowIds, extensionRowsOfClient, extensionRowsOfReferral } from '../db/record-queries.js';
import { deleteExtensionRecords, getSyncState, selectableFieldNames, setSelectableFields, setSyncState } from '../db/records.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { pendingRecordIds } from '../outbox/pending.js';
import { EditValidationError, queueEdit } from '../outbox/queue.js';
import { EXTENSIONS_KEY } from '../sync/scope.js';

type Handle = Pick<Replica, 'sqlite'>;
type ApiRow = Record<string, string | number | null> & { id: number };

/** When each database last answered the check (ISO instants), by name. */
const CHECKED_KEY = 'app:extension_checked_at';

const label = (name: string) => `extension_database/${name}`;

/** The names kept (sync's list), sorted. */
export function keptExtensionDatabases(replica: Handle): string[] {
  const stored = getSyncState<unknown>(replica, EXTENSIONS_KEY);
  return Array.isArray(stored) ? stored.filter((n): n is string => typeof n === 'string').sort() : [];
}

function checkedAt(replica: Handle): Record<string, string> {
  const stored = getSyncState<Record<string, string>>(replica, CHECKED_KEY);
  return stored && typeof stored === 'object' ? stored : {};
}

export function listExtensionDatabases(replica: Handle): ExtensionDatabase[] {
  const checked = checkedAt(replica);
  return keptExtensionDatabases(replica).map((name) => ({
    name,
    fields: selectableFieldNames(replica, label(name)).filter((f) => /^[a-z][a-z0-9_]*$/.test(f) && f.length <= 64),
    checkedAt: checked[name] ?? null,
    rows: countExtensionRows(replica.sqlite, name),
  }));
}

/** The name as the URL grammar prints it; the grammar's refusal, in words, otherwise. */
function printedName(name: string): RecordsPath {
  const path: RecordsPath = { kind: 'records', group: 'extension_database', extensionDatabase: name, pairs: [] };
  try {
    printPath(path);
  } catch (error) {
    if (error instanceof GrammarError) {
      throw new ServiceError('VALIDATION', `"${name}" is not an extension database name this version understands: ${error.message}`, { issues: [{ path: 'name', message: error.message }] });
    }
    throw error;
  }
  return path;
}

function missing(error: unknown): boolean {
  return error instanceof DizionsError && error.kind === 'rejected' && (error.status === 404 || error.status === 400);
}

/**
 * Asks the server, read-only, whether `name` answers: its selectable fields, else an id listing.
 * Returns the selectable_fields reply (undefined when only the listing answered).
 */
async function probe(client: DizionsClient, name: string): Promise<unknown> {
  const base = printedName(name);
  try {
    const reply = await client.getRecordsRaw(printPath({ kind: 'selectable_fields', group: 'extension_database', extensionDatabase: name }));
    return JSON.parse(reply.text) as unknown;
  } catch (error) {
    if (!missing(error) && !(error instanceof SyntaxError)) throw error;
  }
  try {
    await client.getRecordsRaw(printPath({ ...base, fields: ['id'] }));
    return undefined;
  } catch (error) {
    if (missing(error)) {
      const said = (error as DizionsError).serverMessage;
      throw new ServiceError(
        'VALIDATION',
        `The server has no extension database called "${name}"${said ? ` (it said: ${said})` : ''}. Check the API name in Charitylog's extension database settings.`,
        {
          issues: [{ path: 'name', message: `the server has no extension database called "${name}": check the API name in Charitylog` }],
        },
      );
    }
    throw error;
  }
}

export interface ExtensionContext {
  replica: () => Handle;
  dialect: () => Dialect;
  /** A client for the current connection (closed here); throws a ServiceError when there is none. */
  client: () => DizionsClient;
  /** After a write committed: tell the screens and push soon. */
  written: (tables: readonly string[]) => void;
  /** After the list changed: sync soon. */
  changed: () => void;
}

function refusal(error: EditValidationError): ServiceError {
  const issues: ValidationIssue[] = error.issues.slice(0, 20).map((issue) => ({ path: issue.field === 'path' ? 'database' : `fields.${issue.field}`, message: issue.message }));
  const first = error.issues[0];
  return new ServiceError('VALIDATION', first ? `${first.field}: ${first.message}` : 'The record was not valid', { issues });
}

function formFields(input: Record<string, string | number | null>, dropNull: boolean): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(input)) if (!(value === null && dropNull)) out[key] = value;
  return out;
}

/** One referral's (or client's) rows, per database kept or holding rows. */
export function extensionRowsFor(replica: Handle, where: { referral: number } | { client: number; referrals: number[] }): Array<{ database: string; rows: ApiRow[] }> {
  const rows = 'referral' in where ? extensionRowsOfReferral(replica.sqlite, where.referral) : extensionRowsOfClient(replica.sqlite, where.client, where.referrals);
  const byDatabase = new Map<string, ApiRow[]>();
  for (const row of rows) {
    const parsed = row.raw;
    const scalar: ApiRow = { id: Number(parsed.id) };
    for (const [k, v] of Object.entries(parsed)) if (v === null || typeof v === 'string' || typeof v === 'number') scalar[k] = v;
    const list = byDatabase.get(row.database) ?? [];
    list.push(scalar);
    byDatabase.set(row.database, list);
  }
  return [...byDatabase].map(([database, list]) => ({ database, rows: list }));
}

export function createExtensionServices(
  context: ExtensionContext,
): Pick<Services, 'extensions:list' | 'extensions:add' | 'extensions:remove' | 'extensions:create-record' | 'extensions:update-record' | 'extensions:for-referral'> {
  const list = (): ChannelOutput<'extensions:list'> => ({ databases: listExtensionDatabases(context.replica()) });

  /** Queues one dialect-neutral write (printed in the connection's dialect when it is sent). */
  function queue(operation: WriteOperation, target: WriteTarget, fields: Record<string, string | number | null>) {
    const replica = context.replica();
    try {
      const result = queueEdit(replica, { operation, target, fields }, { dialect: context.dialect() });
      context.written(['extension_records', 'outbox']);
      return result;
    } catch (error) {
      if (error instanceof EditValidationError) throw refusal(error);
      throw error;
    }
  }

  function requireKept(name: string): void {
    if (!keptExtensionDatabases(context.replica()).includes(name)) {
      throw new ServiceError('VALIDATION', `"${name}" is not one of the extension databases kept on this device: an admin adds it in Settings first.`, {
        issues: [{ path: 'database', message: 'not kept on this device' }],
      });
    }
  }

  return {
    'extensions:list': async () => list(),

    'extensions:add': async ({ name }) => {
      printedName(name);
      const client = context.client();
      let reply: unknown;
      try {
        reply = await probe(client, name);
      } finally {
        await client.close();
      }
      const replica = context.replica();
      replica.sqlite.transaction(() => {
        if (reply !== undefined) setSelectableFields(replica, label(name), reply);
        setSyncState(replica, CHECKED_KEY, { ...checkedAt(replica), [name]: new Date().toISOString() });
        setSyncState(replica, EXTENSIONS_KEY, [...new Set([...keptExtensionDatabases(replica), name])].sort());
      })();
      context.changed();
      return list();
    },

    'extensions:remove': async ({ name }) => {
      const replica = context.replica();
      replica.sqlite.transaction(() => {
        setSyncState(
          replica,
          EXTENSIONS_KEY,
          keptExtensionDatabases(replica).filter((n) => n !== name),
        );
        // Rows with edits still waiting stay until those are sent; the rest leave the device now.
        const pending = pendingRecordIds(replica, label(name));
        deleteExtensionRecords(
          replica,
          name,
          extensionRowIds(replica.sqlite, name).filter((id) => !pending.has(id)),
        );
      })();
      context.written(['extension_records']);
      return list();
    },

    'extensions:create-record': async ({ database, referral, client, fields }) => {
      requireKept(database);
      const all = formFields(fields, true);
      delete all.id;
      delete all.updated;
      if (referral !== undefined) all.referral = referral;
      if (client !== undefined && referral === undefined) all.client = client;
      printedName(database); // refuses a name the grammar cannot print, before anything is queued
      const result = queue('create-extension-record', { extensionDatabase: database }, all);
      return { id: result.temp_id!, outboxId: result.entry };
    },

    'extensions:update-record': async ({ database, id, fields }) => {
      requireKept(database);
      printedName(database);
      const result = queue('update-extension-record', { extensionDatabase: database, recordId: id }, formFields(fields, false));
      return { id, outboxId: result.entry };
    },

    'extensions:for-referral': async ({ referral }) => ({ extension_records: extensionRowsFor(context.replica(), { referral }) }),
  };
}
