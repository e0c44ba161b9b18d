// The one native module (better-sqlite3's SQLCipher build) cannot load from inside app.asar, so it
// sits unpacked beside it, outside Electron's ASAR integrity check. The packager records its
// SHA-256 in dist-electron/native-modules.json, which is inside the checked archive
// (build/before-pack.cjs); the shell compares before the module is first loaded and refuses to
// start on a mismatch, so a swapped .node file cannot read the replica's key.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const NATIVE_MANIFEST = 'native-modules.json';

export interface NativeManifest {
  /** Paths relative to node_modules, e.g. `better-sqlite3/build/Release/better_sqlite3.node`, to hex SHA-256. */
  modules: Record<string, string>;
}

export class NativeIntegrityError extends Error {
  override name = 'NativeIntegrityError';
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Checks every module of the manifest in `<appPath>.unpacked/node_modules` (the packaged layout).
 * Throws a NativeIntegrityError naming the file that is missing or changed.
 */
export function verifyNativeModules(appPath: string, manifest: NativeManifest): void {
  const unpacked = `${appPath}.unpacked`;
  for (const [relative, expected] of Object.entries(manifest.modules)) {
    const file = path.join(unpacked, 'node_modules', ...relative.split('/'));
    let actual: string;
    try {
      actual = sha256File(file);
    } catch {
      throw new NativeIntegrityError(`Caseworker's installation is incomplete (${relative} is missing): reinstall Caseworker.`);
    }
    if (actual !== expected) {
      throw new NativeIntegrityError(`Caseworker's installation has been changed (${relative} is not the file it was built with): reinstall Caseworker.`);
    }
  }
}

/** Reads the manifest shipped inside app.asar; null in a development checkout (nothing was packed). */
export function readNativeManifest(appPath: string): NativeManifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(appPath, 'dist-electron', NATIVE_MANIFEST), 'utf8')) as NativeManifest;
  } catch {
    return null;
  }
}
