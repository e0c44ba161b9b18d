// Every GET that sync makes goes through here: bounded retries for retryable failures (Retry-After
// honoured by withRetries), a damaged body (not a JSON array, cut off) treated as retryable too,
// cancellation through the run's AbortSignal. Each attempt starts a fresh sink, so a reply that
// fails half-way through parsing never leaves half of its items behind.

import type { DizionsClient } from '../api/client.js';
import { DizionsError, errorFromBadReply } from '../api/errors.js';
import { withRetries, type RetryOptions } from '../api/retry.js';
import { printPath, type DizionsPath } from '../../shared/url-grammar.js';
import { MalformedReply, forEachArraySlice } from './json-array.js';
import { JsonArrayStream } from './json-stream.js';
import type { Turns } from './turns.js';

export interface FetchContext {
  client: DizionsClient;
  signal?: AbortSignal | undefined;
  retry: Omit<RetryOptions, 'signal'>;
  /** Told about each retry, e.g. to log "retrying in 2 s". */
  onRetry?: ((error: DizionsError, attempt: number, delayMs: number) => void) | undefined;
  /** Parsing takes its turn with the run's other synchronous work (see turns.ts). */
  turns?: Turns | undefined;
}

/** Collects one reply's items; a new sink is made for every attempt. */
export interface Sink<T> {
  add(items: unknown[]): void;
  finish(): T;
}

/** A reply that parsed but is not what the API promises (e.g. a record without an id): retrying will not help. */
export class ReplyShapeError extends Error {
  override name = 'ReplyShapeError';
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'signal'> = { attempts: 6, baseMs: 250, maxMs: 8_000 };

/** GETs a collection path and feeds its items to a fresh sink per attempt. */
export async function getArray<T>(context: FetchContext, path: DizionsPath, makeSink: () => Sink<T>): Promise<T> {
  const printed = printPath(path);
  return withRetries(
    async () => {
      const reply = await context.client.getRecordsRaw(path, context.signal ? { signal: context.signal } : {});
      const parse = async () => {
        const sink = makeSink();
        try {
          await forEachArraySlice(reply.text, (items) => sink.add(items));
        } catch (error) {
          if (error instanceof MalformedReply || error instanceof ReplyShapeError) {
            const wrongShape = error instanceof ReplyShapeError;
            throw errorFromBadReply({ method: 'GET', path: printed }, reply.status, error.message, { wrongShape, cause: error });
          }
          throw error;
        }
        return sink.finish();
      };
      return context.turns ? context.turns.run(parse) : parse();
    },
    {
      ...context.retry,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.onRetry ? { onRetry: context.onRetry } : {}),
    },
  );
}

/** Like Sink, for a reply handled while it streams: each run of items is awaited before more is read. */
export interface StreamSink<T> {
  add(items: unknown[]): void | Promise<void>;
  finish(): T;
}

/**
 * GETs a collection path and feeds its items to a fresh sink per attempt while the body streams
 * (json-stream.ts): the reply is never held whole, and the sink's work (an ingest) overlaps the
 * transfer. Items handed over before a failure stay handed over: the sink must tolerate seeing
 * them again on the next attempt.
 */
export async function streamArray<T>(context: FetchContext, path: DizionsPath, makeSink: () => StreamSink<T>): Promise<T> {
  const printed = printPath(path);
  return withRetries(
    async () => {
      const sink = makeSink();
      const parser = new JsonArrayStream();
      const fail = (error: unknown): never => {
        if (error instanceof MalformedReply || error instanceof ReplyShapeError) {
          throw errorFromBadReply({ method: 'GET', path: printed }, 200, error.message, { wrongShape: error instanceof ReplyShapeError, cause: error });
        }
        throw error;
      };
      // The sink paces its own work (an Ingestor takes turns slice by slice): not wrapped in a turn here.
      const handle = async (runs: unknown[][]) => {
        for (const items of runs) if (items.length > 0) await sink.add(items);
      };
      try {
        await context.client.streamRecordsRaw(
          path,
          async (text) => {
            // A chunk is scanned, and a completed run parsed, in a few ms.
            await handle(parser.push(text));
          },
          context.signal ? { signal: context.signal } : {},
        );
        await handle([parser.end()]);
      } catch (error) {
        fail(error);
      }
      return sink.finish();
    },
    {
      ...context.retry,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.onRetry ? { onRetry: context.onRetry } : {}),
    },
  );
}
