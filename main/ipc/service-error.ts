// The error a service throws to answer with a specific envelope code (NOT_FOUND, CONFLICT …) and a
// sentence for the user. Anything else thrown is classified by main/ipc/error-envelope.ts.

import type { ErrorCode } from '../../shared/ipc/envelope.js';

export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Plain JSON data for the renderer (e.g. the fields in conflict). Never personal data it did not send. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}
