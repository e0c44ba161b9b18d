// The one IPC contract: every domain's channel map merged into `contract`, channel → { input, output }
// zod schemas. Main validates both sides with it; the renderer infers its types from it. A channel
// name appearing in two domains throws here, at module load, so a clash cannot ship.

import type { z } from 'zod';
import { caseloadChannels } from './caseload.js';
import { clientsChannels } from './clients.js';
import { contactsChannels } from './contacts.js';
import { dictionariesChannels } from './dictionaries.js';
import { draftsChannels } from './drafts.js';
import { extensionsChannels } from './extensions.js';
import { outboxChannels } from './outbox.js';
import { referralsChannels } from './referrals.js';
import { reportsChannels } from './reports.js';
import { settingsChannels } from './settings.js';
import { syncChannels } from './sync.js';
import { uploadGroupsChannels } from './upload-groups.js';

export interface ChannelSpec {
  input: z.ZodType;
  output: z.ZodType;
}

/** `domain:verb`, lowercase, verbs hyphenated (`contacts:create-due`). */
export const CHANNEL_NAME = /^[a-z]+:[a-z]+(-[a-z]+)*$/;

/** Merges channel maps; throws on a duplicate or malformed name. */
export function mergeChannelMaps(maps: ReadonlyArray<Readonly<Record<string, ChannelSpec>>>): Record<string, ChannelSpec> {
  const merged: Record<string, ChannelSpec> = Object.create(null) as Record<string, ChannelSpec>;
  for (const map of maps) {
    for (const [name, spec] of Object.entries(map)) {
      if (!CHANNEL_NAME.test(name)) throw new Error(`IPC channel "${name}" is not named domain:verb`);
      if (Object.hasOwn(merged, name)) throw new Error(`IPC channel "${name}" is defined twice`);
      merged[name] = spec;
    }
  }
  return merged;
}

export type Contract = typeof caseloadChannels &
  typeof clientsChannels &
  typeof referralsChannels &
  typeof contactsChannels &
  typeof outboxChannels &
  typeof syncChannels &
  typeof reportsChannels &
  typeof settingsChannels &
  typeof dictionariesChannels &
  typeof draftsChannels &
  typeof extensionsChannels &
  typeof uploadGroupsChannels;

export const contract = mergeChannelMaps([
  caseloadChannels,
  clientsChannels,
  referralsChannels,
  contactsChannels,
  outboxChannels,
  syncChannels,
  reportsChannels,
  settingsChannels,
  dictionariesChannels,
  draftsChannels,
  extensionsChannels,
  uploadGroupsChannels,
]) as unknown as Contract;

export type Channel = keyof Contract & string;
/** What a service receives: the input after its schema parsed it. */
export type ChannelInput<C extends Channel> = z.output<Contract[C]['input']>;
/** What a caller sends (before parsing; the same as ChannelInput, as no input schema transforms). */
export type ChannelArgs<C extends Channel> = z.input<Contract[C]['input']>;
/** What the caller gets back in `data`. */
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;

export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

export function channelSpec(channel: Channel): ChannelSpec {
  return (contract as unknown as Record<string, ChannelSpec>)[channel]!;
}
