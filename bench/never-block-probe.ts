// The person at the window, in a process of its own (neither the host's nor the simulator's event
// loop delays its clock): `node --import tsx bench/never-block-probe.ts '<json>'` connects the host
// to the simulator with a whole-organisation scope, waits for the first background sync, polls
// `sync:status` and `caseload:list` every 50 ms and queues an edit every 250 ms — first with no sync
// running, then during `sync:run {full: true}` — and prints one JSON line of the round trips.

import { Agent, fetch } from 'undici';

export interface ProbeJob {
  url: string;
  sim: { url: string; source: string; org: string; user: string };
  me: { user: number; worker: number | null };
  idleSeconds: number;
}

export interface ProbeSeries {
  status: number[];
  caseload: number[];
  enqueue: number[];
  /** Each timed edit's new mobile number, in the order of `enqueue`: the host times the same edits on its side. */
  enqueueKeys: string[];
}

export interface ProbeResult {
  idle: ProbeSeries;
  sync: ProbeSeries;
  firstSyncSeconds: number;
  fullSyncSeconds: number;
  records: number;
}

const WHOLE_ORGANISATION = ['clients', 'referrals', 'due_contacts', 'done_contacts', 'schedules', 'workers'];

async function main(job: ProbeJob): Promise<ProbeResult> {
  const url = new URL(job.url);
  const token = url.searchParams.get('token')!;
  const origin = url.origin;

  // No header timeout: sync:run answers when the whole sync is over (minutes on a loaded machine).
  const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 8 });
  async function call<T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> {
    const response = await fetch(`${origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
      dispatcher: agent,
    });
    const envelope = (await response.json()) as { ok: boolean; data?: T; error?: { code: string; message: string } };
    if (!envelope.ok) throw new Error(`${channel}: ${envelope.error!.code} ${envelope.error!.message}`);
    return envelope.data as T;
  }

  await call('settings:set-connection', { connection: { baseUrl: job.sim.url, source: job.sim.source, org: job.sim.org, user: job.sim.user, dialect: '2019' } });
  await call('settings:set-me', job.me);
  await call('settings:set-scope', { scope: WHOLE_ORGANISATION });
  const firstStarted = performance.now();
  // The first background sync (poked by the settings) must settle before anything is measured.
  for (;;) {
    const status = await call<{ lastSyncedAt: string | null; downloading: boolean; uploading: boolean }>('sync:status', {});
    if (status.lastSyncedAt !== null && !status.downloading && !status.uploading) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // A run that started before the scope was saved may have settled it: one more sync brings the whole organisation.
  await call('sync:run', {});
  const firstSyncSeconds = (performance.now() - firstStarted) / 1000;
  const clients = (await call<{ rows: Array<{ client: { id: number } }> }>('caseload:list', { offset: 0, limit: 200 })).rows.map((r) => r.client.id);

  let edits = 0;
  async function measure(until: Promise<unknown>): Promise<ProbeSeries> {
    const series: ProbeSeries = { status: [], caseload: [], enqueue: [], enqueueKeys: [] };
    let done = false;
    void until.finally(() => {
      done = true;
    });
    const timed = async (into: number[], channel: string, input: () => unknown, key?: (sent: unknown) => string) => {
      const sent = input();
      const started = performance.now();
      await call(channel, sent);
      if (done) return;
      into.push(performance.now() - started);
      if (key) series.enqueueKeys.push(key(sent));
    };
    // Each series on its own clock: a slow answer delays only its own next call (as a screen would).
    const loop = async (everyMs: number, run: () => Promise<void>) => {
      while (!done) {
        const started = performance.now();
        await run();
        const wait = everyMs - (performance.now() - started);
        if (wait > 0 && !done) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    await Promise.all([
      loop(50, () => timed(series.status, 'sync:status', () => ({}))),
      loop(50, () => timed(series.caseload, 'caseload:list', () => ({ offset: 0, limit: 200 }))),
      loop(250, () =>
        timed(
          series.enqueue,
          'clients:update',
          () => ({ id: clients[edits++ % clients.length]!, fields: { mobile: `07700 9${String(edits).padStart(5, '0')}` } }),
          (sent) => (sent as { fields: { mobile: string } }).fields.mobile,
        ),
      ),
      until,
    ]);
    return series;
  }

  const idle = await measure(new Promise((resolve) => setTimeout(resolve, job.idleSeconds * 1000)));
  const syncStarted = performance.now();
  let received = 0;
  const sync = await measure(
    call<{ received: number }>('sync:run', { full: true }).then((summary) => {
      received = summary.received;
    }),
  );
  return { idle, sync, firstSyncSeconds, fullSyncSeconds: (performance.now() - syncStarted) / 1000, records: received };
}

process.stdout.write(JSON.stringify(await main(JSON.parse(process.argv[2]!) as ProbeJob)) + '\n');
