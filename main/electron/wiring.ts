// What the Electron shell runs: the app core (main/app/core.ts, shared with the browser host) on its
// own worker threads (main/threads/: the window's IPC never waits for a sync) over the encrypted
// replica in the app's data folder, its key and the Charitylog keys in the OS keychain (asked on this
// thread), the shipped migrations, the system's proxy and CAs, report exports saved in main after the
// native save dialog, and the shell's own online watch driving syncs (no core loop here).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionStore } from '../app/connection-store.js';
import { startThreadedCore } from '../threads/core-host.js';
import type { AppContext, AppRuntime, AppWiring } from './app.js';
import { SafeStorageKeyProvider, keyStoreName, type CredentialStore } from './credentials.js';
import { ExportFolderMemory, saveExportService } from './save-export.js';

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
      return { protected: protection.protected, where: keyStoreName(protection.backend) };
    },
    acceptUnprotectedStorage: () => credentials.acceptUnprotectedStorage(),
  };
}

/** The server the system proxy is resolved for (PAC files may answer per host). */
function serverUrl(connections: ConnectionStore): string {
  try {
    return connections.load()?.baseUrl ?? DEFAULT_SERVER;
  } catch {
    return DEFAULT_SERVER;
  }
}
const DEFAULT_SERVER = 'https://api.dizions.co.uk/v2';

export const electronWiring: AppWiring = {
  async start(context: AppContext): Promise<AppRuntime> {
    const file = path.join(context.dataDir, 'replica.db');
    const connections = keychainConnections(context.credentials, context.log);
    await context.network?.refresh(serverUrl(connections));
    // The worker bundle (npm run build:electron) beside the main bundle; from a checkout without that
    // build, the TypeScript worker through tsx. safeStorage stays on this thread either way.
    const bundle = path.join(context.appPath, 'dist-electron', 'main', 'threads', 'worker.js');
    const core = await startThreadedCore({
      workerFile: fs.existsSync(bundle) ? bundle : undefined,
      dataDir: context.dataDir,
      replicaFile: file,
      keyProvider: new SafeStorageKeyProvider(context.credentials, file),
      // Found through the app's own folder: inside app.asar (unpacked by electron-builder.yml) or the checkout.
      migrationsFolder: path.join(context.appPath, 'drizzle'),
      connections,
      // The system's proxy and certificate store, as Edge has them (office proxies, HTTPS inspection).
      network: context.network ? () => context.network!.current() : undefined,
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
    const services = context.showSaveDialog
      ? {
          ...core.services,
          // Saved in main after the native dialog, never into the data folder or over the replica.
          'reports:export': saveExportService(core.services['reports:export'], {
            showSaveDialog: context.showSaveDialog,
            folders: new ExportFolderMemory(path.join(context.dataDir, 'export-folder.json')),
            documentsDir: context.documentsDir ?? os.homedir(),
            target: { protectedFiles: [file], protectedDirs: [context.dataDir] },
          }),
        }
      : core.services;
    return {
      services,
      sync: async () => {
        await context.network?.refresh(serverUrl(connections)); // the proxy may have changed with the network
        return core.sync();
      },
      syncIntervalMinutes: () => core.syncIntervalMinutes(),
      close: () => core.stop(),
    };
  },
};
