// `caseworker doctor` as an admin runs it against the simulator in each mode: it names the dialect,
// changes nothing (the simulator's request log shows no write), names an assumption the server
// breaks on reads, reports write reply styles only with --write-probes, and exits 1 in one line
// when the server is unreachable or refuses the keys. Also: sync's dialect when none is given.
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection, type DoctorReport } from '../../main/doctor/checks.js';
import { savedDialect } from '../../main/db/replica-dialect.js';
import { savedUpdatedFilter } from '../../main/sync/updated-filter.js';
import { openReplica } from '../../main/db/open.js';
import { EnvKeyProvider } from '../../main/db/keys.js';
import { REPLY_STYLES } from '../../main/sim/reply-variants.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { RequestLogEntry, SimOptions } from '../../main/sim/types.js';
import { runCaseworker } from '../support/cli-process.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';

const READ_CHECKS = [
  'keys',
  'dialect',
  'collections',
  'fields',
  'updated_selectable',
  'updated_filter',
  'timestamps',
  'dictionaries',
  'reports',
  'relationships',
  'errors',
  'scope',
  'gzip',
  'response_times',
];

const sims: RunningSimulator[] = [];
let dir: string;

async function sim(options: SimOptions = {}): Promise<RunningSimulator> {
  const started = await startSimulator({ clients: 60, seed: 5, ...options });
  sims.push(started);
  return started;
}

function connection(s: RunningSimulator): string[] {
  const login = s.users[0]!;
  return ['--server', s.url, '--source', login.source, '--org', login.org, '--user', login.user];
}

function keysOf(s: RunningSimulator) {
  const login = s.users[0]!;
  return { baseUrl: s.url, source: login.source, org: login.org, user: login.user };
}

/** The simulator's request log, through its control endpoint. */
async function requestLog(s: RunningSimulator): Promise<RequestLogEntry[]> {
  const reply = await request(`${s.controlUrl}/log`);
  return ((await reply.body.json()) as { entries: RequestLogEntry[] }).entries;
}

const successfulWrites = (log: RequestLogEntry[]) => log.filter((e) => e.method !== 'GET' && e.status >= 200 && e.status < 300);

async function doctorJson(args: string[]): Promise<{ code: number | null; report: DoctorReport; stderr: string }> {
  const run = await runCaseworker(['doctor', ...args, '--json']);
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return { code: run.code, report: JSON.parse(lines[0]!) as DoctorReport, stderr: run.stderr };
}

const checkNamed = (report: DoctorReport, name: string) => report.checks.find((c) => c.name === name);

beforeAll(() => {
  dir = tempDir('caseworker-doctor-');
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('caseworker doctor, read-only', () => {
  it('against the 2019 simulator: names 2019, passes every read check, and writes nothing', async () => {
    const s = await sim({ dialect: '2019' });
    const counts = s.store.counts();
    const { code, report } = await doctorJson(connection(s));
    expect(code).toBe(0);
    expect(report).toMatchObject({ server: s.url, reached: true, authorised: true, dialect: '2019' });
    expect(report.checks.map((c) => c.name)).toEqual(READ_CHECKS);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.reply_styles).toBeUndefined();
    const log = await requestLog(s);
    expect(log.length).toBe(report.timings.requests);
    expect(log.filter((e) => e.method !== 'GET')).toEqual([]);
    expect(s.store.counts()).toEqual(counts);
  });

  it('its scope preview counts what this user can list', async () => {
    const s = await sim();
    const report = await checkConnection(keysOf(s));
    const login = s.users[0]!;
    for (const group of ['clients', 'referrals', 'due_contacts', 'done_contacts', 'workers', 'schedules'] as const) {
      const reply = await request(`${s.url}/${group}/field/id`, { headers: { Source: login.source, Org: login.org, User: login.user } });
      const listed = (await reply.body.json()) as unknown[];
      expect(report.scope[group], group).toBe(listed.length);
    }
    expect(checkNamed(report, 'scope')!.detail).toMatch(new RegExp(`clients ${report.scope.clients},`));
  });

  it("against the 2025 simulator: names the dialect the simulator's reads document, and writes nothing", async () => {
    const s = await sim({ dialect: '2025' });
    const { code, report } = await doctorJson(connection(s));
    expect(code).toBe(0);
    // The 2025 read forms (filterable_fields, clients/<id>) are the simulator's once branch `dialects`
    // lands; until then its 2025 mode differs from 2019 only in write verbs, which reading cannot see.
    const login = s.users[0]!;
    const discovery = await request(`${s.url}/clients/filterable_fields`, { headers: { Source: login.source, Org: login.org, User: login.user } });
    await discovery.body.dump();
    expect(report.dialect).toBe(discovery.statusCode === 200 ? '2025' : '2019');
    expect(checkNamed(report, 'dialect')!.detail).toMatch(/clients\/filterable_fields (answered|refused)/);
    expect(successfulWrites(await requestLog(s))).toEqual([]);
    expect((await requestLog(s)).filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it.each([
    ['iso', /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" \(a T between date and time\)/],
    ['no-seconds', /"\d{4}-\d\d-\d\d \d\d:\d\d" \(no seconds\)/],
  ] as const)('names the broken assumption when the server sends timestamps as %s', async (format, example) => {
    const s = await sim({ timestampFormat: format });
    const { code, report } = await doctorJson(connection(s));
    expect(code).toBe(0);
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(['timestamps']);
    expect(failed[0]!.detail).toMatch(/breaks the assumption "timestamps are YYYY-MM-DD HH:MM:SS"/);
    expect(failed[0]!.detail).toMatch(example);
    expect(failed[0]!.detail).toMatch(/read tolerantly, sync continues/);
    expect(checkNamed(report, 'updated_filter')!.ok).toBe(true);
  });

  it('prints a readable table without --json', async () => {
    const s = await sim({ timestampFormat: 'iso' });
    const run = await runCaseworker(['doctor', ...connection(s)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^server: {2}http:\/\/127\.0\.0\.1:\d+\/v2\ndialect: 2019\n\n/);
    for (const name of READ_CHECKS) expect(run.stdout).toMatch(new RegExp(`^(ok  |FAIL)  ${name} +\\S`, 'm'));
    expect(run.stdout).toMatch(/^FAIL {2}timestamps /m);
    expect(run.stdout).toMatch(/1 of 14 checks failed: see docs\/doctor\.md/);
  });
});

describe('caseworker doctor --write-probes (a training system)', () => {
  it('against the 2025 simulator: the verbs name 2025; one client named as a connection check is created and updated', async () => {
    const s = await sim({ dialect: '2025', replyStyle: 'bare' });
    const before = s.store.counts().clients!;
    const { code, report, stderr } = await doctorJson([...connection(s), '--write-probes']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/TRAINING system/);
    expect(report.dialect).toBe('2025');
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.reply_styles).toEqual({ create: 'bare-number', update: 'bare-number' });
    expect(checkNamed(report, 'write_create')!.detail).toMatch(/^POST clients answered a bare N: client \d+ "Connection check Caseworker doctor/);
    expect(checkNamed(report, 'write_readback')!.detail).toMatch(/reads back with its names; updated .* is UK local time/);
    expect(report.checks.map((c) => c.name)).toEqual([...READ_CHECKS.slice(0, -1), 'write_create', 'write_readback', 'write_update', 'response_times']);
    expect(s.store.counts().clients).toBe(before + 1);
    expect(s.store.db.prepare(`SELECT first_name, surname FROM clients ORDER BY id DESC LIMIT 1`).get()).toEqual({
      first_name: 'Connection check',
      surname: expect.stringMatching(/^Caseworker doctor .* \(safe to delete\) updated$/),
    });
    expect(successfulWrites(await requestLog(s)).map((e) => `${e.method} ${e.path.replace(/\d+/, 'N')}`)).toEqual(['POST clients', 'PUT clients/N']);
  });

  const expected: Record<(typeof REPLY_STYLES)[number], { create: string; update: string | null }> = {
    id: { create: 'id-object', update: 'id-object' },
    'id-string': { create: 'id-string-object', update: 'id-string-object' },
    bare: { create: 'bare-number', update: 'bare-number' },
    string: { create: 'bare-string', update: 'bare-string' },
    array: { create: 'array', update: 'array' },
    empty: { create: 'id-object', update: 'empty' },
    none: { create: 'empty', update: null },
  };
  it.each(REPLY_STYLES)('reports the create and update reply styles of --reply-style %s', async (style) => {
    const s = await sim({ replyStyle: style, clients: 20 });
    const report = await checkConnection(keysOf(s), { writeProbes: true });
    expect(report.dialect).toBe('2019');
    expect(report.reply_styles).toEqual(expected[style]);
    expect(checkNamed(report, 'write_create')!.ok).toBe(style !== 'none');
    if (style === 'none') expect(checkNamed(report, 'write_create')!.detail).toMatch(/PUT clients answered 200 with an empty body: no new id/);
  });
});

describe('caseworker doctor failing to get in', () => {
  it('exits 1 with one line when nothing answers', async () => {
    const s = await sim({ clients: 5 });
    const url = s.url;
    const keys = connection(s);
    await s.close();
    const run = await runCaseworker(['doctor', ...keys]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([`caseworker doctor: nothing answers at ${new URL(url).origin} (connection refused)`]);
  });

  it('exits 1 with one line when the keys are refused', async () => {
    const s = await sim({ clients: 5 });
    const login = s.users[0]!;
    const run = await runCaseworker(['doctor', '--server', s.url, '--source', login.source, '--org', login.org, '--user', 'not-a-user']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['caseworker doctor: the server refused the keys (401): the Source, Org and User keys do not match a user of this system']);
  });

  it('exits 2 with the usage when the connection is incomplete', async () => {
    const run = await runCaseworker(['doctor', '--server', 'http://127.0.0.1:9/v2'], { CASEWORKER_SOURCE: '', CASEWORKER_ORG: '', CASEWORKER_USER: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing connection settings: --source/);
  });
});

describe('the dialect saved with the replica', () => {
  async function dialectIn(file: string) {
    return (await savedIn(file)).dialect;
  }

  async function savedIn(file: string) {
    const saved = process.env.CASEWORKER_DB_KEY;
    process.env.CASEWORKER_DB_KEY = TEST_KEY;
    const replica = await openReplica({ file, keyProvider: new EnvKeyProvider() });
    try {
      return { dialect: savedDialect(replica), updatedFilter: savedUpdatedFilter(replica)?.groups };
    } finally {
      replica.close();
      if (saved === undefined) delete process.env.CASEWORKER_DB_KEY;
      else process.env.CASEWORKER_DB_KEY = saved;
    }
  }

  it('doctor --db saves what it found', async () => {
    const s = await sim({ clients: 20 });
    const db = path.join(dir, 'doctor.db');
    const { code, stderr } = await doctorJson([...connection(s), '--db', db]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/saved dialect 2019/);
    expect(await dialectIn(db)).toBe('2019');
  });

  it.each(['referrals', 'all'] as const)('names the groups that filter by updated on a server filtering %s, and --db saves them for sync', async (updatedFilter) => {
    const s = await sim({ clients: 20, updatedFilter });
    const db = path.join(dir, `doctor-updated-${updatedFilter}.db`);
    const { code, report } = await doctorJson([...connection(s), '--db', db]);
    expect(code).toBe(0);
    const others = { clients: true, due_contacts: true, done_contacts: true, workers: true, schedules: true };
    const expected = updatedFilter === 'all' ? others : Object.fromEntries(Object.keys(others).map((g) => [g, false]));
    expect(report.updated_filter).toEqual(expected);
    expect(checkNamed(report, 'updated_filter')!.ok).toBe(true);
    expect((await savedIn(db)).updatedFilter).toEqual(expected);
  });

  it('sync on a new replica without --dialect detects it as the doctor does, saves it, and does not detect again', async () => {
    const s = await sim({ clients: 20 });
    const db = path.join(dir, 'sync.db');
    const first = await runCaseworker(['sync', '--db', db, ...connection(s), '--me', String(s.users[0]!.id), '--json'], { CASEWORKER_DIALECT: '' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/sync: the server speaks the 2019 dialect \(clients\/filterable_fields refused \(40[04]\)/);
    expect(await dialectIn(db)).toBe('2019');
    const mark = (await requestLog(s)).length;
    const second = await runCaseworker(['sync', '--db', db, ...connection(s), '--json'], { CASEWORKER_DIALECT: '' });
    expect(second.code, second.stderr).toBe(0);
    expect((await requestLog(s)).slice(mark).filter((e) => /filterable_fields|metrics/.test(e.path))).toEqual([]);
  });

  it('an explicit --dialect is used without detecting, and saved when the replica has none', async () => {
    const s = await sim({ clients: 20, dialect: '2025' });
    const db = path.join(dir, 'explicit.db');
    const run = await runCaseworker(['sync', '--db', db, ...connection(s), '--me', String(s.users[0]!.id), '--dialect', '2025', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/speaks the/);
    expect(await dialectIn(db)).toBe('2025');
  });
});
