// `caseworker web [--data DIR] [--db FILE] [--port N] [--static DIR]`: the app in a browser on this
// computer. Builds the renderer when it is missing or stale, starts the browser host
// (main/web/wiring.ts) on the replica in DIR (default ./.caseworker-web/, or beside --db FILE) —
// the demo when no connection is configured — and prints ONE JSON line {"url": "…?token=…"} on stdout.
// SIGINT/SIGTERM/SIGHUP/SIGBREAK stop it cleanly (the replica closed), exit 0.

import fs from 'node:fs';
import path from 'node:path';
import { ReplicaKeyError } from '../db/keys.js';
import { replicaLocationProblem } from '../files/replica-location.js';
import { SupportLog } from '../support-log.js';
import { DEFAULT_STATIC_DIR, WebHostError } from '../web/host.js';
import { RendererBuildError, buildRenderer, rendererBuildReason } from '../web/renderer-build.js';
import { WebKeyError } from '../web/web-key.js';
import { KeyBesideDataError, startBrowserHost, type BrowserHost } from '../web/wiring.js';
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
  const { values } = parseCommandArgs(
    argv,
    {
      data: { type: 'string' },
      db: { type: 'string' },
      port: { type: 'string' },
      static: { type: 'string' },
    },
    false,
  );
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

  const support = new SupportLog({ dir: path.join(dataDir, 'logs') });
  let running: BrowserHost;
  try {
    running = await startBrowserHost({ dataDir, replicaFile, port, staticDir, log: support.writer, notice: (line) => log(`caseworker web: ${line}`) });
  } catch (error) {
    if (error instanceof WebKeyError || error instanceof ReplicaKeyError || error instanceof KeyBesideDataError || error instanceof WebHostError) {
      throw new UserFacingError(error.message);
    }
    throw error;
  }
  const { host, demo } = running;
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
  await running.close();
  support.write('web.stop', {});
  return 0;
}
