// Where a replica may live, judged for Windows paths (path.win32) and macOS paths on this Linux
// machine: network shares (UNC) and folders a sync client watches (OneDrive, Dropbox, Google Drive,
// iCloud, Box) are refused with a sentence saying where to put it; the desktop app's data folder is
// %LOCALAPPDATA%\Caseworker on Windows, never the roaming %APPDATA%. The CLI refuses such a --db.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopDataDir, isUncPath, replicaLocationProblem } from '../../main/files/replica-location.js';
import { runCaseworker } from '../support/cli-process.js';
import { tempDir } from '../support/db-fixtures.js';

const WINDOWS_ENV = {
  LOCALAPPDATA: 'C:\\Users\\ann.lee\\AppData\\Local',
  APPDATA: 'C:\\Users\\ann.lee\\AppData\\Roaming',
  USERPROFILE: 'C:\\Users\\ann.lee',
  OneDriveCommercial: 'C:\\Users\\ann.lee\\Hillside Trust',
};
const windows = (file: string) => replicaLocationProblem(file, { platform: 'win32', env: WINDOWS_ENV });
const mac = (file: string) => replicaLocationProblem(file, { platform: 'darwin', env: { HOME: '/Users/ann' } });

describe('on Windows', () => {
  it('refuses network shares in every spelling, and says to use %LOCALAPPDATA%', () => {
    for (const file of ['\\\\fileserver\\homes$\\ann.lee\\Caseworker\\replica.db', '//fileserver/homes$/ann.lee/replica.db', '\\\\?\\UNC\\fileserver\\homes$\\replica.db']) {
      const problem = windows(file);
      expect(problem, file).toMatchObject({ kind: 'network' });
      expect(problem!.message).toContain('is on a network share');
      expect(problem!.message).toContain('C:\\Users\\ann.lee\\AppData\\Local');
    }
    expect(isUncPath('\\\\?\\C:\\Users\\ann.lee\\replica.db')).toBe(false); // a long local path
    expect(isUncPath('\\\\.\\C:\\replica.db')).toBe(false);
  });

  it('refuses OneDrive (personal, "OneDrive - Organisation", the folder Windows names in the environment) and other sync clients', () => {
    for (const [file, service] of [
      ['C:\\Users\\ann.lee\\OneDrive\\Documents\\replica.db', 'OneDrive'],
      ['C:\\Users\\ann.lee\\OneDrive - Hillside Trust\\Caseworker\\replica.db', 'OneDrive'],
      ['c:\\users\\ANN.LEE\\hillside trust\\casework\\replica.db', 'OneDrive'], // OneDriveCommercial, in other case
      ['D:\\Dropbox\\work\\replica.db', 'Dropbox'],
      ['G:\\My Drive\\replica.db', 'Google Drive'],
      ['C:\\Users\\ann.lee\\iCloudDrive\\replica.db', 'iCloud Drive'],
      ['C:\\Users\\ann.lee\\Box\\replica.db', 'Box'],
    ] as const) {
      const problem = windows(file);
      expect(problem, file).toMatchObject({ kind: 'synced' });
      expect(problem!.message).toContain(`in a folder ${service} keeps in sync`);
    }
  });

  it('accepts local folders', () => {
    for (const file of ['C:\\Users\\ann.lee\\AppData\\Local\\Caseworker\\replica.db', 'D:\\casework\\replica.db', '\\\\?\\C:\\data\\replica.db', 'C:\\Users\\ann.lee\\box\\replica.db']) {
      expect(windows(file), file).toBeNull();
    }
  });

  it("keeps the desktop app's data under %LOCALAPPDATA%\\Caseworker, never the roaming profile", () => {
    expect(desktopDataDir('C:\\Users\\ann.lee\\AppData\\Roaming\\Caseworker', { platform: 'win32', env: WINDOWS_ENV })).toBe('C:\\Users\\ann.lee\\AppData\\Local\\Caseworker');
    // A LOCALAPPDATA redirected to a share (or missing) falls back to the profile's own AppData\Local.
    expect(desktopDataDir('C:\\Users\\ann.lee\\AppData\\Roaming\\Caseworker', { platform: 'win32', env: { LOCALAPPDATA: '\\\\server\\profiles\\ann', USERPROFILE: 'C:\\Users\\ann.lee' } })).toBe(
      'C:\\Users\\ann.lee\\AppData\\Local\\Caseworker',
    );
    expect(replicaLocationProblem(path.win32.join(desktopDataDir('', { platform: 'win32', env: WINDOWS_ENV }), 'replica.db'), { platform: 'win32', env: WINDOWS_ENV })).toBeNull();
    expect(desktopDataDir('/Users/ann/Library/Application Support/Caseworker', { platform: 'darwin' })).toBe('/Users/ann/Library/Application Support/Caseworker');
    expect(desktopDataDir('/home/ann/.config/Caseworker', { platform: 'linux' })).toBe('/home/ann/.config/Caseworker');
  });
});

describe('on macOS', () => {
  it('refuses iCloud, CloudStorage providers and Dropbox, and accepts Application Support', () => {
    expect(mac('/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/replica.db')).toMatchObject({ kind: 'synced' });
    expect(mac('/Users/ann/Library/CloudStorage/OneDrive-HillsideTrust/replica.db')).toMatchObject({ kind: 'synced' });
    expect(mac('/Users/ann/Dropbox/replica.db')!.message).toContain('~/Library/Application Support');
    expect(mac('/Users/ann/Library/Application Support/Caseworker/replica.db')).toBeNull();
  });
});

describe('the CLI', () => {
  const dir = tempDir('caseworker-location-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a --db in a OneDrive folder before creating anything there', { timeout: 60_000 }, async () => {
    const synced = path.join(dir, 'OneDrive - Hillside Trust');
    fs.mkdirSync(synced);
    const db = path.join(synced, 'replica.db');
    const run = await runCaseworker(['status', '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--db: .*replica\.db is in a folder OneDrive keeps in sync\. Sync clients copy a database/);
    expect(fs.readdirSync(synced)).toEqual([]);
  });
});
