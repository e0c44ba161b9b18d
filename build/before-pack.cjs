// electron-builder beforePack hook: rebuilds the SQLCipher build of better-sqlite3 (aliased as
// node_modules/better-sqlite3) against the Electron version being packaged. electron-builder's own
// rebuild is off (npmRebuild: false) so that `npm install` never needs Electron's headers; this runs
// only when packaging, on a connected machine of the target OS. `npm run dist` (build/dist.mjs)
// rebuilds it for Node again afterwards so the test suite keeps working.
// It then records the module's SHA-256 in dist-electron/native-modules.json, which is packed inside
// app.asar (under Electron's integrity check); the shell compares the unpacked .node file with it
// before first use (main/electron/native-integrity.ts). Runs once per architecture.
'use strict';

const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const NATIVE_MODULES = ['better-sqlite3/build/Release/better_sqlite3.node'];

exports.default = async function beforePack(context) {
  const { Arch } = require('electron-builder');
  const { rebuild } = await import('@electron/rebuild');
  const projectDir = context.packager.projectDir;
  const electronVersion = context.packager.config.electronVersion || require(path.join(projectDir, 'node_modules', 'electron', 'package.json')).version;
  const arch = Arch[context.arch];
  if (context.electronPlatformName !== process.platform) {
    throw new Error(
      `better-sqlite3 is a native module and cannot be cross-compiled: package for ${context.electronPlatformName} on a ${context.electronPlatformName} machine (this one is ${process.platform}).`,
    );
  }
  console.log(`  • rebuilding better-sqlite3 for Electron ${electronVersion} (${context.electronPlatformName} ${arch})`);
  await rebuild({
    buildPath: projectDir,
    electronVersion,
    arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
  const modules = {};
  for (const relative of NATIVE_MODULES) {
    const file = path.join(projectDir, 'node_modules', ...relative.split('/'));
    modules[relative] = nodeCrypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  fs.mkdirSync(path.join(projectDir, 'dist-electron'), { recursive: true });
  fs.writeFileSync(path.join(projectDir, 'dist-electron', 'native-modules.json'), JSON.stringify({ modules }, null, 2));
  console.log(`  • recorded the native module's SHA-256 for ${arch}`);
};
