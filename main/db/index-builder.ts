// A second connection to the replica for building indexes and search tables from whole tables
// after a bulk fill. CREATE INDEX reads its table whole, once per index: over a 100k-client replica
// that is ~4 GB of pages, and checking each page's HMAC-SHA512 on read cost more CPU than all the
// rest of the build (AES itself is nearly free: AES-NI). This connection reads without that check;
// it still writes every page with its HMAC, and every other connection (the app's, the doctor's
// integrity check) still checks every page it reads, so the file's format and guarantees are those
// of any other replica. Invariant: open only for the length of one build, then closed.

import Database from 'better-sqlite3';
import { keyPragmaOf, PRIVATE_TEMP_STORE, type Replica } from './open.js';

type Handle = Pick<Replica, 'sqlite'>;

/** A replica opened through openReplica, or a bare connection with its file and key pragma (the bench's). */
export type BuildSource = Handle | Replica | (Handle & { file: string; keyPragma: string });

/**
 * Runs `build` on a connection that reads the replica without checking page HMACs when its file
 * and key are known; otherwise (a bare unencrypted connection: the bench's floor) on the replica's
 * own connection.
 */
export function withIndexBuilder<T>(replica: BuildSource, build: (builder: Handle) => T): T {
  const builder = openIndexBuilder(replica);
  try {
    return build(builder);
  } finally {
    builder.close();
  }
}

/** The builder connection of withIndexBuilder, for a build that awaits between its steps; close() it after. */
export function openIndexBuilder(replica: BuildSource): Handle & { close(): void } {
  const keyed = 'keyPragma' in replica ? replica.keyPragma : 'file' in replica ? keyPragmaOrUndefined(replica) : undefined;
  if (!keyed || !('file' in replica)) return { sqlite: replica.sqlite, close: () => undefined };
  const sqlite = new Database(replica.file, { fileMustExist: true });
  try {
    sqlite.pragma(`cipher = 'sqlcipher'`);
    sqlite.pragma('hmac_check = 0'); // a cipher setting: only before the key takes effect
    sqlite.pragma(keyed);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('cache_size = -65536'); // as the replica's own connection: the build's RSS stays where it was
    sqlite.pragma(PRIVATE_TEMP_STORE); // the sorts of CREATE INDEX: never in plaintext on disk
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return { sqlite, close: () => sqlite.close() };
}

function keyPragmaOrUndefined(replica: Replica): string | undefined {
  try {
    return keyPragmaOf(replica);
  } catch {
    return undefined;
  }
}
