// What the browser host runs (`caseworker web`), mirroring main/electron/wiring.ts: the replica's
// key (web-key.ts), the app core on its own threads (main/threads/: the core worker writes and
// syncs, the reader answers reads), the one dispatcher with the host's sender check, and the HTTP
// host. This thread only serves HTTP and moves envelopes and events, so it never waits for a sync.

import path from 'node:path';
import type { LogWriter } from '../ipc/error-envelope.js';
import { createDispatcher } from '../ipc/register.js';
import { startThreadedCore, type ThreadedCore } from '../threads/core-host.js';
import { isWebHostSender, startWebHost, type WebHost } from './host.js';
import { chooseWebKey } from './web-key.js';

export interface BrowserHostOptions {
  dataDir: string;
  replicaFile?: string | undefined;
  /** The built renderer. */
  staticDir: string;
  port?: number | undefined;
  log?: LogWriter | undefined;
  /** Lines for stderr about the key that was chosen. */
  notice?: ((line: string) => void) | undefined;
}

export interface BrowserHost {
  host: WebHost;
  core: ThreadedCore;
  /** The demo runs (no real connection). */
  demo: boolean;
  close(): Promise<void>;
}

/** Thrown when a replica holding a real connection would be opened with the demo's key file. */
export class KeyBesideDataError extends Error {
  override name = 'KeyBesideDataError';
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const dataDir = path.resolve(options.dataDir);
  const replicaFile = path.resolve(options.replicaFile ?? path.join(dataDir, 'replica.db'));
  const key = chooseWebKey({ dataDir, replicaFile });
  for (const line of key.notices) options.notice?.(line);

  const core = await startThreadedCore({
    dataDir,
    replicaFile,
    keyProvider: key.provider, // the Charitylog connection then lives inside the encrypted replica
    demo: true,
    backgroundSync: true,
    keyStoredBesideData: key.storedBesideData,
    log: options.log,
  });
  try {
    const settings = await core.services['settings:get']({});
    if (key.storedBesideData && settings.connection !== null) {
      throw new KeyBesideDataError('this replica holds a Charitylog connection, so its key must not sit next to it: set CASEWORKER_DB_KEY and start again');
    }
    await core.start();
    const dispatcher = createDispatcher(core.services, { isTrustedSender: isWebHostSender, ...(options.log ? { log: options.log } : {}) });
    const host = await startWebHost({ dispatcher, port: options.port ?? 0, staticDir: options.staticDir, events: core.events, ...(options.log ? { log: options.log } : {}) });
    const demo = (await core.services['settings:get']({})).demo;
    return {
      host,
      core,
      demo,
      close: async () => {
        await host.close();
        await core.stop();
      },
    };
  } catch (error) {
    await core.stop().catch(() => undefined);
    throw error;
  }
}
