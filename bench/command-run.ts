// Runs `caseworker <args>` the way a user does — `node bin/caseworker.mjs …`, its own start, opening
// the replica and exit all counted — and returns its wall time, stdout, peak RSS and CPU time (the
// last two through the bench/child-usage.mjs preload).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/caseworker.mjs', import.meta.url));
const USAGE_PRELOAD = fileURLToPath(new URL('./child-usage.mjs', import.meta.url));

export interface CommandRun {
  wallSeconds: number;
  stdout: string;
  maxRssBytes: number;
  cpuSeconds: number;
}

export function runCommand(args: string[], env: Record<string, string> = {}): Promise<CommandRun> {
  const usageFile = path.join(os.tmpdir(), `caseworker-bench-usage-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', USAGE_PRELOAD, BIN, ...args], {
    env: { ...process.env, ...env, CASEWORKER_BENCH_USAGE: usageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      let usage = { maxRssBytes: NaN, cpuSeconds: NaN };
      try {
        usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as typeof usage;
        fs.rmSync(usageFile, { force: true });
      } catch {
        // reported as NaN
      }
      if (code !== 0) reject(new Error(`caseworker ${args[0]} exited ${code}: ${stderr.trim().slice(-2000)}`));
      else resolve({ wallSeconds, stdout, ...usage });
    });
  });
}
