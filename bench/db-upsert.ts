// Measures the replica's bulk write path (records.ts upsertRecords: prepared statements, 1000-row
// batches inside a BulkTransaction committed every 25k rows, WAL checkpoints in a worker thread) on
// an encrypted file: 100k clients, 300k referrals, 1M done contacts, a 1% update pass, the same
// contacts committed per batch for comparison, then search and offline-query timings at that size.
// A script, not a test: `npx tsx bench/db-upsert.ts [--clients N]` (BATCH, COMMIT_EVERY, CHECKPOINTS=off).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openReplicaWithKey } from '../main/db/open.js';
import { answerPath } from '../main/db/answer-path.js';
import { BulkTransaction } from '../main/db/bulk-transaction.js';
import { startBackgroundCheckpoints } from '../main/db/checkpoints.js';
import { upsertRecords, type ApiRecord } from '../main/db/records.js';
import { searchClients } from '../main/db/search.js';

const flag = process.argv.indexOf('--clients');
const scale = (flag >= 0 ? Number(process.argv[flag + 1]) : 100_000) / 100_000;
if (!(scale > 0)) throw new Error('--clients takes a positive number');
const CLIENTS = Math.round(100_000 * scale);
const REFERRALS = Math.round(300_000 * scale);
const CONTACTS = Math.round(1_000_000 * scale);
const BATCH = Number(process.env.BATCH ?? 1_000);
const COMMIT_EVERY = Number(process.env.COMMIT_EVERY ?? 25_000);

const SURNAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Khan', 'Evans', 'Thomas'];
const FIRST = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Ivy', 'Leo', 'Freya', 'Harry'];
const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!;
const stamp = (i: number) => `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:15:00`;

function client(i: number): ApiRecord {
  return {
    id: i,
    first_name: pick(FIRST, i * 7),
    surname: `${pick(SURNAMES, i)}${i % 1000}`,
    dob: '1975-03-02',
    gender: (i % 3) + 1,
    ethnicity: (i % 9) + 1,
    religion: (i % 7) + 1,
    sexual_orientation: 1,
    marital_status: 2,
    main_language: 1,
    main_disability: (i % 11) + 1,
    registered_disabled: i % 5 ? 'N' : 'Y',
    blue_badge_holder: 'N',
    accommodation: 2,
    employment_status: 3,
    people_in_household: 2,
    address1: `${i} High Street`,
    address2: null,
    town: 'Leeds',
    county: 4,
    district: (i % 20) + 1,
    postcode: `LS${i % 30} ${i % 9}AB`,
    telephone: '0113 496 0000',
    mobile: '07700 900000',
    email: `c${i}@example.org`,
    nhs_number: `${943_000_0000 + i}`,
    social_services_number: null,
    external_id: `EXT-${i}`,
    gp_name: 'Dr Who',
    gp_surgery: 3,
    school: null,
    consent: 'Y',
    preferred_communication_method: 1,
    usual_support_worker: (i % 40) + 1,
    active: 'Y',
    deceased: 'N',
    age_range: 4,
    type: 1,
    updated: stamp(i),
    website_photo_consent: 109,
  };
}
function referral(i: number): ApiRecord {
  return {
    id: i,
    client: (i % CLIENTS) + 1,
    client_type: 1,
    date: stamp(i).slice(0, 10),
    project: (i % 12) + 1,
    template: 1,
    stage: (i % 4) + 1,
    description: `Support with ${pick(['housing', 'benefits', 'debt', 'isolation', 'mobility'], i)} needs`,
    project_category: 2,
    contact_method: 1,
    funding_sponsor: 1,
    contact_type: 2,
    referrer: 3,
    introduction_source: 1,
    additional_org_person: null,
    priority: 2,
    response_method: 1,
    referral_complete: 'N',
    updated: stamp(i),
  };
}
function contact(i: number): ApiRecord {
  return {
    id: i,
    referral: (i % REFERRALS) + 1,
    client: (i % CLIENTS) + 1,
    user: (i % 40) + 1,
    project: (i % 12) + 1,
    start_date: stamp(i),
    end_date: stamp(i + 1),
    description: 'Phoned to check in; arranged a home visit next week.',
    stage: 2,
    due_stage: null,
    contact_type: 1,
    contact_method: 2,
    travel_time: 15,
    travel_mileage: 3.5,
    transport_method: 1,
    priority: 2,
    updated: stamp(i),
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-bench-db-'));
const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: 'be'.repeat(32) });
const checkpoints = process.env.CHECKPOINTS === 'off' ? undefined : startBackgroundCheckpoints(replica);

/** Sync's pattern: small batches (each well under 50 ms), committed every `commitEvery` rows. */
function measure(label: string, group: 'clients' | 'referrals' | 'due_contacts' | 'done_contacts', count: number, make: (i: number) => ApiRecord, start = 1, commitEvery = COMMIT_EVERY): void {
  let slowestBatchMs = 0;
  const batchMs: number[] = [];
  const bulk = new BulkTransaction(replica, commitEvery);
  const began = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  for (let first = start; first < start + count; first += BATCH) {
    const batch: ApiRecord[] = [];
    for (let i = first; i < Math.min(first + BATCH, start + count); i++) batch.push(make(i));
    const t = process.hrtime.bigint();
    bulk.run(batch.length, () => upsertRecords(replica, group, batch));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    batchMs.push(ms);
    slowestBatchMs = Math.max(slowestBatchMs, ms);
  }
  bulk.commit();
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // CPU-time rate as well as wall time: on a shared 2-core machine the wall figure moves with load.
  console.log(
    `${label.padEnd(34)} ${String(count).padStart(9)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(count / seconds)
      .toLocaleString('en-GB')
      .padStart(9)} rows/s wall  ${Math.round(count / cpuSeconds)
      .toLocaleString('en-GB')
      .padStart(9)} rows/s cpu  ${BATCH}-row batch p99 ${percentile(batchMs, 0.99).toFixed(0)} ms, max ${slowestBatchMs.toFixed(0)} ms`,
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function timeQuery(path: string): void {
  const t = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const result = answerPath(replica, path) as unknown[];
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(`query ${path.padEnd(72)} ${String(result.length).padStart(7)} rows ${ms.toFixed(0).padStart(6)} ms wall ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(6)} ms cpu`);
}

try {
  measure('clients (insert)', 'clients', CLIENTS, client);
  measure('referrals (insert, FTS triggers)', 'referrals', REFERRALS, referral);
  measure('done contacts (insert)', 'done_contacts', CONTACTS, contact);
  measure('clients 1% (update)', 'clients', Math.round(CLIENTS / 100), (i) => ({ ...client(i), mobile: '07700 900001' }), 1);
  measure('done contacts 1% (update)', 'done_contacts', Math.round(CONTACTS / 100), (i) => ({ ...contact(i), description: 'Edited' }), 1);
  measure('due contacts, commit every batch', 'due_contacts', Math.round(CONTACTS / 10), (i) => contact(i), CONTACTS + 1, 1);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (const q of ['smi', 'amelia jon', 'ls1', 'housing', 'EXT-4', '9430001234', 'zz', 'a']) {
    for (let k = 0; k < 20; k++) {
      const t = process.hrtime.bigint();
      const cpuBefore = process.cpuUsage();
      searchClients(replica, q, 50);
      const cpu = process.cpuUsage(cpuBefore);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
  }
  console.log(
    `client search (${times.length} queries)          wall p50 ${percentile(times, 0.5).toFixed(2)} ms  p95 ${percentile(times, 0.95).toFixed(2)} ms;  cpu p50 ${percentile(cpuTimes, 0.5).toFixed(2)} ms  p95 ${percentile(cpuTimes, 0.95).toFixed(2)} ms`,
  );
  timeQuery('clients/usual_support_worker/7/field/id;surname');
  timeQuery('clients/website_photo_consent/109/district/3/field/id');
  timeQuery('due_contacts/user/7/date_active/2024-03-01,2024-03-31');
  timeQuery('referrals/date_active/2024-03-01,2024-03-07/project/5');
  timeQuery('done_contacts/client_district/3/user/7/field/id');
  timeQuery('done_contacts/dimension/week/date_active/2024-01-01,2024-12-31/user/7');
  timeQuery('done_contacts/dimension/project/metric/month/client_district/3');
  timeQuery('clients/dimension/district/metric/gender');
  await checkpoints?.stop();
  replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`file size ${(fs.statSync(replica.file).size / 1e6).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  replica.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
