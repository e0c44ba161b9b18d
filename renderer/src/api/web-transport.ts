// The browser host's transport: `POST /rpc/<channel>` with the JSON input (same origin; the session
// cookie carries the token) answering the envelope, and one EventSource on `/events` for pushes.
// A reply that never came is turned into an envelope here, so callers see one kind of failure.

import type { BridgeTransport } from '../../../shared/ipc/bridge.js';
import { fail, isResult } from '../../../shared/ipc/envelope.js';

const NOT_ANSWERING = 'Caseworker is not answering. Is it still running? Reload the page once it is.';

async function call(channel: string, input: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`/rpc/${channel}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
  } catch {
    return fail('INTERNAL', NOT_ANSWERING);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fail('INTERNAL', response.ok ? 'Caseworker sent a reply it could not read.' : `Caseworker answered with an error (HTTP ${response.status}).`);
  }
  return isResult(body) ? body : fail('INTERNAL', 'Caseworker sent a reply it could not read.');
}

let source: EventSource | null = null;
const listeners = new Map<string, Set<(payload: unknown) => void>>();

function ensureSource(): EventSource {
  if (source) return source;
  source = new EventSource('/events', { withCredentials: false });
  return source;
}

function subscribe(event: string, listener: (payload: unknown) => void): () => void {
  const stream = ensureSource();
  let set = listeners.get(event);
  if (!set) {
    set = new Set();
    listeners.set(event, set);
    const relay = set;
    stream.addEventListener(event, (message: MessageEvent<string>) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        return;
      }
      for (const l of [...relay]) l(payload);
    });
  }
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

export const webTransport: BridgeTransport = { call, subscribe };
