// How a sync fails, in words a field worker can act on. A DizionsError that survived its retries
// becomes a SyncFailedError naming what was being fetched; cancellation is its own error. Either
// way the replica keeps every batch written before the failure, and the next run carries on.

import { DizionsError } from '../api/errors.js';

export type SyncFailureCode = 'UNAUTHORIZED' | 'OFFLINE' | 'REJECTED' | 'INTERNAL';

export class SyncFailedError extends Error {
  override name = 'SyncFailedError';
  constructor(
    message: string,
    readonly code: SyncFailureCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class SyncCancelledError extends Error {
  override name = 'SyncCancelledError';
  constructor() {
    super('sync cancelled; the replica keeps what was fetched so far, and the next sync carries on from there');
  }
}

/** Turns whatever stopped a sync into one of the two errors above (other errors pass through). */
export function explainSyncFailure(error: unknown, signal: AbortSignal | undefined, attempts: number): unknown {
  if (error instanceof SyncFailedError || error instanceof SyncCancelledError) return error;
  if (signal?.aborted) return new SyncCancelledError();
  if (!(error instanceof DizionsError)) return error;
  const resume = 'The replica keeps everything synced before this; run sync again to carry on.';
  switch (error.kind) {
    case 'unauthorised':
      return new SyncFailedError(
        error.status === 403
          ? `the server refused access for this user (403) on ${error.path}. Check that the User key belongs to the person syncing.`
          : `the server refused the keys (401): check the Source, Org and User keys. ${resume}`,
        'UNAUTHORIZED',
        { cause: error },
      );
    case 'rejected':
      return new SyncFailedError(`the server rejected GET ${error.path}${error.serverMessage ? `: ${error.serverMessage}` : ` (${error.status})`}. ${resume}`, 'REJECTED', { cause: error });
    case 'retryable':
      return new SyncFailedError(`could not fetch ${shorten(error.path)} after ${attempts} attempts: ${stripLabel(error)}. ${resume}`, 'OFFLINE', { cause: error });
  }
}

function shorten(path: string): string {
  return path.length > 120 ? `${path.slice(0, 117)}…` : path;
}

/** DizionsError messages start with `METHOD path: `; the sync message names the path itself. */
function stripLabel(error: DizionsError): string {
  const prefix = `${error.method} ${error.path}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
