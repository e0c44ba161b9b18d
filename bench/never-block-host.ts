// The browser host for the never-block bench, in its own process: `node --import tsx
// bench/never-block-host.ts '<json>'` serves the contract on 127.0.0.1 and prints {"url"} once.
// `threads`: the app core on worker threads, as `caseworker web` runs it (main/threads/). `single`:
// the app core on the host's own thread, as before issue 13 — the baseline measured in the same run.

import fs from 'node:fs';
import path from 'node:path';
import { createAppCore } from '../main/app/core.js';
import { StaticKeyProvider } from '../main/db/keys.js';
import { createDispatcher } from '../main/ipc/register.js';
import { startThreadedCore } from '../main/threads/core-host.js';
import { isWebHostSender, startWebHost } from '../main/web/host.js';

export interface HostJob {
  mode: 'single' | 'threads';
  dataDir: string;
  dbKey: string;
  /** An existing replica to serve (default `<dataDir>/replica.db`). */
  replicaFile?: string;
  /** Default true; false when nothing but the measured calls may run (bench/caseload-bench.ts). */
  backgroundSync?: boolean;
}

async function main(job: HostJob): Promise<void> {
  const options = {
    dataDir: job.dataDir,
    keyProvider: new StaticKeyProvider(job.dbKey, 'the bench key'),
    ...(job.replicaFile ? { replicaFile: job.replicaFile } : {}),
    backgroundSync: job.backgroundSync ?? true,
    pushAfterEditMs: null, // queued edits wait for the next sync: the bench measures the enqueue alone
  };
  const core = job.mode === 'threads' ? await startThreadedCore(options) : await createAppCore(options);
  await core.start();
  const staticDir = path.join(job.dataDir, 'static');
  fs.mkdirSync(staticDir, { recursive: true });
  // The edit as the window's thread sees it (what Electron's main process waits for, without HTTP):
  // from the dispatcher's call into the data plane to its answer, keyed by the new mobile number.
  const serving: Record<string, number> = {};
  const update = core.services['clients:update'];
  core.services['clients:update'] = async (input) => {
    const started = performance.now();
    try {
      return await update(input);
    } finally {
      const mobile = (input as { fields?: { mobile?: unknown } }).fields?.mobile;
      if (typeof mobile === 'string') serving[mobile] = performance.now() - started;
    }
  };
  const dispatcher = createDispatcher(core.services, { isTrustedSender: isWebHostSender });
  const host = await startWebHost({ dispatcher, staticDir, events: core.events });
  process.stdout.write(JSON.stringify({ url: host.url }) + '\n');
  const stop = async () => {
    process.stdout.write(JSON.stringify({ serving }) + '\n');
    await host.close();
    await core.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main(JSON.parse(process.argv[2]!) as HostJob);
