// One SQLite transaction held open across many small synchronous batches, committed every N rows.
// Why: a bulk sync must yield to the event loop between batches (≤ 50 ms each), but every commit
// writes each page it dirtied — encrypted — to the WAL, so committing every small batch costs ~3×.
// Each batch runs as a savepoint: a batch that throws is rolled back whole and the rows before it
// stay; a crash loses only uncommitted batches, never leaves half of one.

import { refreshPlannerStatistics, type Replica } from './open.js';

export class BulkTransaction {
  private rowsSinceCommit = 0;
  private began = false;

  constructor(
    private readonly replica: Pick<Replica, 'sqlite'>,
    private readonly commitEveryRows = 20_000,
  ) {}

  /** Runs `write` (e.g. upsertRecords plus the cursor that describes it) as one all-or-nothing batch. */
  run<T>(rows: number, write: () => T): T {
    // Also after someone else committed it (a person's write, main/threads/person-writes.ts): the next batch begins anew.
    if (!this.replica.sqlite.inTransaction) {
      // IMMEDIATE: the write lock and the snapshot are taken together, so what a batch reads (pending
      // edits) is still true when it writes, even with writers on other connections.
      this.replica.sqlite.exec('BEGIN IMMEDIATE');
      this.began = true;
    }
    const result = this.replica.sqlite.transaction(write)();
    this.rowsSinceCommit += rows;
    if (this.rowsSinceCommit >= this.commitEveryRows) this.commit();
    return result;
  }

  /**
   * Makes everything written so far durable (call at the end, and before long waits). A bulk load
   * changes table sizes by orders of magnitude, so the planner's statistics are refreshed after it
   * (cheap when not needed: ~0.4 ms) unless `refreshStatistics` is false.
   */
  commit(refreshStatistics = true): void {
    if (this.began && this.replica.sqlite.inTransaction) {
      this.replica.sqlite.exec('COMMIT');
      if (refreshStatistics) refreshPlannerStatistics(this.replica);
    }
    this.began = false;
    this.rowsSinceCommit = 0;
  }

  /** Drops every batch since the last commit (cancel). */
  rollback(): void {
    if (this.began && this.replica.sqlite.inTransaction) this.replica.sqlite.exec('ROLLBACK');
    this.began = false;
    this.rowsSinceCommit = 0;
  }
}
