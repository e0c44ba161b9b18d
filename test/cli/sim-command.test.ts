// `caseworker sim` as a script or a trainer runs it: one JSON line on stdout once it listens,
// usable keys, a clean exit on SIGTERM, and usage with exit 2 for a bad flag.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function caseworker(args: string[]) {
  const child = spawn(process.execPath, ['bin/caseworker.mjs', ...args], { cwd: ROOT, env: { ...process.env, CASEWORKER_DEBUG: '' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('caseworker sim', () => {
  it('prints one start line with usable keys, logs requests to stderr, and exits 0 on SIGTERM', async () => {
    const run = caseworker(['sim', '--port', '0', '--clients', '50']);
    const lines = createInterface({ input: run.child.stdout });
    const [first] = (await Promise.race([
      once(lines, 'line'),
      run.exit.then((code) => {
        throw new Error(`sim exited ${code} before listening: ${run.stderr()}`);
      }),
    ])) as [string];
    const start = JSON.parse(first) as { url: string; control: string; users: Array<{ id: number; name: string; worker: number | null; source: string; org: string; user: string }> };
    expect(start.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(start.control).toBe(start.url.replace(/\/v2$/, '/_control'));
    expect(start.users.length).toBeGreaterThan(0);
    expect(Object.keys(start.users[0]!).sort()).toEqual(['id', 'name', 'org', 'source', 'user', 'worker']);

    const user = start.users[0]!;
    const reply = await request(`${start.url}/clients/field/id`, { headers: { Source: user.source, Org: user.org, User: user.user } });
    expect(reply.statusCode).toBe(200);
    expect(Array.isArray(await reply.body.json())).toBe(true);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout().trim().split('\n')).toHaveLength(1);
    expect(run.stderr()).toMatch(/GET \/v2\/clients\/field\/id 200/);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--dialect', '2020'], /--dialect must be 2019 or 2025/],
    [['--faults', '500=often'], /--faults: 500=often: a rate is a probability/],
  ])('refuses %j with usage on stderr, nothing on stdout, exit 2', async (args, message) => {
    const run = caseworker(['sim', ...args]);
    expect(await run.exit).toBe(2);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(message);
    expect(run.stderr()).toMatch(/usage: caseworker sim \[--host/);
  });
});
