// Turns anything a service throws into an error envelope: ServiceError keeps its code; Dizions
// errors map by kind (retryable → OFFLINE, unauthorised → UNAUTHORIZED, rejected → REJECTED);
// grammar and schema mistakes are VALIDATION; everything else is INTERNAL with a generic sentence
// and a reference, the details going only to the support log.

import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import type { ErrorBody, ValidationIssue } from '../../shared/ipc/envelope.js';
import { GrammarError } from '../../shared/url-grammar.js';
import { DizionsError } from '../api/errors.js';
import { QueryError } from '../db/answer-path.js';
import { ReplicaKeyError } from '../db/keys.js';
import { ServiceError } from './service-error.js';

export type LogWriter = (event: string, fields: Record<string, unknown>) => void;

const MAX_ISSUES = 20;
const MAX_MESSAGE = 200;
const MAX_SEGMENT = 40;
const MAX_DEPTH = 8;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function printPath(path: ReadonlyArray<PropertyKey>): string {
  const segments = path.slice(0, MAX_DEPTH).map((key, i) => {
    if (typeof key === 'number') return `[${key}]`;
    const name = clip(String(key), MAX_SEGMENT);
    return i === 0 ? name : `.${name}`;
  });
  return segments.join('') + (path.length > MAX_DEPTH ? '…' : '');
}

/** Zod issues as path + message, bounded: never echoes a huge key or value back. */
export function issuesOf(error: ZodError): ValidationIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, 5).map((k) => JSON.stringify(clip(k, MAX_SEGMENT)));
      message = `unknown field${issue.keys.length === 1 ? '' : 's'}: ${keys.join(', ')}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`;
    }
    return { path: printPath(issue.path), message: clip(message, MAX_MESSAGE) };
  });
}

export function validationBody(what: string, issues: ValidationIssue[], total = issues.length): ErrorBody {
  const first = issues[0];
  const where = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'the input is not valid';
  const more = total > 1 ? ` (and ${total - 1} more problem${total === 2 ? '' : 's'})` : '';
  return {
    code: 'VALIDATION',
    message: clip(`${what} was not valid: ${where}${more}`, 400),
    details: { issues, ...(total > issues.length ? { truncated: true } : {}) },
  };
}

/** A short reference the user can quote and support can find in the log. */
export function newReference(): string {
  return randomBytes(4).toString('hex');
}

/** Where in our code an error was thrown (file:line:column of the first frames), for the support log. */
function frames(error: unknown, count = 3): string[] {
  const stack = (error as { stack?: unknown })?.stack;
  if (typeof stack !== 'string') return [];
  return stack
    .split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .slice(0, count)
    .map(
      (line) =>
        line
          .match(/\(?([^()\s]+:\d+:\d+)\)?\s*$/)?.[1]
          ?.split(/[\\/]/)
          .slice(-2)
          .join('/') ?? '?',
    );
}

export function internalBody(reference: string): ErrorBody {
  return {
    code: 'INTERNAL',
    message: `Caseworker hit an unexpected problem (reference ${reference}). Please try again; if it keeps happening, send the support log to your administrator.`,
  };
}

export function errorToBody(error: unknown, context: { channel: string; log?: LogWriter | undefined }): ErrorBody {
  if (error instanceof ServiceError) {
    return error.details === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof DizionsError) {
    const code = error.kind === 'retryable' ? 'OFFLINE' : error.kind === 'unauthorised' ? 'UNAUTHORIZED' : 'REJECTED';
    return {
      code,
      message: error.message,
      details: { status: error.status, ...(error.serverMessage ? { serverMessage: error.serverMessage } : {}) },
    };
  }
  if (error instanceof GrammarError) {
    return validationBody('The path', [{ path: 'path', message: clip(error.message, MAX_MESSAGE) }]);
  }
  if (error instanceof QueryError) {
    // A path the server would refuse, answered offline: 404 for an unknown group or dictionary.
    return error.status === 404 ? { code: 'NOT_FOUND', message: error.message } : validationBody('The path', [{ path: 'path', message: clip(error.message, MAX_MESSAGE) }]);
  }
  if (error instanceof ZodError) {
    const issues = issuesOf(error);
    return validationBody('The request', issues, error.issues.length);
  }
  if (error instanceof ReplicaKeyError) {
    // Its message is written for the user (which key, where it came from, what to do).
    return { code: 'INTERNAL', message: error.message };
  }
  const reference = newReference();
  context.log?.('ipc.internal_error', {
    channel: context.channel,
    reference,
    error: error instanceof Error ? error.name : typeof error,
    // Not the message: an unexpected error's text may quote a record. Its code and where it was thrown locate it.
    code: typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined,
    at: frames(error),
  });
  return internalBody(reference);
}
