// "This is me" is checked before it is saved: the chosen login (and worker record, if any) must be
// one the charity's server lists among its workers. The replica's synced workers answer first; the
// server is asked when they do not (before the first sync the replica holds none, or the person is
// new since the last sync). Offline with nothing synced, the person is told so — nothing is saved.

import type { DizionsClient } from '../api/client.js';
import { DizionsError } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { syncedWorkers } from '../db/workers.js';
import { ServiceError } from '../ipc/service-error.js';

interface KnownWorker {
  id: number;
  user: number | null;
}

/** Why `user`/`worker` is not a worker the list knows, or null when it is. */
function mismatch(list: readonly KnownWorker[], user: number, worker: number | null): string | null {
  if (worker !== null) {
    const found = list.find((w) => w.id === worker);
    if (!found) return `There is no worker ${worker} on the server: choose yourself from the list in Settings ("Who I am").`;
    if (found.user !== null && found.user !== user) return `Worker ${worker} signs in as login ${found.user}, not ${user}: choose yourself from the list in Settings ("Who I am").`;
    return null;
  }
  return list.some((w) => w.user === user) ? null : `No worker on the server signs in as login ${user}: choose yourself from the list in Settings ("Who I am").`;
}

export interface MeCheckSources {
  replica: Pick<Replica, 'sqlite'>;
  /** A client for the current connection (closed here), or undefined when there is none. */
  client?: (() => DizionsClient) | undefined;
  timeoutMs?: number;
}

/** Throws a ServiceError (VALIDATION, or OFFLINE when nothing can tell) unless the choice is a known worker. */
export async function checkMe(user: number, worker: number | null, sources: MeCheckSources): Promise<void> {
  const synced: KnownWorker[] = syncedWorkers(sources.replica.sqlite);
  const local = synced.length > 0 ? mismatch(synced, user, worker) : 'none synced';
  if (local === null) return;
  if (!sources.client) {
    if (synced.length > 0) throw new ServiceError('VALIDATION', local);
    throw new ServiceError('VALIDATION', "Connect to Charitylog first (Settings): Caseworker checks who you are against the server's list of workers.");
  }
  const client = sources.client();
  let listed: KnownWorker[];
  try {
    const records = await client.getRecords('workers', {}, {}, { timeoutMs: sources.timeoutMs ?? 15_000 });
    listed = records.map((w) => {
      const record = w as Record<string, unknown>;
      return { id: Number(record.id), user: typeof record.user === 'number' ? record.user : null };
    });
  } catch (error) {
    if (error instanceof DizionsError && error.kind === 'retryable') {
      if (synced.length > 0) throw new ServiceError('VALIDATION', local);
      throw new ServiceError('OFFLINE', 'Caseworker cannot check who you are: no workers are synced yet and the server cannot be reached. Connect to the network and choose again.');
    }
    throw error;
  } finally {
    await client.close();
  }
  const remote = mismatch(listed, user, worker);
  if (remote !== null) throw new ServiceError('VALIDATION', remote);
}
