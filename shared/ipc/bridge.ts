// The shape the renderer calls: one function per contract channel plus `on(event, listener)`, built
// from the plain name lists so the sandboxed preload (ipcRenderer) and the browser transport (fetch
// + EventSource) expose the same object. There is deliberately no generic `invoke(channel)`.

import type { Result } from './envelope.js';
import type { Channel, ChannelArgs, ChannelOutput } from './contract.js';
import type { EventName, EventPayload } from './events.js';
import { CHANNELS, EVENT_NAMES } from './channels.js';

export type BridgeCalls = { readonly [C in Channel]: (input: ChannelArgs<C>) => Promise<Result<ChannelOutput<C>>> };

export interface BridgeEvents {
  /** Listen to a push event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export type CaseworkerBridge = BridgeCalls & BridgeEvents;

/** Where the preload puts the bridge: `window.caseworker`. */
export const BRIDGE_GLOBAL = 'caseworker';

/** How a transport sends one call and subscribes to one event; the bridge closes each function over its own name. */
export interface BridgeTransport {
  call(channel: string, input: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

export function buildBridge(transport: BridgeTransport): CaseworkerBridge {
  const bridge: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    bridge[channel] = (input: unknown) => transport.call(channel, input);
  }
  const known = new Set<string>(EVENT_NAMES);
  bridge.on = (event: string, listener: (payload: unknown) => void) => {
    if (!known.has(event)) throw new Error(`unknown event "${String(event)}"`);
    if (typeof listener !== 'function') throw new Error('on(event, listener) needs a function');
    return transport.subscribe(event, listener);
  };
  return Object.freeze(bridge) as unknown as CaseworkerBridge;
}
