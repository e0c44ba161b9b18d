// At most one piece of synchronous sync work per event-loop turn, across every request in flight:
// four replies that land together must not each be parsed and ingested in the same turn (4 × 30 ms
// is a frozen UI). Work queued here runs in order, each piece after the previous one has finished
// and the event loop has had a turn.

import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Writers on other connections that wait for the write lock this run's open transaction holds (the
 * app's editor thread: main/threads/write-gate.ts). The run commits before its next piece and gives way.
 */
export interface WriteWaiters {
  waiting(): boolean;
  /** Call after committing: wakes them, and resolves once they are done (bounded). */
  released(): Promise<void>;
}

export class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  /** Runs before each piece (the run's give-way to other writers); nothing when unset. */
  beforeEach: (() => Promise<void>) | undefined;

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const before = this.beforeEach;
    const result = before ? this.tail.then(before).then(work) : this.tail.then(work);
    // The next piece waits for this one (failed or not) and for one turn of the loop.
    this.tail = result.then(
      () => yieldToLoop(),
      () => yieldToLoop(),
    );
    return result;
  }
}
