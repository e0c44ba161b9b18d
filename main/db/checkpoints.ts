// WAL checkpoints off the main thread. A checkpoint copies committed pages from the WAL into the
// database file (decrypting and re-encrypting each one); SQLite's automatic checkpoint runs inside
// whichever COMMIT crosses 1000 pages and can stall the event loop for hundreds of ms during a bulk
// sync. While started, a worker thread with its own connection checkpoints PASSIVE-ly (never
// blocking the writer) and the main connection's automatic checkpoint is off. The thread runs at a
// lower CPU priority where the OS allows it per thread (Linux).

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { keyPragmaOf, type Replica } from './open.js';

export interface BackgroundCheckpoints {
  /** Stops the worker after a last checkpoint and turns automatic checkpoints back on. */
  stop(): Promise<void>;
}

// Plain CommonJS so the worker needs no TypeScript loader, whatever runs the app (tsx, vitest, Electron).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Background work: on Linux a thread's nice value is its own, so the threads answering the window
// win the CPU from page copying (elsewhere this would lower the whole app, so it is left alone).
if (process.platform === 'linux') { try { require('node:os').setPriority(0, 10); } catch {} }
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("cipher = 'sqlcipher'");
db.pragma(workerData.keyPragma);
db.pragma('busy_timeout = 2000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** Starts checkpointing `replica` from a worker thread every `everyMs` (default 200 ms). */
export function startBackgroundCheckpoints(replica: Replica, everyMs = 200): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file: replica.file, keyPragma: keyPragmaOf(replica), everyMs },
  });
  worker.unref(); // a forgotten stop() must not keep the process alive; SQLite is safe to stop anywhere
  let lastError: string | undefined;
  let exited = false;
  const finished = new Promise<void>((resolve) => {
    worker.on('message', (message: { error?: string; stopped?: boolean }) => {
      if (message.error) lastError = message.error;
      if (message.stopped) resolve();
    });
    worker.on('error', (error) => {
      lastError = error.message;
    });
    worker.on('exit', () => {
      exited = true;
      resolve();
    });
  });
  replica.sqlite.pragma('wal_autocheckpoint = 0');
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        if (!exited) worker.postMessage('stop');
        await finished;
        await worker.terminate();
        if (replica.sqlite.open) replica.sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
        // A busy checkpoint is harmless (the next one catches up); anything else is reported.
        if (lastError && !/SQLITE_BUSY|database is locked/.test(lastError)) throw new Error(`background checkpoint failed: ${lastError}`);
      })();
      return stopping;
    },
  };
}
