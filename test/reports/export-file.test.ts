// `caseworker report … --out FILE` through the real binary, where the file is not a fresh name:
// the replica itself, its -wal, a link to it, another (encrypted or plain) database — all refused
// with the replica and its unsent edits byte-for-byte intact; an earlier export is replaced; and a
// file another program holds (Excel on Windows: EBUSY, simulated in the child) gets the plain
// "close it in Excel and try again", with the old file untouched and no temp file left behind.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaWithKey } from '../../main/db/open.js';
import { checkExportTarget, databaseKind, explainWriteFailure } from '../../main/reports/export-file.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { runCaseworker } from '../support/cli-process.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { syncAs } from '../support/sync-support.js';

const REPORT = 'clients/dimension/district/metric/gender';
let sim: RunningSimulator;
let dir: string;
let db: string;

function fingerprint(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file).toString('base64') : '(absent)';
}

function pendingEdits(): number {
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY, migrate: false });
  try {
    return replica.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state <> 'confirmed'`).pluck().get() as number;
  } finally {
    replica.close();
  }
}

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 5 });
  const login = sim.users[0]!;
  dir = tempDir('caseworker-export-file-');
  db = path.join(dir, 'replica.db');
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
  await syncAs(sim, login, replica, { me: login.id });
  replica.close();
  const queued = await runCaseworker(['queue', '--db', db, '--dialect', '2019', 'PUT', 'clients', 'first_name=Unsent', 'surname=Edit', 'dob=1970-05-05']);
  expect(queued.code, queued.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an export never replaces a database', { timeout: 120_000 }, () => {
  it('refuses --out that is the replica, its -wal, or a link to it; the replica and its unsent edit survive', async () => {
    expect(pendingEdits()).toBe(1);
    const before = fingerprint(db);
    const link = path.join(dir, 'looks-harmless.csv');
    fs.symlinkSync(db, link);
    const runs = await Promise.all([db, `${db}-wal`, link].map((out) => runCaseworker(['report', '--db', db, REPORT, '--format', 'csv', '--out', out])));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr, run.stderr).toMatch(
        /will not write the report to .*: it is (the replica \(your offline records and unsent edits\)|part of the replica .* \(its wal file\))\. Nothing was written/,
      );
      expect(run.stdout).toBe('');
    }
    expect(fingerprint(db)).toBe(before);
    expect(pendingEdits()).toBe(1);
  });

  it('refuses another database, encrypted or plain, by what its first bytes say', async () => {
    const other = path.join(dir, 'colleague.db');
    fs.copyFileSync(db, other); // an encrypted replica: no header, bytes like noise
    const plain = path.join(dir, 'plain.sqlite');
    const handle = new Database(plain);
    handle.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    handle.close();
    const [encryptedRun, plainRun] = await Promise.all([
      runCaseworker(['report', '--db', db, REPORT, '--format', 'xlsx', '--out', other]),
      runCaseworker(['report', '--db', db, REPORT, '--format', 'pdf', '--out', plain]),
    ]);
    expect(encryptedRun.code).toBe(1);
    expect(encryptedRun.stderr).toMatch(/colleague\.db: it looks like an encrypted database\. Nothing was written/);
    expect(plainRun.code).toBe(1);
    expect(plainRun.stderr).toMatch(/plain\.sqlite: it is a database\./);
    expect(fingerprint(other)).toBe(fingerprint(db));
    expect(databaseKind(plain)).toBe('sqlite');
  });

  it('replaces an earlier export of the same report, leaving no temp file', async () => {
    const out = path.join(dir, 'districts.xlsx');
    const first = await runCaseworker(['report', '--db', db, REPORT, '--format', 'xlsx', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(databaseKind(out)).toBeNull();
    fs.writeFileSync(out, 'an older export');
    const second = await runCaseworker(['report', '--db', db, REPORT, '--format', 'xlsx', '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('an export over a file another program holds', { timeout: 120_000 }, () => {
  it('says "close it in Excel and try again", keeps the old file and leaves no temp file (EBUSY simulated in the CLI process)', async () => {
    const out = path.join(dir, 'open-in-excel.csv');
    fs.writeFileSync(out, 'the workbook Excel has open');
    // A preload that makes every rename onto the target fail as Windows does while Excel holds it.
    const preload = path.join(dir, 'excel-holds-it.cjs');
    fs.writeFileSync(
      preload,
      `
      const fs = require('node:fs');
      const target = ${JSON.stringify(out)};
      const busy = (to) => Object.assign(new Error("EBUSY: resource busy or locked, rename -> '" + to + "'"), { code: 'EBUSY', errno: -16, syscall: 'rename' });
      const rename = fs.promises.rename;
      fs.promises.rename = async (from, to) => { if (String(to) === target) throw busy(to); return rename(from, to); };
      require('node:module').syncBuiltinESMExports();
    `,
    );
    const run = await runCaseworker(['report', '--db', db, REPORT, '--format', 'csv', '--out', out], { NODE_OPTIONS: `--require ${preload}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot save open-in-excel\.csv: another program has it open .*Close it in Excel \(or that program\) and try again\./);
    expect(fs.readFileSync(out, 'utf8')).toBe('the workbook Excel has open');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads EPERM and EACCES as "in use" on Windows, as permission problems elsewhere', () => {
    const eperm = Object.assign(new Error('EPERM'), { code: 'EPERM' });
    expect(explainWriteFailure('C:\\Users\\ann\\Documents\\r.xlsx', eperm, 'win32')).toMatch(/Close it in Excel/);
    expect(explainWriteFailure('/home/ann/r.xlsx', eperm, 'linux')).toMatch(/permission denied/);
  });

  it('compares names without case on Windows and macOS', () => {
    expect(() => checkExportTarget(db.toUpperCase(), { protectedFiles: [db], platform: 'win32' })).toThrow(/it is the replica/);
  });
});
