// Runs one measured job in its own process, so the simulator (in the bench process) and the job
// do not share an event loop, and the job's peak RSS is its own: `node --import tsx
// bench/sync-child.ts '<json>'` prints one JSON line with the result, peak RSS and the longest
// event-loop block seen. Jobs: `sync` (runSync, the real thing), `raw` (chunked) and `oneshot`
// (bench/raw-baseline.ts).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDizionsClient } from '../main/api/client.js';
import { openReplicaWithKey } from '../main/db/open.js';
import { runSync } from '../main/sync/run-sync.js';
import type { RecordGroup } from '../shared/dizions/model.js';
import { oneShotBaseline, rawBaseline, type OneShotIngredients } from './raw-baseline.js';

export interface ChildJob {
  kind: 'sync' | 'raw' | 'oneshot' | 'noop';
  /** oneshot only: what of the replica the one-shot path adds (none: `(id, json)` into a plain file). */
  ingredients?: OneShotIngredients;
  url: string;
  keys: { source: string; org: string; user: string };
  me: number;
  dbFile: string;
  dbKey: string;
  /** Explicit scopes: group → path. */
  scopes: Array<{ group: RecordGroup; path: string }>;
}

export interface ChildResult {
  seconds: number;
  records: number;
  bytes: number;
  requests: number;
  maxRssBytes: number;
  /** CPU time of the whole child (user + system, all threads): steadier than wall time on a busy machine. */
  cpuSeconds: number;
  maxLoopBlockMs: number;
  p99LoopBlockMs: number;
  summary?: unknown;
  /** Sync only: milliseconds spent per phase (and group). */
  phases?: Record<string, number>;
}

async function main(job: ChildJob): Promise<ChildResult> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let result: Omit<ChildResult, 'cpuSeconds' | 'maxRssBytes' | 'maxLoopBlockMs' | 'p99LoopBlockMs'>;
  if (job.kind === 'noop') {
    // The child's own start (tsx, imports): what every other job's CPU time includes.
    result = { seconds: 0, records: 0, bytes: 0, requests: 0 };
  } else if (job.kind === 'oneshot') {
    result = await oneShotBaseline({ url: job.url, keys: job.keys, dbFile: job.dbFile, dbKey: job.dbKey, groups: job.scopes, ingredients: job.ingredients ?? {} });
  } else if (job.kind === 'raw') {
    result = await rawBaseline({ url: job.url, keys: job.keys, dbFile: job.dbFile, dbKey: job.dbKey, groups: job.scopes });
  } else {
    const client = createDizionsClient({ baseUrl: job.url, ...job.keys, timeoutMs: 600_000 });
    const replica = openReplicaWithKey({ file: job.dbFile, key: job.dbKey });
    try {
      const phases: Record<string, number> = {};
      let current = 'start';
      let since = performance.now();
      const summary = await runSync({
        replica,
        client,
        me: job.me,
        scopes: job.scopes,
        onProgress: (event) => {
          const key = `${event.phase}${event.group ? ` ${event.group}` : ''}`;
          if (key === current) return;
          const now = performance.now();
          phases[current] = Math.round((phases[current] ?? 0) + now - since);
          current = key;
          since = now;
        },
      });
      phases[current] = Math.round((phases[current] ?? 0) + performance.now() - since);
      const records = Object.values(summary.groups).reduce((n, g) => n + g.fetched, 0);
      result = { seconds: summary.seconds, records, bytes: summary.bytes_received, requests: summary.requests, summary, phases };
    } finally {
      replica.close();
      await client.close();
    }
  }
  delay.disable();
  const usage = process.resourceUsage();
  return {
    ...result,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRssBytes: usage.maxRSS * 1024,
    maxLoopBlockMs: delay.max / 1e6,
    p99LoopBlockMs: delay.percentile(99) / 1e6,
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
main(job).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (error: unknown) => {
    process.stderr.write(`bench child (${job.kind}) failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
