// Where a replica may live. SQLite in WAL mode keeps its lock and shared-memory index beside the
// file (-shm), which works only on a local disk: on a network share (a UNC path, a roaming or
// redirected profile) locking breaks and the file can be corrupted, and a folder a sync client
// watches (OneDrive, Dropbox, Google Drive, iCloud, Box) copies the database, its -wal and -shm at
// different moments, and restores half-written ones. So `--db`/`--data` in those places is refused,
// and the desktop app keeps its data under %LOCALAPPDATA%\Caseworker on Windows (never roaming).
// Pure path logic (path.win32 / path.posix chosen by platform) so every platform is testable here.

import path from 'node:path';

export interface LocationContext {
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
}

export interface LocationProblem {
  kind: 'network' | 'synced';
  /** One sentence for a person: what is wrong and where to put it instead. */
  message: string;
}

/** Folder names sync clients create (matched per path segment, case-insensitive). */
const SYNCED_SEGMENTS: ReadonlyArray<[RegExp, string]> = [
  [/^onedrive( - .+)?$/i, 'OneDrive'],
  [/^onedrive-.+$/i, 'OneDrive'], // macOS: ~/Library/CloudStorage/OneDrive-Org
  [/^dropbox( \(.+\))?$/i, 'Dropbox'],
  [/^google ?drive$/i, 'Google Drive'],
  [/^googledrive-.+$/i, 'Google Drive'],
  [/^my drive$/i, 'Google Drive'],
  [/^icloud ?drive$/i, 'iCloud Drive'],
  [/^mobile documents$/i, 'iCloud Drive'],
  [/^Box( Sync)?$/, 'Box'], // case-sensitive: a project folder called "box" is not Box's
  [/^Box-Box$/, 'Box'],
  [/^CloudStorage$/, 'a cloud storage provider'], // macOS: ~/Library/CloudStorage/<provider>
];

/** Environment variables Windows sync clients set to their folder. */
const SYNCED_ENV: ReadonlyArray<[string, string]> = [
  ['OneDrive', 'OneDrive'],
  ['OneDriveCommercial', 'OneDrive'],
  ['OneDriveConsumer', 'OneDrive'],
];

function pathApi(platform: NodeJS.Platform): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** `\\server\share\…`, `//server/share/…` and `\\?\UNC\server\share\…` (a `\\?\C:\…` long path is local). */
export function isUncPath(file: string): boolean {
  const normal = file.replace(/\//g, '\\');
  if (/^\\\\\?\\UNC\\/i.test(normal)) return true;
  if (/^\\\\[?.]\\/.test(normal)) return false;
  return /^\\\\[^\\]+\\[^\\]+/.test(normal);
}

/** What is wrong with keeping a replica (and its -wal/-shm) at `file`, or null for a local, unsynced folder. */
export function replicaLocationProblem(file: string, context: LocationContext = {}): LocationProblem | null {
  const platform = context.platform ?? process.platform;
  const env = context.env ?? process.env;
  const api = pathApi(platform);
  if (platform === 'win32' && isUncPath(file)) {
    return {
      kind: 'network',
      message: `${file} is on a network share. The replica must be on this computer's own disk (network shares break its locking and can corrupt it): use a folder under ${env.LOCALAPPDATA ?? '%LOCALAPPDATA%'}.`,
    };
  }
  const resolved = api.resolve(file);
  const compare = (p: string) => (platform === 'linux' ? p : p.toLowerCase());
  for (const [name, service] of SYNCED_ENV) {
    const root = env[name];
    if (!root || !api.isAbsolute(root)) continue;
    const rel = api.relative(compare(api.resolve(root)), compare(resolved));
    if (rel === '' || (!rel.startsWith('..') && !api.isAbsolute(rel))) return synced(file, service, platform, env);
  }
  for (const segment of resolved.split(/[\\/]+/)) {
    for (const [pattern, service] of SYNCED_SEGMENTS) {
      if (pattern.test(segment)) return synced(file, service, platform, env);
    }
  }
  return null;
}

function synced(file: string, service: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): LocationProblem {
  const instead =
    platform === 'win32'
      ? `a folder under ${env.LOCALAPPDATA ?? '%LOCALAPPDATA%'}`
      : platform === 'darwin'
        ? 'a folder under ~/Library/Application Support'
        : 'a folder under your home folder that no sync client watches';
  return {
    kind: 'synced',
    message: `${file} is in a folder ${service} keeps in sync. Sync clients copy a database and its -wal and -shm files at different moments and can restore a half-written one, losing edits: keep the replica in ${instead}.`,
  };
}

/**
 * The desktop app's data folder. Windows: %LOCALAPPDATA%\Caseworker — the default (roaming
 * %APPDATA%) is copied to and from a server at every logon in roaming or redirected profiles.
 * macOS and Linux: Electron's default (~/Library/Application Support/Caseworker, ~/.config/Caseworker).
 */
export function desktopDataDir(electronDefault: string, context: LocationContext & { homedir?: string; productName?: string } = {}): string {
  const platform = context.platform ?? process.platform;
  if (platform !== 'win32') return electronDefault;
  const env = context.env ?? process.env;
  const local =
    env.LOCALAPPDATA && path.win32.isAbsolute(env.LOCALAPPDATA) && !isUncPath(env.LOCALAPPDATA) ? env.LOCALAPPDATA : path.win32.join(context.homedir ?? env.USERPROFILE ?? 'C:\\', 'AppData', 'Local');
  return path.win32.join(local, context.productName ?? 'Caseworker');
}
