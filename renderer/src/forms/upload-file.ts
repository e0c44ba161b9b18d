// Files chosen in a form, read into the base64 the `contacts:attach` channel carries, with the
// contract's own limits checked first so the person hears "too large" before anything is queued.

import { LIMITS } from '../../../shared/ipc/fields.js';
import { call } from '../api/bridge.js';

export type Visibility = 'me' | 'everyone';

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
export async function attachFiles(group: 'clients' | 'referrals', id: number, files: readonly File[], visibility: Visibility, me: number | null) {
  const encoded = await Promise.all(files.map(async (f) => ({
    filename: f.name.replace(/[\\/\u0000-\u001f]/g, '_'),
    contentType: contentTypeOf(f),
    dataBase64: await readBase64(f),
  })));
  return call('contacts:attach', {
    group,
    id,
    files: encoded,
    user_visibility: visibility === 'me' && me !== null ? [me] : [],
    group_visibility: [],
  });
}

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
