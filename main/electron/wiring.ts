// What the Electron shell runs: opens the encrypted replica with its key from the OS keychain,
// applies the shipped migrations, and answers the channels that have a real service today (the
// replica reader). INTEGRATOR: spread the sync, outbox, edit, report and settings services into
// `services` and return `sync`; until then those channels answer an honest INTERNAL error.

import path from 'node:path';
import { CHANNELS } from '../../shared/ipc/channels.js';
import { migrateReplica, openReplica } from '../db/open.js';
import { createReplicaServices } from '../ipc/replica-services.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { AppContext, AppRuntime, AppWiring } from './app.js';
import { SafeStorageKeyProvider } from './credentials.js';

/** A service for each channel not connected yet: it says so, it never pretends. */
function notConnected(): Services {
  const services: Record<string, () => Promise<never>> = {};
  for (const channel of CHANNELS) {
    services[channel] = async () => {
      throw new ServiceError('INTERNAL', `"${channel}" is not available in this build of Caseworker yet.`);
    };
  }
  return services as unknown as Services;
}

export const electronWiring: AppWiring = {
  async start(context: AppContext): Promise<AppRuntime> {
    const file = path.join(context.dataDir, 'replica.db');
    const replica = await openReplica({ file, keyProvider: new SafeStorageKeyProvider(context.credentials, file), migrate: false });
    try {
      // Found through the app's own folder: inside app.asar (unpacked by electron-builder.yml) or the checkout.
      migrateReplica(replica, path.join(context.appPath, 'drizzle'));
    } catch (error) {
      replica.close();
      throw error;
    }
    context.log.write('replica.open', { encrypted: true });
    return {
      services: { ...notConnected(), ...createReplicaServices(replica) },
      close: () => replica.close(),
    };
  },
};
