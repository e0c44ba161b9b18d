// `caseworker web [--data DIR] [--db FILE] [--port N] [--static DIR]`: the app in a browser on this
// computer. Builds the renderer when it is missing or stale, opens the app core on the replica in
// DIR (default ./.caseworker-web/, or beside --db FILE), starts the demo when no connection is configured, serves the
// pages and the contract on 127.0.0.1 only, and prints ONE JSON line {"url": "…?token=…"} on stdout.
// SIGINT/SIGTERM/SIGHUP/SIGBREAK stop it cleanly (the replica closed), exit 0.

import fs from 'node:fs';
import path from 'node:path';
import { createAppCore, type AppCore } from '../app/core.js';
import { RendererBuildError, buildRenderer, rendererBuildReason } from '../app/renderer-build.js';
import { WebKeyError, chooseWebKey } from '../app/web-key.js';
import { ReplicaKeyError } from '../db/keys.js';
import { replicaLocationProblem } from '../files/replica-location.js';
import { createDispatcher } from '../ipc/register.js';
import { SupportLog } from '../support-log.js';
import { DEFAULT_STATIC_DIR, WebHostError, isWebHostSender, startWebHost, type WebHost } from '../web/host.js';
import { onStopSignal } from './stop-signals.js';
import { UsageError, UserFacingError, intOption, log, parseCommandArgs, printJson } from './usage.js';

export const DEFAULT_WEB_DATA_DIR = '.caseworker-web';

/**
 * `--db FILE` alone: the demo's charity, its key file and the logs go in a folder beside FILE
 * (`work/app.db` → `work/app-data/`), so two replicas never share a demo.
 */
export function dataDirBeside(db: string): string {
  const file = path.resolve(db);
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}-data`);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    data: { type: 'string' },
    db: { type: 'string' },
    port: { type: 'string' },
    static: { type: 'string' },
  }, false);
  const port = intOption(values.port, 'port', 0, 0);
  if (port > 65535) throw new UsageError(`--port must be between 0 and 65535, got ${port}`);
  const dataDir = path.resolve(values.data ?? (values.db !== undefined ? dataDirBeside(values.db) : DEFAULT_WEB_DATA_DIR));
  const replicaFile = path.resolve(values.db ?? path.join(dataDir, 'replica.db'));
  const places: Array<[string, string]> = [[values.db !== undefined ? '--db' : '--data', replicaFile]];
  if (values.data !== undefined) places.push(['--data', dataDir]);
  for (const [flag, where] of places) {
    const misplaced = replicaLocationProblem(where);
    if (misplaced) throw new UserFacingError(`${flag}: ${misplaced.message}`);
  }

  // The pages first: a broken build should stop us before anything is opened.
  let staticDir: string;
  if (values.static !== undefined) {
    staticDir = path.resolve(values.static);
    if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new UsageError(`--static ${values.static} has no index.html`);
  } else {
    staticDir = DEFAULT_STATIC_DIR;
    const reason = rendererBuildReason();
    if (reason) {
      log(`caseworker web: ${reason}; building them (vite)…`);
      const started = Date.now();
      try {
        await buildRenderer((line) => log(`  ${line}`));
      } catch (error) {
        if (error instanceof RendererBuildError) throw new UserFacingError(error.message);
        throw error;
      }
      log(`caseworker web: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  let key;
  try {
    key = chooseWebKey({ dataDir, replicaFile });
  } catch (error) {
    if (error instanceof WebKeyError || error instanceof ReplicaKeyError) throw new UserFacingError(error.message);
    throw error;
  }
  for (const notice of key.notices) log(`caseworker web: ${notice}`);

  const support = new SupportLog({ dir: path.join(dataDir, 'logs') });
  let core: AppCore;
  try {
    core = await createAppCore({
      dataDir,
      replicaFile,
      keyProvider: key.provider, // the Charitylog connection then lives inside the encrypted replica
      demo: true,
      backgroundSync: true,
      keyStoredBesideData: key.storedBesideData,
      log: support.writer,
    });
  } catch (error) {
    if (error instanceof ReplicaKeyError) throw new UserFacingError(error.message);
    throw error;
  }

  let host: WebHost | undefined;
  try {
    const settings = await core.services['settings:get']({});
    if (key.storedBesideData && settings.connection !== null) {
      throw new UserFacingError(`this replica holds a Charitylog connection, so its key must not sit next to it: set CASEWORKER_DB_KEY and start again`);
    }
    await core.start();
    const dispatcher = createDispatcher(core.services, { isTrustedSender: isWebHostSender, log: support.writer });
    host = await startWebHost({ dispatcher, port, staticDir, events: core.events, log: support.writer });
  } catch (error) {
    await core.stop().catch(() => undefined);
    if (error instanceof WebHostError) throw new UserFacingError(error.message);
    throw error;
  }

  const demo = (await core.services['settings:get']({})).demo;
  printJson({ url: host.url });
  log(`caseworker web: open ${host.url} in a browser on this computer${demo ? ' (DEMO data: nothing reaches a real Charitylog)' : ''}. Ctrl-C stops it.`);
  support.write('web.start', { port: host.port, demo });

  await new Promise<void>((resolve) => {
    const stopListening = onStopSignal(() => {
      stopListening();
      resolve();
    });
  });
  log('caseworker web: stopping…');
  await host.close();
  await core.stop();
  support.write('web.stop', {});
  return 0;
}
