// Fills an empty simulator database with a plausible UK charity's casework, deterministically
// from a seed and relative to `now` (due contacts overdue / today / future). Clients are generated
// one at a time with their referrals, contacts, schedules and extension rows, and inserted in
// batched transactions, so memory stays flat whether there are 200 clients or 100,000.

import type Database from 'better-sqlite3';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { Random, randomNhsNumber, randomPostcode } from './data-random.js';
import { TABLES, insertColumns, prepareInsert, type TableSpec } from './data-schema.js';
import { clockTime, dateOfDay, dayNumber } from './data-time.js';
import {
  DEMO_USERS,
  FEMALE_NAMES,
  JOB_TITLES,
  MALE_NAMES,
  NEUTRAL_NAMES,
  PLACES,
  REFERRAL_NOTES,
  RELATIONSHIP_PAIRS,
  STREETS,
  SUPPORT_NOTES,
  SURNAMES,
  buildDictionaries,
  type DictionaryItem,
} from './data-vocabulary.js';

export interface GenerateOptions {
  seed: number;
  clients: number;
  now: Date;
}
export interface GenerateSummary {
  clients: number;
  referrals: number;
  contacts: number;
  workers: number;
  users: number;
}

/** Clients per worker: sets the number of workers (and logins) from the number of clients. */
const CASELOAD = 25;
const CLIENTS_PER_TRANSACTION = 1000;

type Row = Record<string, unknown>;

/** Dictionary lookups the generator needs, by table and name. */
class Vocabulary {
  readonly tables = buildDictionaries();
  ids(table: string): number[] {
    return (this.tables.get(table) ?? []).map((e) => e.id);
  }
  id(table: string, name: string): number {
    const item = this.tables.get(table)?.find((e) => e.name === name);
    if (!item) throw new Error(`generator: no "${name}" in ${table}`);
    return item.id;
  }
  items(table: string): DictionaryItem[] {
    return this.tables.get(table) ?? [];
  }
}

interface Staff {
  workerIds: number[];
  /** worker id → the login it belongs to (or null), and the projects its clients' referrals mostly use. */
  workerUser: Map<number, number | null>;
  workerProjects: Map<number, number[]>;
  /** project id → logins that are members. */
  projectMembers: Map<number, number[]>;
  userIds: number[];
  demoUserIds: number[];
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateData(db: Database.Database, options: GenerateOptions): GenerateSummary {
  const rng = new Random(options.seed);
  const vocab = new Vocabulary();
  const nowStamp = formatServerTimestamp(options.now);
  const todayDay = dayNumber(nowStamp.slice(0, 10));

  const insertDictionary = db.prepare('INSERT INTO dictionaries (table_ref, id, name, extra) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const [table, items] of vocab.tables) {
      for (const item of items) insertDictionary.run(table, item.id, item.name, item.extra ? JSON.stringify(item.extra) : null);
    }
  })();

  const writer = new RowWriter(db);
  const staff = db.transaction(() => generateStaff(db, writer, rng, vocab, options))();
  const state = new ClientGenerator(rng, vocab, staff, todayDay, writer);
  for (let first = 1; first <= options.clients; first += CLIENTS_PER_TRANSACTION) {
    const last = Math.min(options.clients, first + CLIENTS_PER_TRANSACTION - 1);
    db.transaction(() => {
      for (let id = first; id <= last; id++) state.client(id);
    })();
  }
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('generated_for_day', dateOfDay(todayDay));
  return { clients: options.clients, referrals: state.referralCount, contacts: state.contactCount, workers: staff.workerIds.length, users: staff.userIds.length };
}

/** Positional prepared inserts per table, from row objects keyed by column name. */
class RowWriter {
  private readonly statements = new Map<string, { run: Database.Statement; columns: string[] }>();
  constructor(private readonly db: Database.Database) {}
  insert(spec: TableSpec, row: Row): void {
    let entry = this.statements.get(spec.table);
    if (!entry) {
      entry = { run: prepareInsert(this.db, spec), columns: insertColumns(spec) };
      this.statements.set(spec.table, entry);
    }
    entry.run.run(entry.columns.map((c) => row[c] ?? null));
  }
}

function generateStaff(db: Database.Database, writer: RowWriter, rng: Random, vocab: Vocabulary, options: GenerateOptions): Staff {
  const projects = vocab.items('referrals/project');
  const activeProjects = projects.filter((p) => p.extra?.active === 'Y').map((p) => p.id);
  const workerCount = Math.max(8, Math.ceil(options.clients / CASELOAD));
  const insertUser = db.prepare('INSERT INTO users (id, name, worker, source, org, user_key, demo) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertMembership = db.prepare('INSERT OR IGNORE INTO user_projects (user_id, project_id) VALUES (?, ?)');
  const source = 'caseworker-sim';
  const org = `sim-org-${options.seed}`;
  const stamp = (daysAgo: number) => `${dateOfDay(dayNumber(formatServerTimestamp(options.now).slice(0, 10)) - daysAgo)} 09:00:00`;

  const staff: Staff = {
    workerIds: [],
    workerUser: new Map(),
    workerProjects: new Map(),
    projectMembers: new Map(),
    userIds: [],
    demoUserIds: [],
  };
  let nextUser = 1;
  const addUser = (name: string, worker: number | null, projectIds: number[], demo: boolean) => {
    const id = nextUser++;
    insertUser.run(id, name, worker, source, org, `${slug(name)}-${rng.hex(12)}`, demo ? 1 : 0);
    for (const p of projectIds) {
      insertMembership.run(id, p);
      const members = staff.projectMembers.get(p) ?? [];
      if (!members.includes(id)) members.push(id);
      staff.projectMembers.set(p, members);
    }
    staff.userIds.push(id);
    if (demo) staff.demoUserIds.push(id);
    return id;
  };

  for (let w = 1; w <= workerCount; w++) {
    const demo = DEMO_USERS[w - 1];
    const female = rng.chance(0.6);
    const first = demo?.first ?? rng.pick(female ? FEMALE_NAMES : MALE_NAMES);
    const surname = demo?.surname ?? rng.pick(SURNAMES);
    const projectIds = demo
      ? demo.projects.map((name) => vocab.id('referrals/project', name))
      : [...new Set([rng.pick(activeProjects), rng.pick(activeProjects), ...(rng.chance(0.1) ? [rng.pick(projects).id] : [])])];
    // Some workers have no login (sessional staff, volunteers): their clients' contacts go to project members.
    const hasLogin = demo !== undefined || (w < workerCount && rng.chance(0.85)); // the last one never has a login
    const userId = hasLogin ? addUser(`${first} ${surname}`, w, projectIds, demo !== undefined) : null;
    writer.insert(TABLES.workers!, {
      id: w,
      first_name: first,
      surname,
      user: userId,
      email: `${slug(first)}.${slug(surname)}@charity.example.org`,
      telephone: `0113 496 ${String(rng.int(0, 999)).padStart(4, '0')}`,
      job_title: demo?.job ?? rng.pick(JOB_TITLES),
      active: demo || rng.chance(0.92) ? 'Y' : 'N',
      updated: stamp(rng.int(30, 400)),
    });
    staff.workerIds.push(w);
    staff.workerUser.set(w, userId);
    staff.workerProjects.set(w, projectIds);
  }
  // A login without a worker record: the office manager, who sees the advice projects.
  addUser('Office Manager', null, [vocab.id('referrals/project', 'Advice Line'), vocab.id('referrals/project', 'Welfare Benefits')], false);
  return staff;
}

const LANDLINE: Record<string, string> = { LS: '0113 496 0', S: '0114 496 0', M: '0161 496 0', SK: '0161 496 0', CF: '029 2018 0' };

/** Generates one client and everything that hangs off it. Keeps only counters between clients. */
class ClientGenerator {
  referralCount = 0;
  contactCount = 0;
  private nextReferral = 1;
  private nextContact = 1;
  private nextSchedule = 1;
  private nextRelationship = 1;
  private nextExtension: Record<string, number> = { wellcheck_notes_9: 1, staff_disciplinary_13: 1 };
  /** Demo users get a guaranteed share of due contacts today and overdue, even on tiny data sets. */
  private demoDue = new Map<number, { today: number; overdue: number }>();

  private readonly projects: DictionaryItem[];
  private readonly stagesByTemplate = new Map<number, Map<string, number[]>>();
  private readonly ids: Record<string, number[]>;
  private readonly ethnicityWeights: Array<readonly [number, number]>;
  private readonly languageWeights: Array<readonly [number, number]>;

  constructor(
    private readonly rng: Random,
    private readonly vocab: Vocabulary,
    private readonly staff: Staff,
    private readonly todayDay: number,
    private readonly writer: RowWriter,
  ) {
    this.projects = vocab.items('referrals/project');
    for (const stage of vocab.items('referrals/stage')) {
      const template = Number(stage.extra?.template);
      const status = String(stage.extra?.status);
      const byStatus = this.stagesByTemplate.get(template) ?? new Map<string, number[]>();
      byStatus.set(status, [...(byStatus.get(status) ?? []), stage.id]);
      this.stagesByTemplate.set(template, byStatus);
    }
    const tables = [
      'organisations/religion',
      'organisations/sexual_orientation',
      'organisations/marital_status',
      'organisations/main_disability',
      'organisations/accommodation',
      'organisations/preferred_communication_method',
      'referrals/funding_sponsor',
      'referrals/referrer',
      'referrals/introduction_source',
      'referrals/priority',
      'referrals/response_method',
      'contacts/contact_method',
      'contacts/contact_type',
      'contacts/transport_method',
    ];
    this.ids = Object.fromEntries(tables.map((t) => [t, vocab.ids(t)]));
    const ethnicities = vocab.ids('organisations/ethnicity');
    this.ethnicityWeights = ethnicities.map((id, i) => [id, i === 0 ? 60 : 2] as const);
    const languages = vocab.ids('organisations/main_language');
    this.languageWeights = languages.map((id, i) => [id, i === 0 ? 80 : 1.5] as const);
  }

  private any(table: string): number {
    return this.rng.pick(this.ids[table]!);
  }

  private maybe<T>(p: number, value: () => T): T | null {
    return this.rng.chance(p) ? value() : null;
  }

  /** A timestamp on a random day in [fromDay, toDay] during office hours. */
  private stampBetween(fromDay: number, toDay: number): string {
    const day = this.rng.int(Math.min(fromDay, toDay), toDay);
    return `${dateOfDay(day)} ${clockTime(this.rng.int(8 * 60, 18 * 60))}`;
  }

  /** When a record was last changed: after `sinceDay`, within the last year, before today. */
  private updatedAfter(sinceDay: number): string {
    const from = Math.max(sinceDay, this.todayDay - 365);
    return this.stampBetween(Math.min(from, this.todayDay - 1), this.todayDay - 1);
  }

  client(id: number): void {
    const { rng, vocab } = this;
    const genderTable = vocab.ids('organisations/gender');
    const gender = rng.weighted([
      [genderTable[0]!, 52],
      [genderTable[1]!, 44],
      [genderTable[2]!, 2],
      [genderTable[3]!, 1],
      [genderTable[4]!, 1],
    ]);
    const names = gender === genderTable[0] ? FEMALE_NAMES : gender === genderTable[1] ? MALE_NAMES : NEUTRAL_NAMES;
    const firstName = rng.pick(names);
    const surname = rng.pick(SURNAMES);
    const age = rng.weighted([
      [rng.int(8, 17), 8],
      [rng.int(18, 39), 20],
      [rng.int(40, 64), 27],
      [rng.int(65, 79), 25],
      [rng.int(80, 99), 20],
    ]);
    const dobDay = this.todayDay - age * 365 - rng.int(0, 364);
    const ageRanges = vocab.ids('organisations/age_range');
    const ageRange = ageRanges[age < 18 ? 0 : age < 26 ? 1 : age < 40 ? 2 : age < 65 ? 3 : age < 80 ? 4 : 5]!;
    const placeIndex = rng.int(0, PLACES.length - 1);
    const place = PLACES[placeIndex]!;
    const disability = rng.chance(0.6) ? this.ids['organisations/main_disability']![0]! : this.any('organisations/main_disability');
    const disabled = disability !== this.ids['organisations/main_disability']![0];
    const worker = rng.chance(0.85) ? rng.pick(this.staff.workerIds) : null;
    const workerUser = worker === null ? null : (this.staff.workerUser.get(worker) ?? null);
    const type = rng.weighted([
      [1, 85],
      [2, 12],
      [3, 3],
    ]);
    const clientRow: Row = {
      id,
      first_name: firstName,
      surname,
      dob: dateOfDay(dobDay),
      gender,
      ethnicity: rng.weighted(this.ethnicityWeights),
      religion: this.any('organisations/religion'),
      sexual_orientation: this.maybe(0.8, () => this.any('organisations/sexual_orientation')),
      marital_status: age < 18 ? this.ids['organisations/marital_status']![0] : this.any('organisations/marital_status'),
      main_language: rng.weighted(this.languageWeights),
      main_disability: disability,
      registered_disabled: disabled && rng.chance(0.5) ? 'Y' : 'N',
      blue_badge_holder: disabled && rng.chance(0.4) ? 'Y' : 'N',
      accommodation: this.any('organisations/accommodation'),
      employment_status: age >= 66 || age < 18 ? 'N' : rng.chance(0.6) ? 'Y' : 'N',
      people_in_household: rng.int(1, 5),
      address1: `${rng.chance(0.15) ? `Flat ${rng.int(1, 12)}, ` : ''}${rng.int(1, 180)} ${rng.pick(STREETS)}`,
      address2: this.maybe(0.6, () => rng.pick(place.localities)),
      town: place.town,
      county: vocab.id('organisations/county', place.county),
      district: vocab.id('organisations/district', place.district),
      postcode: randomPostcode(rng, place.area),
      telephone: this.maybe(0.7, () => `${LANDLINE[place.area] ?? '01632 960'}${String(rng.int(0, 999)).padStart(3, '0')}`),
      mobile: this.maybe(0.6, () => `07700 900${String(rng.int(0, 999)).padStart(3, '0')}`),
      email: this.maybe(0.5, () => `${slug(firstName)}.${slug(surname)}${rng.int(1, 99)}@example.org`),
      nhs_number: this.maybe(0.9, () => randomNhsNumber(rng)),
      social_services_number: this.maybe(0.2, () => `SS${String(rng.int(0, 9_999_999)).padStart(7, '0')}`),
      external_id: this.maybe(0.15, () => `CRM-${100000 + id}`),
      gp_name: `Dr ${String.fromCharCode(65 + rng.int(0, 25))} ${rng.pick(SURNAMES)}`,
      gp_surgery: 1301 + placeIndex * 2 + rng.int(0, 1),
      school: age < 18 ? 1401 + placeIndex * 2 + rng.int(0, 1) : null,
      consent: rng.chance(0.85) ? 'Y' : 'N',
      preferred_communication_method: this.any('organisations/preferred_communication_method'),
      usual_support_worker: worker,
      active: rng.chance(0.9) ? 'Y' : 'N',
      deceased: rng.chance(0.02) ? 'Y' : 'N',
      age_range: ageRange,
      type,
      website_photo_consent: this.maybe(0.7, () => rng.pick([108, 109, 110])),
      created_by_user: workerUser ?? rng.pick(this.staff.userIds),
      updated: this.updatedAfter(this.todayDay - 730),
    };
    this.writer.insert(TABLES.clients!, clientRow);

    const homeProjects = worker === null ? [] : (this.staff.workerProjects.get(worker) ?? []);
    const referralCount = 1 + rng.poisson(2);
    const referralIds: number[] = [];
    for (let r = 0; r < referralCount; r++) referralIds.push(this.referral(id, type, worker, workerUser, homeProjects));

    if (id > 1 && rng.chance(0.08)) this.relationship(id, rng.int(Math.max(1, id - 50), id - 1));
    if (rng.chance(0.35))
      this.extensionRow('wellcheck_notes_9', id, rng.pick(referralIds), 'date_31', {
        wellbeing_score_32: rng.int(1, 10),
        notes_33: rng.pick(['Feeling settled', 'A bit low this week', 'Enjoying the group', 'Worried about bills']),
      });
    if (rng.chance(0.01))
      this.extensionRow('staff_disciplinary_13', id, rng.pick(referralIds), 'date_43', {
        outcome_44: rng.pick(['No further action', 'Verbal warning', 'Written warning']),
        notes_45: 'Complaint about missed visit',
      });
  }

  private referral(client: number, clientType: number, worker: number | null, workerUser: number | null, homeProjects: number[]): number {
    const { rng } = this;
    const id = this.nextReferral++;
    this.referralCount++;
    const home = homeProjects.length > 0 && rng.chance(0.8) ? rng.pick(homeProjects) : undefined;
    const project = home === undefined ? rng.pick(this.projects) : this.projects.find((p) => p.id === home)!;
    const template = Number(project.extra?.template);
    const daysAgo = rng.int(1, 1095);
    const status =
      daysAgo > 400
        ? rng.chance(0.8)
          ? 'Closed'
          : 'Open'
        : rng.weighted([
            ['Pending', 15],
            ['Open', 70],
            ['Closed', 15],
          ] as const);
    const stages = this.stagesByTemplate.get(template)!;
    const stage = rng.pick(stages.get(status)!);
    const openStages = stages.get('Open')!;
    const dateDay = this.todayDay - daysAgo;
    this.writer.insert(TABLES.referrals!, {
      id,
      client,
      client_type: clientType,
      date: dateOfDay(dateDay),
      project: project.id,
      template,
      stage,
      description: rng.pick(REFERRAL_NOTES),
      project_category: project.extra?.category,
      contact_method: this.maybe(0.8, () => this.any('contacts/contact_method')),
      funding_sponsor: this.maybe(0.6, () => this.any('referrals/funding_sponsor')),
      contact_type: this.maybe(0.7, () => this.any('contacts/contact_type')),
      referrer: this.any('referrals/referrer'),
      introduction_source: this.maybe(0.8, () => this.any('referrals/introduction_source')),
      additional_org_person: null,
      priority: this.any('referrals/priority'),
      response_method: this.maybe(0.7, () => this.any('referrals/response_method')),
      referral_complete: status === 'Closed' ? 'Y' : 'N',
      updated: this.updatedAfter(dateDay),
    });

    const members = this.staff.projectMembers.get(project.id) ?? [];
    const contactUser = () => (workerUser !== null && members.includes(workerUser) ? workerUser : members.length > 0 ? rng.pick(members) : rng.pick(this.staff.userIds));
    const doneCount = rng.poisson(2.8);
    for (let c = 0; c < doneCount; c++) this.doneContact(id, client, project.id, contactUser(), rng.pick(openStages), dateDay);
    if (status !== 'Closed') {
      const dueCount = rng.weighted([
        [0, 25],
        [1, 40],
        [2, 35],
      ] as const);
      for (let c = 0; c < dueCount; c++) this.dueContact(id, client, project.id, contactUser(), stage, dateDay);
      if (rng.chance(0.15)) this.schedule(id, client, worker ?? rng.pick(this.staff.workerIds), dateDay);
    }
    return id;
  }

  private doneContact(referral: number, client: number, project: number, user: number, stage: number, referralDay: number): void {
    const { rng } = this;
    const day = rng.int(Math.min(this.todayDay - 1, Math.max(referralDay, this.todayDay - 730)), this.todayDay - 1);
    const startMinutes = rng.int(36, 66) * 15; // 09:00–16:30
    const method = this.any('contacts/contact_method');
    const visit = rng.chance(0.45);
    this.contactCount++;
    this.writer.insert(TABLES.contacts!, {
      id: this.nextContact++,
      done: 1,
      referral,
      client,
      user,
      project,
      start_date: `${dateOfDay(day)} ${clockTime(startMinutes)}`,
      end_date: `${dateOfDay(day)} ${clockTime(startMinutes + rng.int(1, 8) * 15)}`,
      description: rng.pick(SUPPORT_NOTES),
      stage,
      due_stage: stage,
      contact_type: this.any('contacts/contact_type'),
      contact_method: method,
      travel_time: visit ? rng.int(5, 60) : null,
      travel_mileage: visit ? Math.round(rng.float() * 250) / 10 : null,
      transport_method: visit ? this.any('contacts/transport_method') : null,
      priority: this.maybe(0.5, () => this.any('referrals/priority')),
      updated: this.updatedAfter(day),
    });
  }

  private dueContact(referral: number, client: number, project: number, user: number, stage: number, referralDay: number): void {
    const { rng } = this;
    let offset: number;
    const demo = this.staff.demoUserIds.includes(user) ? (this.demoDue.get(user) ?? { today: 0, overdue: 0 }) : undefined;
    if (demo && demo.today < 3) {
      offset = 0;
      demo.today++;
    } else if (demo && demo.overdue < 3) {
      offset = -rng.int(1, 21);
      demo.overdue++;
    } else {
      offset = rng.weighted([
        [-rng.int(1, 30), 25],
        [0, 12],
        [rng.int(1, 60), 63],
      ] as const);
    }
    if (demo) this.demoDue.set(user, demo);
    const day = this.todayDay + offset;
    const startMinutes = rng.int(36, 66) * 15;
    this.contactCount++;
    this.writer.insert(TABLES.contacts!, {
      id: this.nextContact++,
      done: 0,
      referral,
      client,
      user,
      project,
      start_date: `${dateOfDay(day)} ${clockTime(startMinutes)}`,
      end_date: `${dateOfDay(day)} ${clockTime(startMinutes + 60)}`,
      description: rng.pick(['Follow-up call', 'Home visit', 'Review support plan', 'Check benefits claim progress', 'Befriending visit']),
      stage: null,
      due_stage: stage,
      contact_type: this.any('contacts/contact_type'),
      contact_method: this.any('contacts/contact_method'),
      travel_time: null,
      travel_mileage: null,
      transport_method: null,
      priority: this.maybe(0.5, () => this.any('referrals/priority')),
      updated: this.updatedAfter(Math.min(referralDay, day)),
    });
  }

  private schedule(referral: number, client: number, worker: number, referralDay: number): void {
    const { rng } = this;
    const start = `${dateOfDay(referralDay)} 10:00:00`;
    this.writer.insert(TABLES.schedules!, {
      id: this.nextSchedule++,
      client,
      referral,
      worker,
      start_date: start,
      end_date: rng.chance(0.6) ? null : `${dateOfDay(referralDay + rng.int(30, 180))} 10:00:00`,
      frequency: rng.pick(['Weekly', 'Fortnightly', 'Monthly']),
      description: rng.pick(['Befriending visit', 'Check-in call', 'Carer break']),
      updated: this.updatedAfter(referralDay),
    });
  }

  private relationship(first: number, second: number): void {
    const [a, b, ca, cb] = this.rng.pick(RELATIONSHIP_PAIRS);
    const rel = (name: string | null) => (name === null ? null : this.vocab.id('relationships', name));
    const carer = (name: string | null) => (name === null ? null : this.vocab.id('carer_relationships', name));
    this.writer.insert(RELATIONSHIP_SPEC, {
      id: this.nextRelationship++,
      first,
      second,
      relationship_first_to_second: rel(a),
      relationship_second_to_first: rel(b),
      relationship_first_to_second_carer: carer(ca),
      relationship_second_to_first_carer: carer(cb),
      updated: this.updatedAfter(this.todayDay - 365),
    });
  }

  private extensionRow(name: string, client: number, referral: number, dateField: string, fields: Row): void {
    const day = this.todayDay - this.rng.int(1, 500);
    const id = this.nextExtension[name]!;
    this.nextExtension[name] = id + 1;
    this.writer.insert(TABLES[name]!, { id, referral, client, [dateField]: dateOfDay(day), ...fields, updated: this.updatedAfter(day) });
  }
}

const RELATIONSHIP_SPEC: TableSpec = {
  table: 'relationships',
  columns: [
    ['id', 'int'],
    ['first', 'int'],
    ['second', 'int'],
    ['relationship_first_to_second', 'int'],
    ['relationship_second_to_first', 'int'],
    ['relationship_first_to_second_carer', 'int'],
    ['relationship_second_to_first_carer', 'int'],
    ['updated', 'timestamp'],
  ],
  hidden: [],
};
