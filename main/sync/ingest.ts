// Writes fetched records into the replica in slices: each slice is one all-or-nothing unit (a
// savepoint inside a BulkTransaction), with a yield to the event loop after it. Commits come every
// few hundred or thousand rows or at most a second apart: committing every small slice would make
// SQLCipher re-encrypt the same pages again and again, while one huge commit would block the loop.
// (FTS5 still flushes its pending terms at each savepoint, so slices are as large as the step
// allows.) Slice and commit sizes adapt to how long the last ones took, aiming at the step: a few
// ms in the app, where a person's edit waits for the step in hand (and for the commit before it);
// longer in the CLI, where nobody waits. A crash loses only what was not yet committed, never part
// of a slice; the next sync's diff fetches it again.
// A person's write never rides inside the open transaction: on the same connection the app core
// commits it first (main/threads/person-writes.ts); from the editor thread's connection it waits,
// and the run commits and gives way at its next piece (run-sync.ts, main/threads/write-gate.ts).

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BulkTransaction } from '../db/bulk-transaction.js';
import type { Replica } from '../db/open.js';
import type { ApiRecord } from '../db/records.js';
import type { Target } from './targets.js';
import type { Turns } from './turns.js';

/** The step when the caller names none (the CLI): nobody waits on the event loop but the progress bar. */
const BATCH_STEP_MS = 25;
/**
 * The app's step: a person's edit arriving during a sync waits for the step in hand and for the
 * commit of what the sync had written (each aimed at this), so its wait stays within a few ms.
 * Measured at 20,000 clients: the same CPU seconds for the sync as with 25 ms steps.
 */
export const INTERACTIVE_STEP_MS = 3;
/** Planner statistics (PRAGMA optimize) after a paced commit at most this often; always at the end of a group. */
const STATISTICS_EVERY_MS = 1000;
/** A first fill's commits (bulkFill): each syncs the journal and the file, so fewer and larger. */
const FILL_COMMIT_MS = 250;
/** What a sync has written is durable within this, however slowly its rows arrive. */
const MAX_UNCOMMITTED_MS = 1000;
/** Past this size the WAL is brought back to its beginning (restartWalIfLarge), and cut back to the second. */
const WAL_RESTART_BYTES = 128 << 20;
const WAL_KEEP_BYTES = 16 << 20;
/** Long enough for main/db/checkpoints.ts (a pass every 200 ms) to pass over our last commit, as a rule. */
const CHECKPOINTER_PASS_MS = 250;

/** Moves `current` halfway towards what would have taken `targetMs`, within [min, max]. */
function adapted(current: number, rows: number, ms: number, targetMs: number, min: number, max: number): number {
  const fitting = (targetMs * rows) / Math.max(ms, 0.1);
  return Math.round(Math.min(max, Math.max(min, (current + fitting) / 2)));
}

/** Paces commits for a whole sync run: by rows and by age, sized by how long commits take. */
export class CommitPacer {
  private readonly bulk: BulkTransaction;
  private rowsSinceCommit = 0;
  private openedAt: number | undefined;
  private commitRows: number;
  private statisticsAt = -Infinity;
  private filling = false;

  /**
   * `walFile`: the WAL to keep bounded while a background checkpointer runs (undefined when SQLite's
   * own automatic checkpoints are on: they restart the WAL themselves). `stepMs`: how long one
   * slice or one commit should hold the event loop (and the write lock). `othersWrite`: writers on
   * other connections wait for this run's lock (the app's editor thread), so slices are compared
   * with the replica before the lock is taken (Ingestor.write).
   */
  constructor(
    private readonly replica: Pick<Replica, 'sqlite'>,
    private readonly walFile?: string,
    readonly stepMs: number = BATCH_STEP_MS,
    readonly othersWrite = false,
  ) {
    this.commitRows = stepMs >= BATCH_STEP_MS ? 2_000 : 200;
    // The row limit is ours (adaptive); BulkTransaction's own is set out of reach.
    this.bulk = new BulkTransaction(replica, Number.MAX_SAFE_INTEGER);
    // A restarted WAL is cut back to this size, so its size on disk says how far it has grown since.
    if (walFile) this.replica.sqlite.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  }

  /** Runs `write` as one all-or-nothing unit inside the open transaction (call commitIfDue after). */
  run<T>(rows: number, write: () => T): T {
    this.openedAt ??= performance.now();
    const result = this.bulk.run(rows, write);
    this.rowsSinceCommit += rows;
    return result;
  }

  /**
   * A first fill through a rollback journal begins (fill-journal.ts: this connection is the file's
   * only one, so nobody reads meanwhile) or ends. While it lasts, commits are sized for
   * FILL_COMMIT_MS instead of a step: every commit syncs the journal and the file, hundreds of times
   * over a 100k-client fill. And planner statistics wait for the index build, which takes them
   * once: an ANALYZE mid-fill counts the rows of tables that have no index yet by reading them whole.
   */
  bulkFill(filling: boolean): void {
    this.filling = filling;
  }

  /** Commits when enough rows or time have gone by; true when it did. */
  commitIfDue(): boolean {
    if (this.openedAt === undefined) return false;
    if (this.rowsSinceCommit < this.commitRows && performance.now() - this.openedAt < MAX_UNCOMMITTED_MS) return false;
    // Statistics at most once a second between these: in the app's 3 ms steps, ~0.4 ms a commit adds up.
    const refresh = !this.filling && performance.now() - this.statisticsAt >= STATISTICS_EVERY_MS;
    this.commit(refresh);
    return true;
  }

  /**
   * The WAL starts over from its beginning only when a write transaction begins with every frame
   * already checkpointed. The background checkpointer always trails the last commit a little, so
   * without help the WAL grows for the whole sync (gigabytes at a million contacts: random index
   * inserts rewrite pages at every commit). Past a size, pause writing (not fetching) until the
   * checkpointer has passed over the last commit, then let the next transaction restart the WAL.
   */
  async restartWalIfLarge(): Promise<void> {
    if (!this.walFile || this.openedAt !== undefined) return;
    let size = 0;
    try {
      size = fs.statSync(this.walFile).size;
    } catch {
      return;
    }
    if (size < WAL_RESTART_BYTES) return;
    await sleep(CHECKPOINTER_PASS_MS);
    for (let attempt = 0; attempt < 10; attempt++) {
      // Cheap now: the checkpointer has copied everything but (at most) the last commit.
      const [result] = this.replica.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number }>;
      if (!result || result.busy === 0) return;
      await sleep(50); // the checkpointer is mid-pass: let it finish
    }
  }

  /** Makes everything written so far durable (end of a group, end of the run, and on failure). */
  commit(refreshStatistics = true): void {
    if (this.openedAt === undefined) return;
    const started = performance.now();
    const refresh = refreshStatistics && !this.filling;
    this.bulk.commit(refresh);
    if (refresh) this.statisticsAt = performance.now();
    if (this.rowsSinceCommit >= this.commitRows / 2) {
      this.commitRows = this.filling
        ? adapted(this.commitRows, this.rowsSinceCommit, performance.now() - started, FILL_COMMIT_MS, 50, 200_000)
        : adapted(this.commitRows, this.rowsSinceCommit, performance.now() - started, this.stepMs, 50, 20_000);
    }
    this.rowsSinceCommit = 0;
    this.openedAt = undefined;
  }
}

export interface IngestResult {
  written: number;
  inserted: number;
  updated: number;
}

/** One target's writer: slices sized for one step of the pacer, pending marks read at the moment of writing. */
export class Ingestor {
  private rowsPerSlice: number;

  constructor(
    private readonly target: Target,
    private readonly commits: CommitPacer,
    private readonly turns: Turns,
  ) {
    this.rowsPerSlice = commits.stepMs >= BATCH_STEP_MS ? 250 : 50;
  }

  async write(records: readonly ApiRecord[]): Promise<IngestResult> {
    const result: IngestResult = { written: 0, inserted: 0, updated: 0 };
    for (let at = 0; at < records.length;) {
      const slice = records.slice(at, at + this.rowsPerSlice);
      at += slice.length;
      await this.turns.run(() => {
        const started = performance.now();
        // Where others wait for the lock, compared first without it: records the replica already
        // holds as sent (most of a full re-sync) take no lock at all. (Elsewhere upsertRecords'
        // own comparison suffices: comparing twice costs a fill a second JSON.stringify a record.)
        const fresh = this.commits.othersWrite ? this.target.changed(slice) : slice;
        let pending: Set<number> = new Set();
        let inserted = 0;
        let updated = 0;
        if (fresh.length > 0) {
          ({ inserted, updated } = this.commits.run(fresh.length, () => {
            // An edit queued while this batch was in flight must not be overwritten by it. Read inside
            // the write transaction: an edit committed on another connection (the app's editor
            // thread) cannot land between this read and the write.
            pending = this.target.pending();
            const writable = pending.size === 0 ? fresh : fresh.filter((r) => !pending.has(r.id as number));
            return writable.length === 0 ? { inserted: 0, updated: 0 } : this.target.write(writable);
          }));
        }
        const kept = pending.size === 0 ? slice : slice.filter((r) => !pending.has(r.id as number));
        if (slice.length >= this.rowsPerSlice / 2) {
          this.rowsPerSlice = adapted(this.rowsPerSlice, slice.length, performance.now() - started, this.commits.stepMs, 10, 2_000);
        }
        result.written += kept.length;
        result.inserted += inserted;
        result.updated += updated;
        this.target.note(kept);
      });
      // A commit is a piece of work of its own: never in the same turn as a slice.
      if (await this.turns.run(() => this.commits.commitIfDue())) await this.turns.run(() => this.commits.restartWalIfLarge());
    }
    return result;
  }
}
