// Prints a dialect-neutral outbox entry as the request a dialect sends: verb, path and wire fields,
// from shared/dizions/dialects.ts, at the moment it is sent (or shown). A field the dialect cannot
// express fails the entry visibly, naming the field — it is never dropped. "Record a contact" is one
// request in 2025 and a chain of two in 2019 (plan, then complete): `step` says which one is next.

import { DialectError, dialectProblems, isChain, printWrite, rowOf, wireFields, type Dialect, type WriteOperation, type WriteTarget } from '../../shared/dizions/dialects.js';
import type { ClassifiedEdit } from '../../shared/edits/classify.js';
import { printPath, type DizionsPath } from '../../shared/url-grammar.js';
import type { FormFields, OutboxEntry } from './entries.js';

const TARGET_KEYS = ['recordId', 'referralId', 'secondId', 'externalId', 'extensionDatabase', 'uploadGroup'] as const;

/** The target records of a classified edit (what an entry stores). */
export function targetOfEdit(edit: ClassifiedEdit | WriteTarget): WriteTarget {
  const out: Record<string, unknown> = {};
  for (const key of TARGET_KEYS) if (edit[key] !== undefined) out[key] = edit[key];
  return out as WriteTarget;
}

/** The fields the first step of the seed's "record a contact" sends: plan the action (its planned times). */
const PLAN_FIELDS = ['user', 'start_date', 'end_date', 'description'];

export interface SendForm {
  /** The operation this request performs (a chain step's own operation). */
  operation: WriteOperation;
  method: 'PUT' | 'POST';
  path: DizionsPath;
  fields: FormFields;
  /** For a chain: which step (0 = first). */
  step: number;
  /** The request creates the record (its reply carries the new id). */
  creates: boolean;
}

/** An edit the current dialect cannot send as queued. */
export class UnsendableError extends Error {
  override name = 'UnsendableError';
}

/**
 * The next request of an entry in `dialect`. A chain's first step is done once the entry holds the
 * server id of what it made (server_id), whatever dialect sent it: the rest is completing that record.
 */
export function sendForm(entry: Pick<OutboxEntry, 'operation' | 'target' | 'fields' | 'server_id' | 'temp_id'>, dialect: Dialect): SendForm {
  const problems = dialectProblems(entry.operation, entry.fields, dialect);
  if (problems.length > 0) {
    throw new UnsendableError(`the connection speaks the ${dialect} dialect, which cannot send this edit: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
  try {
    const form = rowOf(entry.operation, dialect).form;
    if (entry.operation === 'record-contact' && entry.temp_id !== null && entry.server_id !== null) {
      // Planned already (step one landed): what is left is completing that action, in any dialect.
      return oneRequest('complete-action', { recordId: entry.server_id }, entry.fields, dialect, 1, false);
    }
    if (isChain(form)) {
      const fields: FormFields = {};
      for (const name of PLAN_FIELDS) if (entry.fields[name] !== undefined) fields[name] = entry.fields[name];
      return oneRequest(form.chain[0]!, entry.target, fields, dialect, 0, true);
    }
    return oneRequest(entry.operation, entry.target, entry.fields, dialect, 0, entry.temp_id !== null);
  } catch (error) {
    if (error instanceof DialectError) throw new UnsendableError(`the edit cannot be sent: ${error.message}`);
    throw error;
  }
}

function oneRequest(operation: WriteOperation, target: WriteTarget, fields: FormFields, dialect: Dialect, step: number, creates: boolean): SendForm {
  const { method, path } = printWrite(operation, target, dialect);
  return { operation, method, path, fields: wireFields(operation, fields, target, dialect), step, creates };
}

/** Whether an operation is more than one request in a dialect. */
export function stepsOf(operation: WriteOperation, dialect: Dialect): number {
  const form = rowOf(operation, dialect).form;
  return isChain(form) ? form.chain.length : 1;
}

/** Method and path as people read them (outbox list, history): a chain shows its first step. */
export function printEntry(operation: WriteOperation, target: WriteTarget, dialect: Dialect): { method: string; path: string } {
  try {
    const form = rowOf(operation, dialect).form;
    const printed = printWrite(isChain(form) ? form.chain[0]! : operation, target, dialect);
    return { method: printed.method, path: printPath(printed.path) };
  } catch (error) {
    if (error instanceof DialectError) return { method: '?', path: `(${error.message})` };
    throw error;
  }
}
