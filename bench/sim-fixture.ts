// The benchmarks' simulator: generated once per (clients, seed) under bench-data/ and reused by
// later runs, with one demo user granted every project so that a single login sees the whole
// charity (the bench measures throughput over everything, not one worker's caseload).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../main/sim/server.js';
import type { DemoUserLine } from '../main/sim/types.js';

export interface BenchSimulator {
  sim: RunningSimulator;
  /** A login that sees every project's referrals and contacts. */
  everyone: DemoUserLine;
  generateSeconds: number;
}

export async function startBenchSimulator(clients: number, options: { latencyMs?: number; seed?: number } = {}): Promise<BenchSimulator> {
  const seed = options.seed ?? 1;
  const dataDir = join(process.cwd(), 'bench-data', `sim-${clients}-seed${seed}`);
  mkdirSync(dataDir, { recursive: true });
  const started = performance.now();
  const sim = await startSimulator({ clients, seed, dataDir, latencyMs: options.latencyMs ?? 0 });
  const generateSeconds = (performance.now() - started) / 1000;
  const everyone = sim.users[0]!;
  sim.store.joinEveryProject(everyone.id);
  return { sim, everyone, generateSeconds };
}
