// `node build/with-env.mjs NAME=value … -- command args…`: runs a command with extra environment
// variables on every platform (`NAME=value command` is POSIX shell syntax: cmd.exe and PowerShell
// refuse it). npm scripts use it instead of the inline form.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const split = args.indexOf('--');
const assignments = split === -1 ? args.filter((a) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) : args.slice(0, split);
const command = split === -1 ? args.slice(assignments.length) : args.slice(split + 1);
if (command.length === 0) {
  console.error('usage: node build/with-env.mjs NAME=value … -- command [args…]');
  process.exit(2);
}
const env = { ...process.env };
for (const assignment of assignments) {
  const eq = assignment.indexOf('=');
  env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
}
// npx/vitest are .cmd shims on Windows: only a shell finds them there.
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
