// How a person's edit (the editor thread, its own connection) and the sync (the core thread) share
// SQLite's one write lock. The sync holds a transaction open across its steps — and across its waits
// for the server; SQLite's own busy handler would make the edit sleep 1, 2, 5, 10… ms between tries.
// Instead the editor says it is waiting (a counter in shared memory, with a notify), which wakes the
// core's event loop (Atomics.waitAsync) between two steps: it commits, bumps `released` — on which
// the editor sleeps (Atomics.wait), so the edit runs the moment the lock is free — and starts no new
// step until the edit is done. Both sides bound their waits: a thread that died mid-wait holds nobody.

import type { WriteWaiters } from '../sync/turns.js';

const WAITING = 0;
const RELEASED = 1;
/** The editor retries at least this often (the lock may be held by a writer that does not know the gate). */
const RETRY_EVERY_MS = 2;
/** The core gives way at most this long per step, so an editor that died while waiting cannot stall a sync. */
const GIVE_WAY_AT_MOST_MS = 250;
/** The core's watch re-arms this often (a bound, so a stopped core's watch ends). */
const WATCH_RENEW_MS = 1_000;

// Node 20 has Atomics.waitAsync (V8); TypeScript's lib names it from ES2024 on.
const waitAsync = (Atomics as unknown as { waitAsync(cells: Int32Array, index: number, value: number, timeoutMs: number): { value: unknown } }).waitAsync;

export function createGateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** The busy errors better-sqlite3 throws when another connection holds the write lock (or wrote since this snapshot). */
export function isLockBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export class LockWaitTimeout extends Error {
  override name = 'LockWaitTimeout';
}

/** The editor's side: runs a write, and while another connection holds the lock, waits for it to be released. */
export class EditorGate {
  private readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  async write<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let waiting = false;
    try {
      for (;;) {
        const seen = Atomics.load(this.cells, RELEASED);
        try {
          return await attempt();
        } catch (error) {
          if (!isLockBusy(error)) throw error;
          const left = deadline - performance.now();
          if (left <= 0) throw new LockWaitTimeout(`the replica's write lock was not free within ${timeoutMs} ms`);
          if (!waiting) {
            waiting = true;
            Atomics.add(this.cells, WAITING, 1);
            Atomics.notify(this.cells, WAITING); // wakes the core's watch between two of its steps
          }
          // Nothing else runs on this thread meanwhile: edits are answered one at a time.
          Atomics.wait(this.cells, RELEASED, seen, Math.min(RETRY_EVERY_MS, left));
        }
      }
    } finally {
      if (waiting) {
        Atomics.sub(this.cells, WAITING, 1);
        Atomics.notify(this.cells, WAITING);
      }
    }
  }
}

/** The core's side, handed to the sync (RunSyncOptions.writeWaiters). */
export class CoreGate implements WriteWaiters {
  private readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  waiting(): boolean {
    return Atomics.load(this.cells, WAITING) > 0;
  }

  /** Call after committing: wakes the editor, then lets the event loop run until it is done (bounded). */
  async released(): Promise<void> {
    Atomics.add(this.cells, RELEASED, 1);
    Atomics.notify(this.cells, RELEASED);
    const until = performance.now() + GIVE_WAY_AT_MOST_MS;
    for (;;) {
      const count = Atomics.load(this.cells, WAITING);
      const left = until - performance.now();
      if (count <= 0 || left <= 0) return;
      await waitAsync(this.cells, WAITING, count, left).value;
    }
  }

  /**
   * Calls `onWaiting` on this thread's event loop each time a writer starts waiting (between two
   * pieces of the sync's work, never inside one): it commits what is open, and released() follows.
   */
  watch(onWaiting: () => void): { stop(): void } {
    let stopped = false;
    void (async () => {
      while (!stopped) {
        await waitAsync(this.cells, WAITING, 0, WATCH_RENEW_MS).value;
        if (stopped) return;
        if (Atomics.load(this.cells, WAITING) <= 0) continue;
        onWaiting();
        await this.released();
      }
    })();
    return {
      stop: () => {
        stopped = true;
      },
    };
  }

  /** A new editor starts with nobody waiting (one that died mid-wait left its count behind). */
  reset(): void {
    Atomics.store(this.cells, WAITING, 0);
    Atomics.notify(this.cells, WAITING);
  }
}
