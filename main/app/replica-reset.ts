// Replacing the replica with an empty one (demo reset, switching servers) on a laptop where
// antivirus, the search indexer, backup or a sync client may hold the file for a moment. The old
// files are first moved aside (a rename fails whole or not at all, retried while held), then the
// new replica is opened, then the moved files are deleted (best effort). If the replica cannot be
// moved, nothing changed: the old one is opened again and the person is told to try again — the
// core is never left on a closed database.

import fs from 'node:fs';
import { renameRetrying, removeRetrying } from '../files/file-in-use.js';
import { ServiceError } from '../ipc/service-error.js';

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Closes the replica (`close`), swaps its files for none, and opens a new one (`open`). On failure the
 * old replica is reopened through `open` and a ServiceError (CONFLICT) is thrown.
 */
export async function replaceReplicaFiles(file: string, close: () => void, open: () => Promise<void>, log?: (event: string, fields: Record<string, unknown>) => void): Promise<void> {
  close();
  const aside = `${file}.discarded-${Date.now()}`;
  const moved: Array<[string, string]> = [];
  try {
    for (const suffix of ['', ...SIDE_FILES]) {
      if (!fs.existsSync(file + suffix)) continue;
      renameRetrying(file + suffix, aside + suffix);
      moved.push([file + suffix, aside + suffix]);
    }
  } catch (error) {
    // Put back what moved (the main file first), so the old replica opens whole again.
    for (const [from, to] of moved) {
      try {
        renameRetrying(to, from);
      } catch {
        // the reopen below reports a replica it cannot open
      }
    }
    await open();
    log?.('replica.replace_failed', { code: (error as NodeJS.ErrnoException).code ?? 'unknown' });
    throw new ServiceError(
      'CONFLICT',
      'Caseworker could not replace its database: another program (antivirus, backup or a sync client) is holding the file. Nothing was changed; try again in a minute.',
    );
  }
  try {
    await open();
  } catch (error) {
    // The new replica would not open (a full disk, a key the store refused): bring the old one back.
    for (const suffix of ['', ...SIDE_FILES]) removeRetrying(file + suffix);
    for (const [from, to] of moved) renameRetrying(to, from);
    await open();
    throw error;
  }
  for (const [, to] of moved) {
    try {
      removeRetrying(to);
    } catch {
      log?.('replica.discard_left', { suffix: to.slice(aside.length) || 'db' }); // encrypted, and removed at the next reset
    }
  }
}
