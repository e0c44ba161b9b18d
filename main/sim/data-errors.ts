// The one error type of the simulator's data layer: an HTTP status and a message that names the
// field or path segment at fault. api-handler.ts turns it into `{"error": message}`; anything
// else thrown is a simulator bug and becomes a 500.

export class ApiError extends Error {
  override name = 'ApiError';
  /** `extra` joins the error body, e.g. the existing record's id on a 409. */
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = (message: string) => new ApiError(404, message);
export const notAllowed = (message: string) => new ApiError(405, message);
