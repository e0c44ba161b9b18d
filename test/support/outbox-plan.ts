// Random mixes of offline edits for the fault and crash tests — chains of new client → referral →
// due contact → completion, uploads and extension records on records created offline, updates and
// completions of synced records, external referrals — each carrying a unique marker, and the check
// that holds them against the simulator's own database: exactly once, or visibly not yet.
import type { Replica } from '../../main/db/open.js';
import { markDone, sendAgain } from '../../main/outbox/actions.js';
import { pushOutbox, type PushSummary } from '../../main/outbox/replay.js';
import { FAST, openWorld, queue as queueSaid, type World } from './outbox-support.js';
import { getEntry, listEntries, type OutboxEntry } from '../../main/outbox/entries.js';
import { queueEdit } from '../../main/outbox/queue.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import type { SimUser } from '../../main/sim/types.js';
import type { Dialect } from '../../shared/dizions/dialects.js';

export type PlannedKind = 'client' | 'referral' | 'due' | 'complete' | 'record' | 'upload' | 'extension' | 'external' | 'update';

export interface Planned {
  entry: number;
  kind: PlannedKind;
  /** Unique text that finds the record on the server (surname, description, filename, notes). */
  marker: string;
  /** For updates: the record, field and value set. */
  update?: { table: 'clients' | 'referrals'; id: number; field: string; value: string };
}

/** mulberry32: small, seeded, good enough for test mixes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlanContext {
  replica: Replica;
  me: SimUser;
  /** The dialect the edits are written in (the seed's words are said in it). */
  dialect: Dialect;
}

interface Synced {
  clients: number[];
  referrals: number[];
  due: number[];
  project: number;
  stage: number;
  orgType: number;
}

function synced(context: PlanContext): Synced {
  const db = context.replica.sqlite;
  const project = context.me.projects[0]!;
  const template = db.prepare(`SELECT json_extract(extra, '$.template') FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?`).pluck().get(project) as number;
  return {
    clients: db.prepare('SELECT id FROM clients WHERE id > 0 ORDER BY id').pluck().all() as number[],
    referrals: db
      .prepare(`SELECT id FROM referrals WHERE id > 0 AND project IN (${context.me.projects.join(',')}) ORDER BY id`)
      .pluck()
      .all() as number[],
    due: db.prepare(`SELECT id FROM contacts WHERE id > 0 AND state = 'due' AND user = ? ORDER BY id`).pluck().all(context.me.id) as number[],
    project,
    stage: db.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage' AND json_extract(extra, '$.template') = ? ORDER BY id`).pluck().get(template) as number,
    orgType: db.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'organisations/type' ORDER BY id`).pluck().get() as number,
  };
}

/** A day per edit, so that no two planned contacts or referrals share a date (no near matches). */
function dayOf(n: number): string {
  return new Date(Date.UTC(2023, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Queues about `count` edits (chains count each link) tagged `tag`; returns what was planned. */
export function queueMix(context: PlanContext, count: number, tag: string, random: () => number, dayBase = 0): Planned[] {
  const s = synced(context);
  const planned: Planned[] = [];
  let n = 0;
  const next = () => `${tag}-${(n++).toString(36)}`;
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const q = (kind: PlannedKind, marker: string, input: Parameters<typeof queueEdit>[1], update?: Planned['update']) => {
    const result = queueSaid(context, input as Parameters<typeof queueSaid>[1]);
    planned.push({ entry: result.entry, kind, marker, ...(update ? { update } : {}) });
    return result;
  };
  const visibility = { user_visibility: String(context.me.id), group_visibility: '1' };
  /** "Record a contact" has no words in the seed (it is two requests there): queued as the neutral operation. */
  const record = (referralId: number, day: string, hour: number) => {
    const description = `extra info ${next()}`;
    const stage =
      referralId < 0
        ? s.stage
        : (context.replica.sqlite
            .prepare(`SELECT d.id FROM referrals r JOIN dictionaries d ON d.table_ref = 'referrals/stage' AND json_extract(d.extra, '$.template') = r.template WHERE r.id = ? ORDER BY d.id`)
            .pluck()
            .get(referralId) as number);
    const result = queueEdit(
      context.replica,
      {
        operation: 'record-contact',
        target: { referralId },
        fields: { user: context.me.id, stage, start_date: `${day} ${hour}:00:00`, end_date: `${day} ${hour}:20:00`, description },
      },
      { dialect: context.dialect },
    );
    planned.push({ entry: result.entry, kind: 'record', marker: description });
  };
  while (planned.length < count) {
    const roll = random();
    const day = dayOf(dayBase + n);
    if (roll < 0.4) {
      const surname = `Zz${next()}`;
      const client = q('client', surname, { method: 'PUT', path: 'clients', fields: { first_name: 'Test', surname, dob: day, postcode: 'LS6 2AB' } });
      if (random() < 0.3) {
        const filename = `${next()}.txt`;
        q('upload', filename, { method: 'POST', path: `clients/id/${client.temp_id}/uploads`, fields: visibility, file: { filename, data: Buffer.from(`file ${filename}`) } });
      }
      if (random() < 0.8) {
        const description = `ref ${next()}`;
        const referral = q('referral', description, {
          method: 'PUT',
          path: 'referrals',
          fields: { client: client.temp_id, client_type: 1, date: day, project: s.project, stage: s.stage, description, ...templateOf(context, s.project) },
        });
        if (random() < 0.25) record(referral.temp_id!, day, 12);
        if (random() < 0.3) {
          const notes = `notes ${next()}`;
          q('extension', notes, { method: 'PUT', path: 'extension_database/wellcheck_notes_9', fields: { referral: referral.temp_id, date_31: day, wellbeing_score_32: '4', notes_33: notes } });
        }
        if (random() < 0.7) {
          const description2 = `visit ${next()}`;
          const due = q('due', description2, {
            method: 'PUT',
            path: `due_contacts/referral/${referral.temp_id}`,
            fields: { user: context.me.id, start_date: `${day} 10:00:00`, end_date: `${day} 11:00:00`, description: description2, due_stage: s.stage },
          });
          if (random() < 0.5) {
            q('complete', description2, { method: 'POST', path: `done_contacts/id/${due.temp_id}`, fields: { start_date: `${day} 10:10:00`, end_date: `${day} 10:55:00`, stage: s.stage } });
          }
        }
      }
    } else if (roll < 0.65 && s.clients.length > 0) {
      const id = pick(s.clients);
      const value = `T${next()}`;
      q('update', value, { method: 'POST', path: `clients/id/${id}`, fields: { telephone: value } }, { table: 'clients', id, field: 'telephone', value });
    } else if (roll < 0.78 && s.referrals.length > 0) {
      const id = pick(s.referrals);
      const value = `upd ${next()}`;
      q('update', value, { method: 'POST', path: `referrals/id/${id}`, fields: { description: value } }, { table: 'referrals', id, field: 'description', value });
    } else if (roll < 0.84 && s.due.length > 0) {
      const id = s.due.splice(Math.floor(random() * s.due.length), 1)[0]!;
      const end = `${day} 16:45:00`;
      q('complete', `contact:${id}:${end}`, { method: 'POST', path: `done_contacts/id/${id}`, fields: { start_date: `${day} 16:00:00`, end_date: end, stage: stageForContact(context, id) } });
    } else if (roll < 0.87 && s.referrals.length > 0) {
      record(pick(s.referrals), day, 15);
    } else if (roll < 0.9 && s.referrals.length > 0) {
      const description = `visit ${next()}`;
      q('due', description, {
        method: 'PUT',
        path: `due_contacts/referral/${pick(s.referrals)}`,
        fields: { user: context.me.id, start_date: `${day} 14:00:00`, end_date: `${day} 14:30:00`, description },
      });
    } else if (roll < 0.95) {
      const description = `external ${next()}`;
      q('external', description, { method: 'PUT', path: 'external_referral', fields: { org_type_id: String(s.orgType), first_name: 'Ext', surname: `Ext${next()}`, description } });
    } else if (s.clients.length > 0) {
      const filename = `${next()}.pdf`;
      q('upload', filename, { method: 'POST', path: `clients/id/${pick(s.clients)}/uploads`, fields: visibility, file: { filename, data: Buffer.from(`%PDF ${filename}`) } });
    }
  }
  return planned;
}

/** A stage of the template of the contact's referral (the completion's stage must belong to it). */
function stageForContact(context: PlanContext, contact: number): number {
  return context.replica.sqlite
    .prepare(
      `SELECT d.id FROM contacts c JOIN referrals r ON r.id = c.referral
     JOIN dictionaries d ON d.table_ref = 'referrals/stage' AND json_extract(d.extra, '$.template') = r.template
     WHERE c.id = ? ORDER BY d.id`,
    )
    .pluck()
    .get(contact) as number;
}

function templateOf(context: PlanContext, project: number): { template: number } {
  return { template: context.replica.sqlite.prepare(`SELECT json_extract(extra, '$.template') FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?`).pluck().get(project) as number };
}

/** How many records on the server carry the planned edit's marker. */
export function serverCopies(sim: RunningSimulator, p: Planned): number {
  const db = sim.store.db;
  const count = (sql: string, ...params: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  switch (p.kind) {
    case 'client':
      return count('SELECT count(*) FROM clients WHERE surname = ?', p.marker);
    case 'referral':
      return count('SELECT count(*) FROM referrals WHERE description = ?', p.marker);
    case 'due':
      return count('SELECT count(*) FROM contacts WHERE description = ?', p.marker);
    case 'complete': {
      const synced = /^contact:(\d+):(.*)$/.exec(p.marker);
      if (synced) return count('SELECT count(*) FROM contacts WHERE id = ? AND done = 1 AND end_date = ?', Number(synced[1]), synced[2]);
      return count('SELECT count(*) FROM contacts WHERE description = ? AND done = 1', p.marker);
    }
    // Every contact carrying the marker, planned or done: a 2019 chain that planned twice shows up as two.
    case 'record':
      return count('SELECT count(*) FROM contacts WHERE description = ?', p.marker);
    case 'upload':
      return sim.store.uploads().filter((u) => u.filename === p.marker).length;
    case 'extension':
      return count('SELECT count(*) FROM wellcheck_notes_9 WHERE notes_33 = ?', p.marker);
    case 'external':
      return sim.store.externalReferrals().filter((r) => r.description === p.marker).length;
    case 'update':
      return count(`SELECT count(*) FROM ${p.update!.table} WHERE id = ? AND ${p.update!.field} = ?`, p.update!.id, p.update!.value);
  }
}

/**
 * The guarantees, as a list of broken ones (empty = all hold): every planned edit is still in the
 * outbox; a confirmed one is on the server exactly once (an update: its value is there unless a
 * later confirmed edit of the same field replaced it); any other is visibly failed, in doubt or
 * in conflict (or still pending when allowed) and on the server at most once; never duplicated.
 */
export function brokenGuarantees(sim: RunningSimulator, replica: Replica, planned: Planned[], options: { allowPending?: boolean } = {}): string[] {
  const problems: string[] = [];
  const lastUpdate = new Map<string, number>();
  for (const p of planned) {
    if (p.update && getEntry(replica.sqlite, p.entry)?.state === 'confirmed') lastUpdate.set(`${p.update.table}:${p.update.id}:${p.update.field}`, p.entry);
  }
  for (const p of planned) {
    const entry: OutboxEntry | undefined = getEntry(replica.sqlite, p.entry);
    if (!entry) {
      problems.push(`entry ${p.entry} (${p.kind} ${p.marker}) vanished from the outbox`);
      continue;
    }
    const copies = serverCopies(sim, p);
    if (p.kind === 'update') {
      const key = `${p.update!.table}:${p.update!.id}:${p.update!.field}`;
      if (entry.state === 'confirmed' && lastUpdate.get(key) === p.entry && copies !== 1) problems.push(`update ${p.entry} (${key} = ${p.marker}) confirmed but the server holds something else`);
      continue;
    }
    if (copies > 1) problems.push(`entry ${p.entry} (${p.kind} ${p.marker}) is on the server ${copies} times`);
    if (entry.state === 'confirmed' && copies !== 1) problems.push(`entry ${p.entry} (${p.kind} ${p.marker}) confirmed but on the server ${copies} times`);
    if (p.kind === 'record' && entry.state === 'confirmed' && sim.store.db.prepare('SELECT count(*) FROM contacts WHERE description = ? AND done = 1').pluck().get(p.marker) !== 1) {
      problems.push(`entry ${p.entry} (record ${p.marker}) confirmed but the contact is not done on the server`);
    }
    const visible = ['failed', 'in_doubt', 'conflict', 'confirmed', ...(options.allowPending ? ['pending', 'sending'] : [])];
    if (!visible.includes(entry.state)) problems.push(`entry ${p.entry} (${p.kind} ${p.marker}) left ${entry.state}`);
  }
  return problems;
}

/** The user's part for in-doubt uploads and external referrals: look (here: in the simulator), then mark done or send again. */
export function decideInDoubt(sim: RunningSimulator, replica: Replica, planned: Planned[], act: { markDone: (id: number) => void; sendAgain: (id: number) => void }): number {
  let decided = 0;
  const byEntry = new Map(planned.map((p) => [p.entry, p]));
  for (const entry of listEntries(replica.sqlite, { states: ['in_doubt'] })) {
    if (entry.error_code !== 'unverifiable') continue;
    const p = byEntry.get(entry.id);
    if (!p) continue;
    if (serverCopies(sim, p) > 0) act.markDone(entry.id);
    else act.sendAgain(entry.id);
    decided++;
  }
  return decided;
}

/** Timeouts need a short request timeout; everything else keeps the fast test timings. */
export const TIMINGS = { ...FAST, requestTimeoutMs: 400 };

interface Outcome {
  planned: Planned[];
  totals: { reconciled: number; confirmed: number; faults: number };
  problems: string[];
  finalProblems: string[];
  world: World;
}

/** Queues a mix under a fault spec, pushes until nothing moves, checks; then the user settles what only they can, and it all lands. */
export async function runUnderFaults(sim: RunningSimulator, spec: string, edits: number, seed: number): Promise<Outcome> {
  const world = await openWorld({ sim });
  const planned = queueMix(world, edits, `f${seed}`, seededRandom(seed), seed * 1000);
  const logFrom = sim.requestLog.length;
  sim.setFaults(spec);
  const totals = { reconciled: 0, confirmed: 0, faults: 0 };
  const add = (s: PushSummary) => {
    totals.reconciled += s.reconciled;
    totals.confirmed += s.confirmed;
  };
  try {
    add(await pushOutbox(world.replica, world.client, { timings: TIMINGS }));
    const problems = brokenGuarantees(sim, world.replica, planned, { allowPending: true });
    // The user's part, still under faults: uploads and external referrals in doubt are checked and decided.
    for (let round = 0; round < 6 && listEntries(world.replica.sqlite).length > 0; round++) {
      decideInDoubt(sim, world.replica, planned, { markDone: (id) => markDone(world.replica, id), sendAgain: (id) => sendAgain(world.replica, id) });
      add(await pushOutbox(world.replica, world.client, { timings: TIMINGS }));
    }
    totals.faults = sim.requestLog.slice(logFrom).filter((e) => e.fault).length;
    sim.setFaults('');
    decideInDoubt(sim, world.replica, planned, { markDone: (id) => markDone(world.replica, id), sendAgain: (id) => sendAgain(world.replica, id) });
    add(await pushOutbox(world.replica, world.client, { timings: TIMINGS }));
    const finalProblems = brokenGuarantees(sim, world.replica, planned);
    return { planned, totals, problems, finalProblems, world };
  } finally {
    sim.setFaults('');
  }
}
