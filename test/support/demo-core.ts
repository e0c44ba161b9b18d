// The app core as the app-level tests meet it: in a fresh data folder, on a real encrypted replica,
// with the demo's simulator on loopback, every call through the real dispatcher (inputs and outputs
// checked against the contract). Started and its first sync joined; `stop` removes the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAppCore, type AppCore, type AppCoreOptions } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import type { Channel, ChannelArgs, ChannelOutput } from '../../shared/ipc/contract.js';
import type { IpcError } from '../../shared/ipc/envelope.js';
import { dispatchFailure, dispatchOk } from './dispatch-calls.js';

export interface DemoCore {
  dir: string;
  core: AppCore;
  dispatcher: Dispatcher;
  sim: RunningSimulator;
  /** The channel's output; fails the test on an error envelope. */
  call<C extends Channel>(channel: C, input: ChannelArgs<C>): Promise<ChannelOutput<C>>;
  /** The typed error of a call expected to fail. */
  failure<C extends Channel>(channel: C, input: ChannelArgs<C>): Promise<IpcError>;
  stop(): Promise<void>;
}

export interface DemoCoreOptions extends Omit<AppCoreOptions, 'dataDir' | 'keyProvider' | 'demo'> {
  /** A raw 256-bit key in hex: no key derivation, fast opens. */
  key: string;
  /** Runs after the core is made and before it starts (to watch its events from the first). */
  beforeStart?: ((core: AppCore) => void) | undefined;
}

/** Edits travel with the syncs a test asks for, and sync's retries are quick. */
const QUICK: Partial<AppCoreOptions> = { pushAfterEditMs: null, retry: { attempts: 2, baseMs: 5, maxMs: 20 } };

export async function startDemoCore(name: string, options: DemoCoreOptions): Promise<DemoCore> {
  const { key, beforeStart, ...rest } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `caseworker-${name}-`));
  const core = await createAppCore({ ...QUICK, ...rest, dataDir: dir, keyProvider: new StaticKeyProvider(key), demo: true });
  beforeStart?.(core);
  const dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  await core.start();
  const demo: DemoCore = {
    dir,
    core,
    dispatcher,
    sim: core.demoServer()!,
    call: (channel, input) => dispatchOk(dispatcher, channel, input),
    failure: (channel, input) => dispatchFailure(dispatcher, channel, input),
    async stop() {
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await demo.call('sync:run', {}); // joins the demo's first sync
  return demo;
}
