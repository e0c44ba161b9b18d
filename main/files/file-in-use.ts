// Files that another program holds for a moment: on Windows, antivirus, the search indexer, backup
// and OneDrive open files briefly, and Excel keeps a workbook locked while it is open; replacing or
// deleting such a file fails with EBUSY or EPERM (EACCES). These helpers retry briefly, then let
// the caller say plainly what to do ("close it in Excel and try again").

import fs from 'node:fs';

/** Brief retries: long enough for a virus scan or the indexer to let go, short enough not to hang a click. */
export const BUSY_ATTEMPTS = 6;
export const BUSY_DELAY_MS = 100;

/** Whether an error means "another program has this file open" (EBUSY anywhere; EPERM/EACCES on Windows). */
export function isFileInUse(error: unknown, platform: NodeJS.Platform = process.platform): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EBUSY') return true;
  return platform === 'win32' && (code === 'EPERM' || code === 'EACCES');
}

/** Whether a retry may help: in use, or EPERM anywhere (Windows reports a pending delete as EPERM). */
function worthRetrying(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EBUSY' || code === 'EPERM' || (process.platform === 'win32' && code === 'EACCES');
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work`, retrying briefly while the file is held by another program; the last error is rethrown. */
export function retryWhileBusy<T>(work: () => T, attempts = BUSY_ATTEMPTS, delayMs = BUSY_DELAY_MS): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (attempt >= attempts || !worthRetrying(error)) throw error;
      pause(delayMs * attempt);
    }
  }
}

/** The async form, for exports and other work that must not block the event loop. */
export async function retryWhileBusyAsync<T>(work: () => Promise<T>, attempts = BUSY_ATTEMPTS, delayMs = BUSY_DELAY_MS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !worthRetrying(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}

/** Deletes a file or folder if present, retrying while it is held (rmSync's own retries cover EBUSY and EPERM). */
export function removeRetrying(target: string, options: { recursive?: boolean; attempts?: number; delayMs?: number } = {}): void {
  fs.rmSync(target, { force: true, recursive: options.recursive === true, maxRetries: options.attempts ?? BUSY_ATTEMPTS, retryDelay: options.delayMs ?? BUSY_DELAY_MS });
}

/** Replaces `to` with `from`, retrying while either is held. */
export function renameRetrying(from: string, to: string, attempts = BUSY_ATTEMPTS, delayMs = BUSY_DELAY_MS): void {
  retryWhileBusy(() => fs.renameSync(from, to), attempts, delayMs);
}
