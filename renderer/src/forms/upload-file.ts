// Files chosen in a form, read into the base64 the `contacts:attach` channel carries, with the
// contract's own limits checked first so the person hears "too large" before anything is queued.
// Who may see them becomes `user_visibility` and `group_visibility` ids; the choice is remembered.

import { LIMITS } from '../../../shared/ipc/fields.js';
import type { VisibilityChoice } from '../../../shared/ipc/upload-groups.js';
import { call } from '../api/bridge.js';

export type Visibility = 'me' | 'everyone' | 'chosen';

/** People (login ids) and groups picked under "Me and the people and groups I choose". */
export interface Chosen {
  users: number[];
  groups: number[];
}

/** The ids a choice sends; "only me" and "chosen" include me, so I always see what I sent. */
export function visibilityIds(visibility: Visibility, me: number | null, chosen: Chosen = { users: [], groups: [] }): VisibilityChoice {
  if (visibility === 'everyone') return { user_visibility: [], group_visibility: [] };
  const mine = me === null ? [] : [me];
  if (visibility === 'me') return { user_visibility: mine, group_visibility: [] };
  return { user_visibility: [...new Set([...mine, ...chosen.users])], group_visibility: [...new Set(chosen.groups)] };
}

/** A remembered choice back as the dialog's radio and ticks. */
export function visibilityFromRemembered(choice: VisibilityChoice, me: number | null): { visibility: Visibility; chosen: Chosen } {
  const users = choice.user_visibility.filter((u) => u !== me);
  if (choice.user_visibility.length === 0 && choice.group_visibility.length === 0) return { visibility: 'everyone', chosen: { users: [], groups: [] } };
  if (users.length === 0 && choice.group_visibility.length === 0) return { visibility: 'me', chosen: { users: [], groups: [] } };
  return { visibility: 'chosen', chosen: { users, groups: [...choice.group_visibility] } };
}

/** A sentence for the first file that cannot be sent, or null when all can. */
export function fileProblem(files: readonly File[]): string | null {
  if (files.length > LIMITS.filesPerUpload) return `Choose at most ${LIMITS.filesPerUpload} files at once.`;
  for (const f of files) {
    if (f.size > LIMITS.fileBytes) return `${f.name} is larger than 10 MB.`;
    if (f.name.length > LIMITS.filename) return `${f.name.slice(0, 40)}… has too long a name.`;
  }
  return null;
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

function contentTypeOf(file: File): string {
  const type = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'application/octet-stream';
}

/** Queues the files for the client or referral; `me` is the user id "only me" means. */
export async function attachFiles(group: 'clients' | 'referrals', id: number, files: readonly File[], visibility: Visibility, me: number | null, chosen?: Chosen) {
  const encoded = await Promise.all(
    files.map(async (f) => ({
      filename: f.name.replace(/[\\/\u0000-\u001f]/g, '_'),
      contentType: contentTypeOf(f),
      dataBase64: await readBase64(f),
    })),
  );
  const ids = visibilityIds(visibility, me, chosen);
  const result = await call('contacts:attach', { group, id, files: encoded, ...ids });
  // Offered again next time; the files are queued whatever happens to this.
  await call('groups:remember', ids).catch(() => undefined);
  return result;
}

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
