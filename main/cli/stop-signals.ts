// The signals that ask a CLI command to stop, on every platform: Ctrl-C (SIGINT), a service manager
// (SIGTERM), a closed terminal window (SIGHUP; on Windows closing the console sends it too, with
// about ten seconds to go), Ctrl-Break (SIGBREAK, Windows). SIGTERM never reaches a Windows process,
// so SIGHUP/SIGBREAK are the ones that matter there. The first signal asks for a clean stop
// (between requests, every batch whole); a second one releases the push lease and exits at once.

import os from 'node:os';
import { releaseAllPushLocks } from '../outbox/push-lock.js';

export const STOP_SIGNALS = (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const).filter((name) => name in os.constants.signals);

/** Calls `stop` on the first stop signal; returns the function that removes the handlers. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let asked = false;
  const handler = (signal: NodeJS.Signals) => {
    if (!asked) {
      asked = true;
      stop(signal);
      return;
    }
    releaseAllPushLocks(); // the edits it was sending are reconciled by the next push
    process.exit(130);
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return () => {
    for (const name of STOP_SIGNALS) process.off(name, handler);
  };
}
