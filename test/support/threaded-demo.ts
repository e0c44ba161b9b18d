// The threaded core (core, reader and editor workers) on the demo, as the thread tests meet it: a
// fresh data folder, the demo's simulator, every call through the real dispatcher. Started and
// synced once; edits travel with the syncs a test asks for; `stop` removes the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher } from '../../main/ipc/register.js';
import { startThreadedCore, type ThreadedCore } from '../../main/threads/core-host.js';
import type { Channel, ChannelArgs, ChannelOutput } from '../../shared/ipc/contract.js';
import { dispatchOk } from './dispatch-calls.js';

export interface ThreadedDemo {
  dir: string;
  core: ThreadedCore;
  /** The channel's output; fails the test on an error envelope. */
  call<C extends Channel>(channel: C, input: ChannelArgs<C>): Promise<ChannelOutput<C>>;
  stop(): Promise<void>;
}

export async function startThreadedDemo(name: string, options: { key: string; clients: number }): Promise<ThreadedDemo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `caseworker-threads-${name}-`));
  const core = await startThreadedCore({ dataDir: dir, keyProvider: new StaticKeyProvider(options.key), demo: true, demoOptions: { clients: options.clients }, pushAfterEditMs: null });
  const dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  const call = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchOk(dispatcher, channel, input);
  await core.start();
  await call('sync:run', {});
  return {
    dir,
    core,
    call,
    async stop() {
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
