// One turn at a time on the simulator's SQLite connection. A streamed reply may hold a lazy
// cursor open across many socket writes, and better-sqlite3 refuses every other statement on
// that connection meanwhile; requests and control operations therefore queue here.

export class StoreLock {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` once every earlier holder has finished; the lock is released even if it throws. */
  run<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(() => work());
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.run(() => undefined);
  }
}
