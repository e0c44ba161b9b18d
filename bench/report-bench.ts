// Report engine figures: a dimension × metric report over 1,000,000 done contacts in an encrypted
// replica (target ≤ 150 ms), and the same counts through a naive JavaScript aggregation (read the
// rows, group them in a Map) as the ratio. Two replicas: 40 users, and 4,000 users as in a whole
// organisation's replica (~90,000 month × user rows, where a report that reads the table once per
// group took 1.3 s). Each is written once with the bulk writer from generated rows and kept under
// bench-data/ for later runs; nothing goes over HTTP here.
// Standalone: `npx tsx bench/report-bench.ts [--contacts N]`.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BulkTransaction } from '../main/db/bulk-transaction.js';
import { openReplicaWithKey, type Replica } from '../main/db/open.js';
import { upsertRecords, type ApiRecord } from '../main/db/records.js';
import { runReport } from '../main/reports/engine.js';
import { percentile, type BenchRow } from './bench-row.js';

export interface ReportBenchOptions {
  /** Done contacts in the replica (default 1,000,000). */
  contacts?: number;
  /** Timed runs per figure, after one warm-up (default 7). */
  runs?: number;
  /** Where the replica is kept between runs (default bench-data/). */
  dataDir?: string;
  log?: (message: string) => void;
}

const KEY = 'ab'.repeat(32);
const PROJECTS = 12;
const CONTACT_TYPES = 8;
const USERS = 40;
/** Users in a whole organisation's replica (the simulator's 100,000-client organisation has ~3,400). */
const ORGANISATION_USERS = 4_000;
const BATCH = 1_000;
/** The reports timed: a dimension × metric over every done contact, and the same with sums. */
export const BENCH_REPORT = 'done_contacts/dimension/project/metric/contact_type';
/** A time × field report, read in order from migration 0011's month index. */
const BENCH_MONTHLY = 'done_contacts/dimension/month/metric/user';
/** The same without the user: read in the same order, never sorted. */
const BENCH_MONTH = 'done_contacts/dimension/month';
/** One worker's days (migration 0011's index, by skip-scan over the months). */
const BENCH_DAY_FOR_USER = 'done_contacts/dimension/day/user/7';
/** Migration 0005's covering index for reports by project and contact type. */
const REPORT_INDEX = 'contacts_state_project_type';
/** Migration 0011's covering index for reports by month (× user), and one user's contacts by date. */
const MONTH_INDEX = 'contacts_state_month_user_start';
/** What one user's contacts by date ("my next actions") would need without month reports: migration 0010's index. */
const USER_INDEX_SQL = 'CREATE INDEX contacts_state_user_start ON contacts (state, user, start_date)';
/** Migration 0010's month index, beside USER_INDEX_SQL: the pair 0011 replaced (for the ingest comparison). */
const MONTH_INDEX_0010_SQL = 'CREATE INDEX contacts_state_month_user ON contacts (state, substr(start_date, 1, 7), user)';

/** A done contact as the server sends it; deterministic in `i` (and the number of users). */
function contact(i: number, users = USERS): ApiRecord {
  const day = i % 730;
  const date = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  const hour = String(8 + (i % 10)).padStart(2, '0');
  const travels = i % 5 < 2;
  return {
    id: i,
    referral: (i % 300_000) + 1,
    client: (i % 100_000) + 1,
    user: ((i * 7) % users) + 1,
    project: ((i * 13) % PROJECTS) + 101,
    start_date: `${date} ${hour}:00:00`,
    end_date: `${date} ${hour}:45:00`,
    description: 'Phoned to check in; arranged a home visit next week.',
    stage: (i % 6) + 1,
    due_stage: null,
    contact_type: ((i * 3) % CONTACT_TYPES) + 1,
    contact_method: (i % 4) + 1,
    travel_time: travels ? 10 + (i % 50) : null,
    travel_mileage: travels ? Math.round((i % 97) * 1.3) / 10 : null,
    transport_method: travels ? (i % 3) + 1 : null,
    priority: i % 4 === 0 ? null : (i % 3) + 1,
    updated: `${date} ${hour}:50:00`,
  };
}

/** Opens the cached replica, writing it first when it is missing or holds a different number of contacts. */
export function benchReplica(file: string, contacts: number, log: (message: string) => void, users = USERS): Replica {
  const marker = `${file}.complete`;
  if (fs.existsSync(file) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === String(contacts)) {
    return openReplicaWithKey({ file, key: KEY });
  }
  for (const stale of [file, `${file}-wal`, `${file}-shm`, marker]) fs.rmSync(stale, { force: true });
  const replica = openReplicaWithKey({ file, key: KEY });
  const started = performance.now();
  const bulk = new BulkTransaction(replica, 50_000);
  for (let from = 1; from <= contacts; from += BATCH) {
    const batch: ApiRecord[] = [];
    for (let i = from; i < Math.min(from + BATCH, contacts + 1); i++) batch.push(contact(i, users));
    bulk.run(batch.length, () => upsertRecords(replica, 'done_contacts', batch));
  }
  bulk.commit();
  replica.sqlite.exec('ANALYZE');
  replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  fs.writeFileSync(marker, String(contacts));
  log(`report bench: wrote ${contacts.toLocaleString('en-GB')} done contacts of ${users.toLocaleString('en-GB')} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return replica;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of `fn`, sorted by wall time. CPU time says what the work costs when other processes share the cores. */
function timeRuns(runs: number, fn: () => void): Timing[] {
  fn(); // warm-up: statement preparation, page cache
  const times: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    fn();
    const used = process.cpuUsage(cpu);
    times.push({ wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
  }
  return times;
}

const median = (times: Timing[], key: keyof Timing) =>
  percentile(
    times.map((t) => t[key]).sort((a, b) => a - b),
    50,
  );

/** CPU ms to bulk-write `count` done contacts into a fresh replica, row by row, without the indexes named and with those created. */
function ingestCpuMs(dir: string, count: number, without: readonly string[], create: readonly string[] = []): number {
  const file = path.join(dir, `report-ingest.db`);
  const files = [file, `${file}-wal`, `${file}-shm`];
  for (const f of files) fs.rmSync(f, { force: true });
  const replica = openReplicaWithKey({ file, key: KEY });
  try {
    for (const index of without) replica.sqlite.exec(`DROP INDEX ${index}`);
    for (const statement of create) replica.sqlite.exec(statement);
    const cpu = process.cpuUsage();
    const bulk = new BulkTransaction(replica, 25_000);
    for (let from = 1; from <= count; from += BATCH) {
      const batch: ApiRecord[] = [];
      for (let i = from; i < Math.min(from + BATCH, count + 1); i++) batch.push(contact(i));
      bulk.run(batch.length, () => upsertRecords(replica, 'done_contacts', batch));
    }
    bulk.commit();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  } finally {
    replica.close();
    for (const f of files) fs.rmSync(f, { force: true });
  }
}

/** The baseline of a month × user report: every done contact's date and user read into JavaScript, counted in a Map, in the report's order. */
function naiveMonthUserCounts(replica: Replica): Array<[string, number]> {
  const counts = new Map<string, number>();
  const rows = replica.sqlite.prepare(`SELECT start_date, user FROM contacts WHERE state = 'done'`).raw(true).iterate() as Iterable<[string | null, number | null]>;
  for (const [start, user] of rows) {
    const key = `${start === null ? '' : start.slice(0, 7)}|${user ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const order = (key: string): [string, number] => [key.slice(0, key.indexOf('|')), Number(key.slice(key.indexOf('|') + 1))];
  return [...counts].sort((a, b) => {
    const [monthA, userA] = order(a[0]);
    const [monthB, userB] = order(b[0]);
    return monthA < monthB ? -1 : monthA > monthB ? 1 : userA - userB;
  });
}

/** The baseline: every done contact read into JavaScript and counted in a Map by project and contact type. */
function naiveCounts(replica: Replica): Map<string, number> {
  const counts = new Map<string, number>();
  const rows = replica.sqlite.prepare(`SELECT project, contact_type FROM contacts WHERE state = 'done'`).raw(true).iterate() as Iterable<[number | null, number | null]>;
  for (const [project, type] of rows) {
    const key = `${project}|${type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export async function benchReports(opts: ReportBenchOptions = {}): Promise<BenchRow[]> {
  const contacts = opts.contacts ?? 1_000_000;
  const runs = opts.runs ?? 7;
  // The JavaScript baselines take a second or more a run: fewer runs, still a median.
  const baselineRuns = Math.min(runs, 3);
  const log = opts.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const dir = opts.dataDir ?? path.join(process.cwd(), 'bench-data');
  fs.mkdirSync(dir, { recursive: true });
  const replica = benchReplica(path.join(dir, `report-replica-${contacts}.db`), contacts, log);
  const organisation = benchReplica(path.join(dir, `report-replica-${contacts}-${ORGANISATION_USERS}-users.db`), contacts, log, ORGANISATION_USERS);
  try {
    // The engine and the baseline must agree before either is timed.
    const table = runReport(replica, BENCH_REPORT);
    const naive = naiveCounts(replica);
    const engineTotal = table.rows.reduce((n, row) => n + Number(row.count), 0);
    if (engineTotal !== contacts || naive.size !== table.rows.length) {
      throw new Error(`report bench: the engine counted ${engineTotal} in ${table.rows.length} rows, the baseline ${naive.size} rows of ${contacts}`);
    }
    for (const r of [replica, organisation]) {
      const rows = runReport(r, BENCH_MONTHLY).rows.map((row) => `${String(row.month ?? '')}|${String(row.user ?? '')}=${String(row.count)}`);
      const counted = naiveMonthUserCounts(r).map(([key, n]) => `${key}=${n}`);
      if (rows.join('\n') !== counted.join('\n')) throw new Error(`report bench: month × user rows (${rows.length}) differ from the baseline's (${counted.length})`);
    }

    const engine = timeRuns(runs, () => runReport(replica, BENCH_REPORT));
    const baseline = timeRuns(runs, () => naiveCounts(replica));
    const sums = timeRuns(runs, () => runReport(replica, BENCH_REPORT, { sums: true }));
    const monthly = timeRuns(runs, () => runReport(replica, BENCH_MONTHLY));
    const monthlyBaseline = timeRuns(baselineRuns, () => naiveMonthUserCounts(replica));
    const month = timeRuns(runs, () => runReport(replica, BENCH_MONTH));
    const dayForUser = timeRuns(runs, () => runReport(replica, BENCH_DAY_FOR_USER));
    const organisationRows = runReport(organisation, BENCH_MONTHLY).rows.length;
    const organisationMonthly = timeRuns(runs, () => runReport(organisation, BENCH_MONTHLY));
    const organisationBaseline = timeRuns(baselineRuns, () => naiveMonthUserCounts(organisation));
    const size = `${(contacts / 1e6).toLocaleString('en-GB')}M done contacts`;
    const cpu = (times: Timing[]) => `CPU ${median(times, 'cpuMs').toFixed(0)} ms`;
    const naiveNote = (times: Timing[]) => `ratio = naive JS Map aggregation of every date and user (${median(times, 'wallMs').toFixed(0)} ms, median of ${baselineRuns}) / engine`;

    const ingestRows = Math.min(100_000, contacts);
    // Without month reports, one user's contacts by date would still need (state, user, start_date).
    const plain = ingestCpuMs(dir, ingestRows, [REPORT_INDEX, MONTH_INDEX], [USER_INDEX_SQL]);
    const withoutMonth = ingestCpuMs(dir, ingestRows, [MONTH_INDEX], [USER_INDEX_SQL]);
    const indexed = ingestCpuMs(dir, ingestRows, []);
    const pair0010 = ingestCpuMs(dir, ingestRows, [MONTH_INDEX], [USER_INDEX_SQL, MONTH_INDEX_0010_SQL]);
    return [
      {
        name: `report: project × contact type over ${size}`,
        value: median(engine, 'wallMs'),
        unit: 'ms',
        target: '≤ 150 ms',
        ratio: median(baseline, 'wallMs') / median(engine, 'wallMs'),
        note: `median of ${runs}, ${cpu(engine)}; ratio = naive JS Map aggregation (${median(baseline, 'wallMs').toFixed(0)} ms) / engine; covering index ${REPORT_INDEX}`,
      },
      { name: 'report: the same with travel time and mileage sums', value: median(sums, 'wallMs'), unit: 'ms', target: '≤ 150 ms', note: `median of ${runs}, ${cpu(sums)}` },
      {
        name: `report: month × user over ${size} (${USERS} users)`,
        value: median(monthly, 'wallMs'),
        unit: 'ms',
        target: '≤ 150 ms',
        ratio: median(monthlyBaseline, 'wallMs') / median(monthly, 'wallMs'),
        note: `median of ${runs}, ${cpu(monthly)}; ${naiveNote(monthlyBaseline)}; read in order from the covering ${MONTH_INDEX}`,
      },
      {
        name: `report: month × user over ${size}, ${ORGANISATION_USERS.toLocaleString('en-GB')} users (a whole organisation)`,
        value: median(organisationMonthly, 'wallMs'),
        unit: 'ms',
        target: '≤ 150 ms',
        ratio: median(organisationBaseline, 'wallMs') / median(organisationMonthly, 'wallMs'),
        note: `median of ${runs}, ${cpu(organisationMonthly)}; ${organisationRows.toLocaleString('en-GB')} rows; ${naiveNote(organisationBaseline)}`,
      },
      {
        name: `report: month over ${size}`,
        value: median(month, 'wallMs'),
        unit: 'ms',
        target: '≤ 150 ms',
        note: `median of ${runs}, ${cpu(month)}; ${BENCH_MONTH}, the same index in the same order (no sort)`,
      },
      {
        name: `report: day for one user over ${size}`,
        value: median(dayForUser, 'wallMs'),
        unit: 'ms',
        target: '≤ 150 ms',
        note: `median of ${runs}, ${cpu(dayForUser)}; ${BENCH_DAY_FOR_USER}, skip-scan of ${MONTH_INDEX} over the months`,
      },
      {
        name: `ingest: ${ingestRows.toLocaleString('en-GB')} done contacts row by row with ${REPORT_INDEX}`,
        value: withoutMonth,
        unit: 'ms CPU',
        ratio: withoutMonth / plain,
        note: `ratio = CPU with the index / without (${plain.toFixed(0)} ms); both with (state, user, start_date) for one user's contacts`,
      },
      {
        name: `ingest: the same with ${MONTH_INDEX} instead of (state, user, start_date)`,
        value: indexed,
        unit: 'ms CPU',
        ratio: indexed / withoutMonth,
        target: 'ratio ≤ 1.10',
        note: `ratio = CPU with the month index / with the (state, user, start_date) it replaces: what month reports cost, row by row (an incremental sync); migration 0010's pair of indexes instead: ${pair0010.toFixed(0)} ms (${(pair0010 / withoutMonth).toFixed(2)}); an initial fill builds every index once after (bench sync rows)`,
      },
    ];
  } finally {
    replica.close();
    organisation.close();
  }
}

// pathToFileURL: `file://${argv[1]}` never matches on Windows (backslashes, a drive letter).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const flag = process.argv.indexOf('--contacts');
  const contacts = flag >= 0 ? Number(process.argv[flag + 1]) : undefined;
  const rows = await benchReports(contacts === undefined ? {} : { contacts });
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
}
