// Issue 2's rows: how fast the simulator serves a large `clients` collection over loopback.
import { request } from 'undici';
import type { BenchRow } from './bench-row.js';
import type { BenchSimulator } from './sim-fixture.js';

export async function benchSimulatorGet(bench: BenchSimulator): Promise<BenchRow[]> {
  const { sim, everyone } = bench;
  const headers = { Source: everyone.source, Org: everyone.org, User: everyone.user };
  const started = performance.now();
  const reply = await request(`${sim.url}/clients`, { headers, headersTimeout: 600_000, bodyTimeout: 600_000 });
  const text = await reply.body.text();
  const seconds = (performance.now() - started) / 1000;
  const records = (JSON.parse(text) as unknown[]).length;
  return [
    { name: 'simulator: generate the charity (first run only; reused after)', value: round(bench.generateSeconds), unit: 's' },
    {
      name: `simulator: GET clients (${records.toLocaleString('en-GB')} records, ${(text.length / 1e6).toFixed(1)} MB)`,
      value: Math.round(records / seconds),
      unit: 'records/s',
    },
  ];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
