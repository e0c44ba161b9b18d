// electron-builder beforePack hook: rebuilds the SQLCipher build of better-sqlite3 (aliased as
// node_modules/better-sqlite3) against the Electron version being packaged. electron-builder's own
// rebuild is off (npmRebuild: false) so that `npm install` never needs Electron's headers; this runs
// only when packaging, on a connected machine of the target OS. `npm run dist` (build/dist.mjs)
// rebuilds it for Node again afterwards so the test suite keeps working.
'use strict';

const path = require('node:path');

exports.default = async function beforePack(context) {
  const { Arch } = require('electron-builder');
  const { rebuild } = await import('@electron/rebuild');
  const projectDir = context.packager.projectDir;
  const electronVersion = context.packager.config.electronVersion
    || require(path.join(projectDir, 'node_modules', 'electron', 'package.json')).version;
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
};
