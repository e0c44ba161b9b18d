// `npm run bench`: starts one simulator at the requested size (generated once, kept under
// bench-data/), runs each issue's benchmark functions against it, and prints a table. Ratios are
// against raw baselines measured in the same run, never against remembered numbers.
import { parseCommandArgs, intOption, log, printJson } from './bench-args.js';
import type { BenchRow } from './bench-row.js';
import { startBenchSimulator, type BenchSimulator } from './sim-fixture.js';
import { benchSimulatorGet } from './sim-bench.js';
import { benchCaseloadOverSync, benchSyncDown } from './sync-bench.js';
import { benchOutboxEnqueue, benchOutboxReplay } from './outbox-bench.js';
import { benchReports } from './report-bench.js';
import { benchRenderer } from './renderer-bench.js';
import { benchNeverBlock } from './never-block-bench.js';

type Suite = (bench: BenchSimulator, clients: number) => Promise<BenchRow[]>;

const SUITES: Record<string, Suite> = {
  simulator: (bench) => benchSimulatorGet(bench),
  sync: (bench, clients) => benchSyncDown(bench, clients),
  // caseload:list's first page over a whole-organisation replica, in-process and through the browser host (the sync suite has these rows too).
  caseload: (bench, clients) => benchCaseloadOverSync(bench, clients),
  outbox: async () => [...(await benchOutboxEnqueue()), ...(await benchOutboxReplay())],
  // The 1M-contact replica is built directly with the bulk writer (cached under bench-data/).
  reports: () => benchReports(),
  // Its own demo charity (24,000 clients, 10,000+ caseload rows), cached under bench-data/.
  renderer: () => benchRenderer(),
  // RPC round trips through the browser host during a whole-organisation sync: worker threads against one thread.
  'never-block': (bench, clients) => benchNeverBlock(bench, clients),
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      clients: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'boolean' },
    },
    false,
  );
  const clients = intOption(values.clients, 'clients', 100_000, 10);
  const chosen = values.only ? values.only.split(',') : Object.keys(SUITES);
  for (const name of chosen) if (!SUITES[name]) throw new Error(`unknown suite "${name}" (suites: ${Object.keys(SUITES).join(', ')})`);

  log(`bench: starting the simulator with ${clients.toLocaleString('en-GB')} clients (generated once under bench-data/)…`);
  const bench = await startBenchSimulator(clients);
  const rows: BenchRow[] = [];
  try {
    for (const name of chosen) {
      log(`bench: ${name}…`);
      rows.push(...(await SUITES[name]!(bench, clients)));
    }
  } finally {
    await bench.sim.close();
  }
  if (values.json) printJson({ clients, rows });
  else process.stdout.write(formatTable(rows) + '\n');
  return 0;
}

function formatTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'value', 'unit', 'ratio', 'target', 'note'];
  const body = rows.map((r) => [r.name, formatNumber(r.value), r.unit, r.ratio === undefined ? '' : r.ratio.toFixed(2), r.target ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-GB') : n.toFixed(2);
}
