// The browser host's transport: `POST /rpc/<channel>` with the JSON input answering the envelope, and
// one EventSource on `/events` for pushes. The per-tab session the host handed over in the address
// (`#session=…`) is kept in sessionStorage — this tab, this origin and port only, never a cookie — and
// sent as a header. A reply that never came is turned into an envelope here: one kind of failure.

import type { BridgeTransport } from '../../../shared/ipc/bridge.js';
import { fail, isResult } from '../../../shared/ipc/envelope.js';

const NOT_ANSWERING = 'Caseworker is not answering. Is it still running? Reload the page once it is.';
const SESSION_KEY = 'caseworker.session';
const SESSION_HEADER = 'X-Caseworker-Session';

/** Takes the session out of the address bar (before the router reads it) into this tab's storage. */
function adoptSession(): string | null {
  if (typeof location === 'undefined' || typeof sessionStorage === 'undefined') return null;
  try {
    const handed = /^#session=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
    if (handed) {
      sessionStorage.setItem(SESSION_KEY, handed);
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null; // storage refused (a locked-down profile): the calls say how to open Caseworker
  }
}

const session = adoptSession();

async function call(channel: string, input: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`/rpc/${channel}`, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(session ? { [SESSION_HEADER]: session } : {}) },
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
  source = new EventSource(session ? `/events?session=${encodeURIComponent(session)}` : '/events', { withCredentials: false });
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
