// Bounded retries for callers that choose them (sync's GETs): exponential backoff with full jitter,
// never sooner than the server's Retry-After. Only `retryable` errors are retried, and never a write
// that may have committed — that one belongs to the outbox's in-doubt handling, not to a blind resend.

import { DizionsError } from './errors.js';

export interface RetryOptions {
  /** Total tries, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to show "retrying in 4 s". */
  onRetry?: (error: DizionsError, attempt: number, delayMs: number) => void;
  /** For tests: replaces Math.random. */
  random?: () => number;
}

export function retryDelayMs(error: DizionsError, attempt: number, options: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'>): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling * (options.random ?? Math.random)());
  return Math.max(jittered, error.retryAfterMs ?? 0);
}

export function isRetryable(error: unknown): error is DizionsError {
  return error instanceof DizionsError && error.kind === 'retryable' && !error.mayHaveCommitted;
}

export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error) || attempt >= options.attempts || options.signal?.aborted) throw error;
      const delayMs = retryDelayMs(error, attempt, options);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** Waits `ms`, or less if the signal aborts (it never rejects: the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
