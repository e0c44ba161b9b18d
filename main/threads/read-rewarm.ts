// The reader's re-warm: when another connection commits (the person's own edit in the core, the end
// of a sync), SQLite empties the reader's whole page cache, and with SQLCipher every page read again
// is decrypted again (a 200-row caseload page at 100,000 clients: ~4 ms warm, ~30 cold). The core
// pushes a status after each such write, and the screens reload only 150 ms after `data:changed`
// (renderer/src/composables/use-data-changed.ts), so the reader reads the lists a person comes back
// to once more in between, and that reload finds the pages warm. Invariants: a re-warm only reads and
// drops its answer; it replays the last input of a few list channels, each only if it answered
// quickly and was not read again since the write; it waits until reads have paused for SETTLE_MS (a
// screen that reads at once after its own edit is not queued behind it), then replays one list per
// turn of the event loop, so a read that arrives waits behind one list at most; never while a sync
// downloads (its commits would empty the cache again within the second).

/** The lists a person returns to after an edit. */
const WARM_CHANNELS: ReadonlySet<string> = new Set(['caseload:list', 'actions:list']);
/** A read slower than this is not replayed (a re-warm must stay cheap). */
const MAX_REPLAY_MS = 250;
/** Reads have paused this long after a write: well inside the screens' 150 ms, after a record screen's own reload. */
const SETTLE_MS = 40;

export class ReadRewarm {
  private readonly last = new Map<string, unknown>();
  /** Channels read since the last write: their pages are warm already. */
  private readonly readSince = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  /** `replay` reads one channel's answer and drops it (the reader's snapshot and service). */
  constructor(
    private readonly replay: (channel: string, input: unknown) => Promise<void>,
    private readonly settleMs = SETTLE_MS,
  ) {}

  /** After a read answered: its input is the one to replay, if it is a list that answered quickly. */
  answered(channel: string, input: unknown, tookMs: number): void {
    if (this.timer !== undefined) this.schedule(); // reads are still coming: wait for a pause
    if (!WARM_CHANNELS.has(channel)) return;
    this.readSince.add(channel);
    if (tookMs <= MAX_REPLAY_MS) this.last.set(channel, input);
    else this.last.delete(channel);
  }

  /** A status pushed by the core: a write may have emptied the page cache. */
  statusPushed(downloading: boolean): void {
    if (downloading || this.last.size === 0) return;
    this.readSince.clear();
    this.schedule();
  }

  /** Before the reader closes its connection. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last.clear();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.settleMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const [channel, input] of [...this.last]) {
        if (this.readSince.has(channel)) continue;
        // One list per turn: a read that arrived meanwhile is answered first.
        await new Promise((resolve) => setImmediate(resolve));
        await this.replay(channel, input).catch(() => undefined);
      }
    } finally {
      this.running = false;
    }
  }
}
