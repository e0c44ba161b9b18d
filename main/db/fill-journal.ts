// A first fill of an empty replica writes through a rollback journal instead of the WAL: each page
// goes once, encrypted, into the database file, where in WAL mode every checkpoint read it back
// from the WAL (decrypted) and wrote it again (re-encrypted): SQLite3MultipleCiphers encrypts at
// the file layer, so a 1 GB fill paid its page crypto three times (~17% of a 100k-client sync's CPU).
// Invariants: only while this connection is the file's only one (SQLite refuses the switch
// otherwise, and the fill carries on in WAL); commits sync the journal (synchronous FULL); WAL comes
// back once the rows are in (run-sync.ts, before the index build), and any open of the replica asks
// for it again (a killed fill's hot journal is rolled back first, as in any crash).

import type { Replica } from './open.js';

type Handle = Pick<Replica, 'sqlite'>;

export interface FillJournal {
  /** True when the fill writes through a rollback journal (no WAL, no checkpoints). */
  readonly rollback: boolean;
  /** Puts WAL back (idempotent; when another connection holds the file, its next open does). */
  end(): void;
}

/** Switches `replica` to a rollback journal for a bulk fill, when nothing else has the file open. */
export function beginFillJournal(replica: Handle): FillJournal {
  const sqlite = replica.sqlite;
  let rollback = false;
  let synchronous: number | undefined;
  if (!sqlite.inTransaction && mode(sqlite) === 'wal') {
    try {
      rollback = (sqlite.pragma('journal_mode = DELETE', { simple: true }) as string).toLowerCase() === 'delete';
    } catch {
      rollback = false; // another connection has the file open: the fill stays in WAL
    }
    if (rollback) {
      synchronous = sqlite.pragma('synchronous', { simple: true }) as number;
      // In rollback mode NORMAL may skip a sync a power cut needs; FULL does not (one per commit).
      sqlite.pragma('synchronous = FULL');
    }
  }
  let ended = !rollback;
  return {
    rollback,
    end() {
      if (ended || !sqlite.open) return;
      ended = true;
      if (synchronous !== undefined) sqlite.pragma(`synchronous = ${synchronous}`);
      try {
        sqlite.pragma('journal_mode = WAL');
      } catch {
        // Another connection opened meanwhile (and asked for WAL itself, or will at its next open).
      }
    },
  };
}

function mode(sqlite: Handle['sqlite']): string {
  return String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase();
}
