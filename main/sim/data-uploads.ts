// File uploads against a client or a referral: the bytes go under uploadsDir, the metadata
// (size, sha256, visibility ids) into the uploads table, and the API replies with the batch id.
// The API gives no way to read uploads back; tests and trainers use SimStore.uploads().

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UploadSeal } from './at-rest.js';
import { badRequest, notFound } from './data-errors.js';
import { visibleRow } from './data-validate.js';
import { groupDef } from './query-groups.js';
import type { SimStore } from './store.js';
import type { SimUser, UploadedFile } from './types.js';

const VISIBILITY_FIELDS = ['user_visibility', 'group_visibility'] as const;
const MAX_FILES = 20;

/** `1,2,3` → [1, 2, 3]; empty means nobody beyond the defaults. */
function idList(field: string, raw: string): number[] {
  const text = raw.trim();
  if (text === '') return [];
  return text.split(',').map((part) => {
    const value = part.trim();
    if (!/^\d+$/.test(value) || Number(value) === 0) throw badRequest(`${field} must be comma-separated ids, got "${raw}"`);
    return Number(value);
  });
}

function safeName(filename: string): string {
  const base = path
    .basename(filename.replace(/\\/g, '/'))
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .slice(0, 120);
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}

export function saveUpload(store: SimStore, user: SimUser, group: 'clients' | 'referrals', record: number, form: Record<string, string>, files: UploadedFile[]): number {
  const label = group === 'clients' ? 'client' : 'referral';
  if (!visibleRow(store, groupDef(group), record, user)) throw notFound(`${label} ${record} not found`);
  for (const field of Object.keys(form)) {
    if (!(VISIBILITY_FIELDS as readonly string[]).includes(field)) throw badRequest(`unknown field "${field}" for an upload (files, user_visibility, group_visibility)`);
  }
  for (const field of VISIBILITY_FIELDS) {
    if (form[field] === undefined) throw badRequest(`${field} is required (comma-separated ids; may be empty)`);
  }
  const users = idList('user_visibility', form.user_visibility!);
  const groups = idList('group_visibility', form.group_visibility!);
  for (const id of users) if (!store.userExists(id)) throw badRequest(`user_visibility: ${id} is not a user of this system`);
  if (files.length === 0) throw badRequest('files is required: send at least one file (a multipart part with a filename)');
  if (files.length > MAX_FILES) throw badRequest(`at most ${MAX_FILES} files per upload`);
  for (const file of files) if (file.filename.trim() === '') throw badRequest('every file needs a filename');

  return store.db.transaction(() => {
    const created = store.clock.next();
    const batch = Number(store.db.prepare('INSERT INTO upload_batches (created) VALUES (?)').run(created).lastInsertRowid);
    const insert = store.db.prepare(`INSERT INTO uploads (batch, grp, record, filename, content_type, bytes, sha256, stored_as,
      user_visibility, group_visibility, created_by_user, created) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`);
    const setStored = store.db.prepare('UPDATE uploads SET stored_as = ? WHERE id = ?');
    for (const file of files) {
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      const id = Number(
        insert.run(batch, group, record, file.filename, file.contentType || null, file.data.length, sha256, JSON.stringify(users), JSON.stringify(groups), user.id, created).lastInsertRowid,
      );
      const storedAs = store.seal ? UploadSeal.storedName(id) : `${id}-${safeName(file.filename)}`;
      fs.writeFileSync(path.join(store.uploadsDir, storedAs), store.seal ? store.seal.seal(file.data) : file.data, { mode: 0o600 });
      setStored.run(storedAs, id);
    }
    return batch;
  })();
}
