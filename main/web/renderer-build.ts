// Builds the renderer for the browser host when dist/renderer is missing or older than its sources
// (renderer/, shared/, vite.config.ts), through vite's own API with vite.config.ts. The build goes
// to a folder of its own and is swapped in whole, so a host serving the old build never serves half
// of a new one; vite's messages go to stderr (stdout carries the host's one JSON line).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_OUT = path.join(REPO_ROOT, 'dist', 'renderer');
const SOURCES = ['renderer', 'shared', 'vite.config.ts'];

/** The newest modification time under `target` (a file or a folder), skipping node_modules and dotfiles. */
function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** Why the renderer must be (re)built, or null when the build is current. */
export function rendererBuildReason(root = REPO_ROOT, out = RENDERER_OUT): string | null {
  const index = path.join(out, 'index.html');
  if (!fs.existsSync(index)) return "the app's pages are not built yet";
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  return sources > built ? "the app's sources changed since the last build" : null;
}

export class RendererBuildError extends Error {
  override name = 'RendererBuildError';
}

/** Runs `vite build` into dist/renderer (swapped in when complete). */
export async function buildRenderer(progress: (line: string) => void, root = REPO_ROOT, out = RENDERER_OUT): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new RendererBuildError("the app's pages are not built and vite is not installed: run npm install (with the dev dependencies), then try again");
  }
  const staging = `${out}.build-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const logger = vite.createLogger('warn', { allowClearScreen: false });
  const toStderr = (message: string) => {
    const text = message.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
    if (!text.includes('[PLUGIN_TIMINGS]')) progress(text); // the bundler's own profiling hint, not a problem
  };
  logger.warn = (message) => toStderr(message);
  logger.warnOnce = (message) => toStderr(message);
  logger.error = (message) => toStderr(message);
  logger.info = () => undefined;
  try {
    await vite.build({
      configFile: path.join(root, 'vite.config.ts'),
      logLevel: 'warn',
      customLogger: logger,
      build: { outDir: staging, emptyOutDir: true },
    });
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new RendererBuildError(`the app's pages did not build: ${(error as Error).message.split('\n')[0]}`);
  }
  // Swap in whole: the old build goes aside first (rename cannot replace a folder that has files).
  const old = `${out}.old-${process.pid}`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    fs.renameSync(out, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.renameSync(staging, out);
  fs.rmSync(old, { recursive: true, force: true });
}
