// What the Electron shell runs: the app core (main/app/core.ts, shared with the browser host) on its
// own worker threads (main/threads/: the window's IPC never waits for a sync) over the encrypted
// replica in the app's data folder, its key and the Charitylog keys in the OS keychain (asked on this
// thread), the shipped migrations, and the shell's own online watch driving syncs (no core loop here).

import path from 'node:path';
import type { ConnectionStore } from '../app/connection-store.js';
import { startThreadedCore } from '../threads/core-host.js';
import type { AppContext, AppRuntime, AppWiring } from './app.js';
import { SafeStorageKeyProvider, type CredentialStore } from './credentials.js';

/** The Charitylog keys in the OS keychain (credentials.ts), as the core's ConnectionStore. */
export function keychainConnections(credentials: CredentialStore, log?: AppContext['log']): ConnectionStore {
  return {
    load: () => {
      try {
        return credentials.loadConnection();
      } catch (error) {
        // A keychain that cannot unlock the keys: the person enters them again in Settings.
        log?.write('credentials.unreadable', { error: error instanceof Error ? error.name : typeof error });
        return null;
      }
    },
    save: (connection) => credentials.saveConnection(connection),
    clear: () => credentials.clearConnection(),
    protection: () => {
      const protection = credentials.protection();
      return { protected: protection.protected, where: `the OS keychain (${protection.backend})` };
    },
    acceptUnprotectedStorage: () => credentials.acceptUnprotectedStorage(),
  };
}

export const electronWiring: AppWiring = {
  async start(context: AppContext): Promise<AppRuntime> {
    const file = path.join(context.dataDir, 'replica.db');
    const core = await startThreadedCore({
      // The worker bundle (npm run build:electron) beside the main bundle; safeStorage stays on this thread.
      workerFile: path.join(context.appPath, 'dist-electron', 'main', 'threads', 'worker.js'),
      dataDir: context.dataDir,
      replicaFile: file,
      keyProvider: new SafeStorageKeyProvider(context.credentials, file),
      // Found through the app's own folder: inside app.asar (unpacked by electron-builder.yml) or the checkout.
      migrationsFolder: path.join(context.appPath, 'drizzle'),
      connections: keychainConnections(context.credentials, context.log),
      events: context.events,
      log: context.log.writer,
      backgroundSync: false, // app.ts's online watch calls sync() at start, on the interval and when the network returns
    });
    try {
      await core.start();
    } catch (error) {
      await core.stop().catch(() => undefined);
      throw error;
    }
    context.log.write('replica.open', { encrypted: true });
    return {
      services: core.services,
      sync: () => core.sync(),
      syncIntervalMinutes: () => core.syncIntervalMinutes(),
      close: () => core.stop(),
    };
  },
};
