// When to sync without being asked: at start (the outbox resumes), when the network comes back,
// and every interval while online. Never two runs at once. Pure: the shell feeds it `isOnline`
// (Electron's net.isOnline) and calls tick() on a timer and on resume.

export interface OnlineWatchOptions {
  isOnline: () => boolean;
  sync: () => Promise<unknown>;
  /** Between syncs while online; read on every tick, so a changed setting applies at once. */
  intervalMs: () => number;
  now?: () => number;
  onChange?: (online: boolean) => void;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface OnlineWatch {
  /** Look at the network now; start a sync if it is due. Returns whether one started. */
  tick(): boolean;
  /** Tick every `pollMs` until stopped. */
  start(pollMs?: number): () => void;
  readonly running: boolean;
}

export function createOnlineWatch(options: OnlineWatchOptions): OnlineWatch {
  const now = options.now ?? Date.now;
  let online: boolean | undefined;
  let running = false;
  let lastStart = -Infinity;

  function runSync(reason: string): void {
    running = true;
    lastStart = now();
    options.log?.('sync.auto_start', { reason });
    Promise.resolve()
      .then(() => options.sync())
      .catch((error: unknown) => options.log?.('sync.auto_failed', { error: error instanceof Error ? error.name : typeof error }))
      .finally(() => {
        running = false;
      });
  }

  function tick(): boolean {
    let isOnline = false;
    try {
      isOnline = options.isOnline();
    } catch {
      isOnline = false;
    }
    const cameBack = isOnline && online !== true;
    if (online !== isOnline) {
      online = isOnline;
      options.onChange?.(isOnline);
    }
    if (!isOnline || running) return false;
    if (cameBack) {
      runSync(lastStart === -Infinity ? 'start' : 'network returned');
      return true;
    }
    if (now() - lastStart >= options.intervalMs()) {
      runSync('interval');
      return true;
    }
    return false;
  }

  return {
    tick,
    start(pollMs = 10_000) {
      tick();
      const timer = setInterval(tick, pollMs);
      timer.unref?.();
      return () => clearInterval(timer);
    },
    get running() {
      return running;
    },
  };
}
