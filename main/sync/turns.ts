// At most one piece of synchronous sync work per event-loop turn, across every request in flight:
// four replies that land together must not each be parsed and ingested in the same turn (4 × 30 ms
// is a frozen UI). Work queued here runs in order, each piece after the previous one has finished
// and the event loop has had a turn.

import { setImmediate as yieldToLoop } from 'node:timers/promises';

export class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // The next piece waits for this one (failed or not) and for one turn of the loop.
    this.tail = result.then(
      () => yieldToLoop(),
      () => yieldToLoop(),
    );
    return result;
  }
}
