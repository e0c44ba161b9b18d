// What the app core implements (main/app/): one async function per contract channel, receiving
// the parsed input and returning the output the contract describes. The dispatcher validates both sides, so
// a service can trust its input and cannot leak fields the contract does not name.

import { CHANNELS } from '../../shared/ipc/channels.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';

export type Service<C extends Channel> = (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

export type Services = { [C in Channel]: Service<C> };

/** Channels the object has no function for, and names it has that are no channel. */
export function checkServices(services: Partial<Record<string, unknown>>): { missing: string[]; unknown: string[] } {
  const missing = CHANNELS.filter((channel) => typeof services[channel] !== 'function');
  const known = new Set<string>(CHANNELS);
  const unknown = Object.keys(services).filter((name) => !known.has(name));
  return { missing, unknown };
}
