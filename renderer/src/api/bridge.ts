// The one module that talks to main. In Electron the preload exposes `window.caseworker`; in a
// browser (the host of `caseworker web`) calls go over HTTP and events over SSE. Either way a
// caller gets the channel's output or a typed IpcError — never a raw envelope.

import { BRIDGE_GLOBAL, buildBridge, type CaseworkerBridge } from '../../../shared/ipc/bridge.js';
import type { Channel, ChannelArgs, ChannelOutput } from '../../../shared/ipc/contract.js';
import { IpcError, unwrap } from '../../../shared/ipc/envelope.js';
import { events, type EventName, type EventPayload } from '../../../shared/ipc/events.js';
import { webTransport } from './web-transport.js';

export { IpcError };

function pickBridge(): { bridge: CaseworkerBridge; transport: 'electron' | 'web' } {
  const exposed = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] as CaseworkerBridge | undefined;
  if (exposed && typeof exposed === 'object' && typeof exposed.on === 'function') return { bridge: exposed, transport: 'electron' };
  return { bridge: buildBridge(webTransport), transport: 'web' };
}

const chosen = pickBridge();

/** Which transport this page talks through (for Settings and the support log). */
export const transport = chosen.transport;

/** Calls one channel; resolves to its output, rejects with an IpcError. */
export async function call<C extends Channel>(channel: C, input: ChannelArgs<C>): Promise<ChannelOutput<C>> {
  const fn = chosen.bridge[channel] as unknown as (input: ChannelArgs<C>) => Promise<unknown>;
  let reply: unknown;
  try {
    reply = await fn(input);
  } catch (error) {
    // Electron rejects only when main itself failed to answer; its message is not for people.
    if (error instanceof IpcError) throw error;
    throw new IpcError('INTERNAL', 'Caseworker could not answer this request.');
  }
  return unwrap<ChannelOutput<C>>(reply);
}

/** Listens to a push event (payloads checked against their schema); returns the unsubscribe. */
export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const schema = events[event];
  return chosen.bridge.on(event, (payload) => {
    const parsed = schema.safeParse(payload);
    if (parsed.success) listener(parsed.data as EventPayload<E>);
  });
}
