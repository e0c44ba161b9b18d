// `caseworker outbox --db FILE [list | retry ID [field=value …] | discard ID | resolve ID FIELD=mine|theirs … |
// send-again ID | mark-done ID [SERVER_ID]] [--all] [--json]`: shows the queued edits and acts on the
// ones that stopped. `list --json` prints {"entries": [{id, state, method, path, error?, …}], "paused"?};
// every other action prints what it did (one JSON line with --json). Nothing here talks to the server.

import type Database from 'better-sqlite3';
import { discardEntry, markDone, OutboxActionError, resolveConflict, retryEntry, sendAgain, type Choice } from '../outbox/actions.js';
import { listEntries, type OutboxEntry } from '../outbox/entries.js';
import { EditValidationError } from '../outbox/queue.js';
import { pauseReason } from '../outbox/replay.js';
import { parseAssignments } from './usage.js';
import { givenDialect } from './dialect-arg.js';
import { savedDialect } from '../db/replica-dialect.js';
import { printEntry } from '../outbox/printing.js';
import type { Dialect } from '../../shared/dizions/dialects.js';
import { openReplicaArg } from './replica-arg.js';
import { UsageError, UserFacingError, parseCommandArgs, printJson } from './usage.js';

const ACTIONS = ['list', 'retry', 'discard', 'resolve', 'send-again', 'mark-done'] as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' }, dialect: { type: 'string' } });
  const given = givenDialect(values.dialect);
  const [action = 'list', idText, ...rest] = positionals;
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}" (${ACTIONS.join(', ')})`);
  const id = action === 'list' ? undefined : entryId(idText);
  const replica = await openReplicaArg(values.db, { mustExist: true });
  try {
    // Entries are printed in the connection's current dialect: given, else saved with the replica.
    printIn = given ?? savedDialect(replica);
    const result = perform(replica, action, id, rest, values.all === true);
    if (values.json) printJson(result.json);
    else process.stdout.write(result.text + '\n');
    return 0;
  } catch (error) {
    if (error instanceof OutboxActionError) throw new UserFacingError(error.message);
    if (error instanceof EditValidationError) throw new UserFacingError(`refused, nothing changed: ${error.message}`);
    throw error;
  } finally {
    replica.close();
  }
}

function entryId(text: string | undefined): number {
  if (text === undefined) throw new UsageError('give the entry ID (see caseworker outbox list)');
  if (!/^\d+$/.test(text)) throw new UsageError(`the entry ID is a whole number, got "${text}"`);
  return Number(text);
}

type Handle = { sqlite: Database.Database };

function perform(replica: Handle, action: string, id: number | undefined, rest: string[], all: boolean): { json: unknown; text: string } {
  switch (action) {
    case 'list': {
      const entries = listEntries(replica.sqlite, all ? { includeConfirmed: true } : {});
      const paused = pauseReason(replica);
      return {
        json: { entries: entries.map(entryJson), ...(paused ? { paused } : {}) },
        text: describeList(entries, paused),
      };
    }
    case 'retry': {
      const entry = retryEntry(replica, id!, parseAssignments(rest));
      return { json: { entry: entryJson(entry) }, text: `entry ${id} will be sent at the next sync` };
    }
    case 'discard': {
      noExtra(rest, action);
      const dropped = discardEntry(replica, id!);
      return {
        json: { discarded: dropped },
        text:
          dropped.length === 1
            ? `entry ${id} discarded; its local change was rolled back`
            : `discarded entries ${dropped.join(', ')} (they build on entry ${id}); their local changes were rolled back`,
      };
    }
    case 'resolve': {
      if (rest.length === 0) throw new UsageError('give FIELD=mine or FIELD=theirs for each field in conflict');
      const choices: Record<string, Choice> = {};
      for (const [field, choice] of Object.entries(parseAssignments(rest))) {
        if (choice !== 'mine' && choice !== 'theirs') throw new UsageError(`${field}=${choice}: choose mine or theirs`);
        choices[field] = choice;
      }
      const entry = resolveConflict(replica, id!, choices);
      const open = Object.keys(entry.conflict ?? {});
      return {
        json: { entry: entryJson(entry) },
        text:
          entry.state === 'conflict'
            ? `still in conflict: ${open.join(', ')}`
            : entry.state === 'confirmed'
              ? `entry ${id} settled: nothing left to send`
              : `entry ${id} will be sent at the next sync`,
      };
    }
    case 'send-again': {
      noExtra(rest, action);
      const entry = sendAgain(replica, id!);
      return { json: { entry: entryJson(entry) }, text: `entry ${id} will be sent again at the next sync` };
    }
    default: {
      if (rest.length > 1) throw new UsageError('mark-done takes the entry ID and, for a create, the id the record has on the server');
      const serverId = rest[0] === undefined ? undefined : entryId(rest[0]);
      const entry = markDone(replica, id!, serverId);
      return { json: { entry: entryJson(entry) }, text: `entry ${id} marked as done${serverId === undefined ? '' : ` (server id ${serverId})`}` };
    }
  }
}

function noExtra(rest: string[], action: string): void {
  if (rest.length > 0) throw new UsageError(`${action} takes only the entry ID`);
}

let printIn: Dialect | undefined;

/** Method and path of an entry in `dialect` (or as last printed, when no dialect is known). */
function printed(entry: OutboxEntry, dialect = printIn): { method: string; path: string } {
  return dialect ? printEntry(entry.operation, entry.target, dialect) : { method: entry.method, path: entry.path };
}

/** An entry as the CLI and scripts see it: the API's words (the connection's dialect), nulls left out. */
export function entryJson(entry: OutboxEntry): Record<string, unknown> {
  const { method, path } = printed(entry);
  const out: Record<string, unknown> = {
    id: entry.id,
    state: entry.state,
    operation: entry.operation,
    method,
    path,
    fields: entry.fields,
    record: entry.record_id === null ? entry.record_family : `${entry.record_family}/${entry.record_id}`,
    attempts: entry.attempts,
    created_at: entry.created_at,
  };
  if (entry.temp_id !== null) out.temp_id = entry.temp_id;
  if (entry.server_id !== null) out.server_id = entry.server_id;
  if (entry.error !== null) out.error = entry.error;
  if (entry.error_code !== null) out.error_code = entry.error_code;
  if (entry.blocked_by !== null) out.blocked_by = entry.blocked_by;
  if (entry.conflict !== null) out.conflict = entry.conflict;
  if (entry.outcome !== null) out.outcome = entry.outcome;
  return out;
}

function describeList(entries: OutboxEntry[], paused: string | null): string {
  const lines: string[] = [];
  if (paused) lines.push(`PAUSED: ${paused}`);
  if (entries.length === 0) lines.push('the outbox is empty: every edit has been confirmed by the server');
  for (const e of entries) {
    const { method, path } = printed(e);
    lines.push(`${String(e.id).padStart(5)}  ${e.state.padEnd(10)} ${method} ${path}  ${JSON.stringify(e.fields)}`);
    if (e.error) lines.push(`       ${e.error}`);
    for (const [field, c] of Object.entries(e.conflict ?? {})) {
      lines.push(`       ${field}: mine ${JSON.stringify(c.mine)}, theirs ${JSON.stringify(c.theirs)} (was ${JSON.stringify(c.base)})`);
    }
  }
  return lines.join('\n');
}
