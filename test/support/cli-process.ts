// Runs `caseworker …` as a real child process with the test replica key, collecting its output.
// Asynchronous on purpose: the simulator a test talks to answers from the test's own process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_KEY } from './db-fixtures.js';

export const CLI = fileURLToPath(new URL('../../bin/caseworker.mjs', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCaseworker(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, CASEWORKER_DB_KEY: TEST_KEY, CASEWORKER_ME: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
