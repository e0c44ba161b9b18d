// The Electron main entry (bundled to dist-electron/main/electron/app.js, package.json "main"):
// finds the built renderer and the bundled preload next to the app, and runs the shell.

import path from 'node:path';
import { app } from 'electron';
import { runElectronApp } from './app.js';
import { electronWiring } from './wiring.js';

const root = app.getAppPath();
runElectronApp(electronWiring, {
  rendererDir: path.join(root, 'dist', 'renderer'),
  preloadPath: path.join(root, 'dist-electron', 'preload.cjs'),
});
