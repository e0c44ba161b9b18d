// Upload visibility groups: who, besides the people named, may see a file sent to Charitylog
// (`group_visibility`, ids). The API documents no list of groups: the app takes them from a
// dictionary when the server has one, otherwise an admin names them (id and name) in Settings.
// The attach dialog remembers each person's last choice.

import { z } from 'zod';
import { LIMITS, serverId } from './fields.js';

export const uploadGroup = z.strictObject({
  id: serverId,
  name: z.string({ error: "expected the group's name" }).trim().min(1, { error: 'give the group a name' }).max(LIMITS.shortText, { error: 'the name is too long' }),
});
export type UploadGroup = z.infer<typeof uploadGroup>;

const idList = z.array(serverId).max(200);

export const visibilityChoice = z.strictObject({ user_visibility: idList, group_visibility: idList });
export type VisibilityChoice = z.infer<typeof visibilityChoice>;

export const uploadGroupsView = z.object({
  groups: z.array(uploadGroup),
  /** Where the list came from: the server's dictionary, an admin in Settings, or nowhere yet. */
  source: z.enum(['dictionary', 'settings', 'none']),
  /** The dictionary path the list came from, when it did. */
  dictionary: z.string().nullable(),
  /** This person's last choice in the attach dialog. */
  remembered: visibilityChoice.nullable(),
});
export type UploadGroupsView = z.infer<typeof uploadGroupsView>;

export const uploadGroupsChannels = {
  'groups:list': { input: z.strictObject({}), output: uploadGroupsView },
  /** Admin: the groups as named in Settings (replaces the list; ids must be unique). */
  'groups:set': {
    input: z
      .strictObject({ groups: z.array(uploadGroup).max(200, { error: 'at most 200 groups' }) })
      .refine((v) => new Set(v.groups.map((g) => g.id)).size === v.groups.length, { error: 'each group id once', path: ['groups'] }),
    output: uploadGroupsView,
  },
  /** Admin: ask the server for a groups dictionary (read-only); keeps it when found. */
  'groups:look-up': { input: z.strictObject({}), output: z.object({ found: z.boolean(), message: z.string(), view: uploadGroupsView }) },
  /** The attach dialog's choice, remembered for this person. */
  'groups:remember': { input: visibilityChoice, output: z.object({ remembered: visibilityChoice }) },
} as const;
