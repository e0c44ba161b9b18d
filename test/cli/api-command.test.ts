// `caseworker api` as an administrator uses it: a real process against a running simulator, the
// reply as one JSON line on stdout, one clear line on stderr when something is wrong.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient, type DizionsClient } from '../../main/api/client.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';

let sim: RunningSimulator;
let client: DizionsClient;
let env: Record<string, string>;
let scratch: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the simulator answers from this very process.
function caseworker(args: string[], extraEnv: Record<string, string> = env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/caseworker.mjs', ...args], { env: { PATH: process.env.PATH ?? '', ...extraEnv }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 2 });
  const me = sim.users[0]!;
  env = { CASEWORKER_SERVER: sim.url, CASEWORKER_SOURCE: me.source, CASEWORKER_ORG: me.org, CASEWORKER_USER: me.user };
  client = createDizionsClient({ baseUrl: sim.url, source: me.source, org: me.org, user: me.user });
  scratch = mkdtempSync(join(tmpdir(), 'caseworker-cli-api-'));
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(scratch, { recursive: true, force: true });
});

// Concurrent: each case is a separate process, and a process start dominates the time.
describe.concurrent('caseworker api', () => {
  it('prints the reply to a GET as one JSON line, and creates with PUT fields', async () => {
    const [first] = await client.getRecords('clients', {}, { fields: ['id'] });
    const [get, put] = await Promise.all([caseworker(['api', 'GET', `clients/id/${first!.id}`]), caseworker(['api', 'PUT', 'clients', 'first_name=Ada', 'surname=Lovelace-Byron'])]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.split('\n')).toEqual([expect.any(String), '']);
    expect(JSON.parse(get.stdout)).toEqual([expect.objectContaining({ id: first!.id })]);
    expect(put.code, put.stderr).toBe(0);
    const { id } = JSON.parse(put.stdout) as { id: number };
    expect(await client.getById('clients', id)).toMatchObject({ first_name: 'Ada', surname: 'Lovelace-Byron' });
  });

  it('uploads --file parts with the visibility fields', async () => {
    const [first] = await client.getRecords('clients', {}, { fields: ['id'] });
    const file = join(scratch, 'consent form.txt');
    writeFileSync(file, 'signed');
    const run = await caseworker(['api', 'POST', `clients/id/${first!.id}/uploads`, 'user_visibility=1', 'group_visibility=2', '--file', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const upload = sim.store.uploads().find((u) => u.filename === 'consent form.txt');
    expect(upload).toMatchObject({ group: 'clients', record: first!.id, bytes: 6, user_visibility: [1], group_visibility: [2] });
  });

  it('bad arguments print the usage and exit 2, before any request', async () => {
    const runs = await Promise.all([
      caseworker(['api', 'GET']),
      caseworker(['api', 'PUT', 'clients', 'surname']),
      caseworker(['api', 'GET', 'clients'], { CASEWORKER_SERVER: sim.url }),
      caseworker(['api', 'GET', 'clients/a/1/b/2/c/3/d/4/e/5/f/6/g/7/h/8/i/9/j/10/k/11']),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('usage: caseworker api');
    }
    expect(runs[1]!.stderr).toContain('"surname" is not field=value');
    expect(runs[2]!.stderr).toContain('--source (or CASEWORKER_SOURCE)');
    expect(runs[3]!.stderr).toContain('refused before sending: at most 10 filter pairs');
    expect(sim.requestLog.filter((e) => e.path.startsWith('clients/a/1') || (e.path === 'clients' && e.method === 'GET'))).toEqual([]);
  });

  it('refused keys and rejected requests exit 1 with one clear line', async () => {
    const [refused, rejected] = await Promise.all([caseworker(['api', 'GET', 'clients/id/1'], { ...env, CASEWORKER_USER: 'not-a-key' }), caseworker(['api', 'PUT', 'clients', 'first_name=Ada'])]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('the server refused the keys (401)');
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.trim().split('\n')).toHaveLength(1);
    expect(rejected.stderr).toMatch(/PUT clients: the server rejected the request \(400\): .*surname/);
  });
});
