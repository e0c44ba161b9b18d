// The reader's snapshot: one read transaction kept open across reads, so the connection's page
// cache stays warm while a sync commits every few ms. (SQLite empties a connection's page cache when
// it starts a read after another connection wrote, and with SQLCipher every page read again is
// decrypted again: a caseload page of 200 clients at 100,000 clients takes ~30 ms cold, ~4 warm.)
// Invariants: a read sees every write the person made before it (the serving thread counts the
// core's completed calls and data/outbox events, and each read carries that count: a higher count
// renews the snapshot); what a sync lands shows within MAX_AGE_MS; and the snapshot is let go after
// IDLE_MS without reads, since an open read transaction holds checkpoints back.

import type Database from 'better-sqlite3';

const MAX_AGE_MS = 1_000;
const IDLE_MS = 1_000;

export class ReadSnapshot {
  private sqlite: Database.Database | null = null;
  private openedAt = 0;
  private seen = -1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (event: string, fields: Record<string, unknown>) => void,
    private readonly timing = { maxAgeMs: MAX_AGE_MS, idleMs: IDLE_MS },
  ) {}

  /**
   * Before a read on `sqlite`: begins the snapshot, or renews it when it is too old or a write came
   * since. `writes` undefined (a caller that does not count): always renewed.
   */
  enter(sqlite: Database.Database, writes: number | undefined): void {
    clearTimeout(this.idleTimer);
    const now = Date.now();
    if (writes !== undefined && this.sqlite === sqlite && writes <= this.seen && now - this.openedAt < this.timing.maxAgeMs) return;
    this.end();
    if (!sqlite.open || sqlite.inTransaction) return;
    sqlite.exec('BEGIN');
    // BEGIN is deferred: the snapshot is taken at the first read.
    sqlite.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    this.sqlite = sqlite;
    this.openedAt = now;
    this.seen = writes ?? -1;
  }

  /** After a read: let the snapshot go if no other read follows soon. */
  leave(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.end(), this.timing.idleMs);
    this.idleTimer.unref();
  }

  /** Ends the snapshot (before the connection closes, and when idle). */
  end(): void {
    clearTimeout(this.idleTimer);
    const sqlite = this.sqlite;
    this.sqlite = null;
    if (!sqlite?.open || !sqlite.inTransaction) return;
    try {
      sqlite.exec('COMMIT');
    } catch (error) {
      // A statement still stepping (it should not be, between reads): the next renewal tries again.
      this.sqlite = sqlite;
      this.log('reader.snapshot_kept', { error: error instanceof Error ? error.name : typeof error });
    }
  }
}
