// One row of `npm run bench`: a figure, its unit, the target it is held to, and — where the issue
// asks for one — its ratio against a raw baseline measured in the same run.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ratio?: number;
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** A latency series' percentiles, maximum and count. */
export interface Figures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
}

export function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, n: sorted.length };
}
