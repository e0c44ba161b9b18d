// The replica's tables: what the server sent, keyed by the server's ids. Every record keeps `raw`,
// the full JSON as the server sent it (so single-record extension fields and new server fields are
// never lost); the typed columns are a projection of `raw` for filters, joins, indexes and reports,
// written only through records.ts so the two never disagree. Column names are the API's field names.
//
// No foreign keys between synced tables: the server is the authority, records arrive in any order
// and a referral's client may be outside the scope; the query engine joins with LEFT JOIN instead.

import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const clients = sqliteTable(
  'clients',
  {
    id: integer('id').primaryKey(),
    first_name: text('first_name'),
    surname: text('surname'),
    dob: text('dob'),
    gender: integer('gender'),
    ethnicity: integer('ethnicity'),
    religion: integer('religion'),
    sexual_orientation: integer('sexual_orientation'),
    marital_status: integer('marital_status'),
    main_language: integer('main_language'),
    main_disability: integer('main_disability'),
    registered_disabled: text('registered_disabled'),
    blue_badge_holder: text('blue_badge_holder'),
    accommodation: integer('accommodation'),
    employment_status: text('employment_status'),
    people_in_household: integer('people_in_household'),
    address1: text('address1'),
    address2: text('address2'),
    town: text('town'),
    county: integer('county'),
    district: integer('district'),
    postcode: text('postcode'),
    telephone: text('telephone'),
    mobile: text('mobile'),
    email: text('email'),
    nhs_number: text('nhs_number'),
    social_services_number: text('social_services_number'),
    external_id: text('external_id'),
    gp_name: text('gp_name'),
    gp_surgery: integer('gp_surgery'),
    school: integer('school'),
    consent: text('consent'),
    preferred_communication_method: integer('preferred_communication_method'),
    usual_support_worker: integer('usual_support_worker'),
    active: text('active'),
    deceased: text('deceased'),
    age_range: integer('age_range'),
    type: integer('type'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [
    // "my clients" (usual support worker), lookups by the id another system holds, the caseload list.
    // Few indexes on purpose: each one costs encrypted page writes on every bulk sync.
    index('clients_usual_support_worker').on(t.usual_support_worker),
    index('clients_external_id').on(t.external_id),
    // In the caseload's order (names compared without case), so its first page reads 100 index
    // entries instead of sorting every client.
    index('clients_surname').on(sql`${t.surname} COLLATE NOCASE`, sql`${t.first_name} COLLATE NOCASE`),
  ],
);

export const referrals = sqliteTable(
  'referrals',
  {
    id: integer('id').primaryKey(),
    client: integer('client'),
    client_type: integer('client_type'),
    date: text('date'),
    project: integer('project'),
    template: integer('template'),
    stage: integer('stage'),
    description: text('description'),
    project_category: integer('project_category'),
    contact_method: integer('contact_method'),
    funding_sponsor: integer('funding_sponsor'),
    contact_type: integer('contact_type'),
    referrer: integer('referrer'),
    introduction_source: integer('introduction_source'),
    additional_org_person: integer('additional_org_person'),
    priority: integer('priority'),
    response_method: integer('response_method'),
    referral_complete: text('referral_complete'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [index('referrals_client').on(t.client), index('referrals_project_stage').on(t.project, t.stage), index('referrals_date').on(t.date)],
);

/** Due and done contacts share one id space in the API (completing due 88 makes done 88), so one table with a state. */
export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey(),
    state: text('state', { enum: ['due', 'done'] }).notNull(),
    referral: integer('referral'),
    client: integer('client'),
    user: integer('user'),
    project: integer('project'),
    start_date: text('start_date'),
    end_date: text('end_date'),
    description: text('description'),
    stage: integer('stage'),
    due_stage: integer('due_stage'),
    contact_type: integer('contact_type'),
    contact_method: integer('contact_method'),
    travel_time: real('travel_time'),
    travel_mileage: real('travel_mileage'),
    transport_method: integer('transport_method'),
    priority: integer('priority'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [
    // A referral's contacts by date (next action, a referral's date_active). The biggest table: few
    // indexes, to keep bulk ingest fast (and each one is a full decrypting scan at first sync).
    index('contacts_referral_start').on(t.referral, t.start_date),
    // The soonest due action of a caseload page's clients (main/db/caseload-queries.ts), read from
    // this index alone: without it every contact of each referral, due or done, is read from the
    // table to see its state (~2,000 rows for a page of 200 clients; cold, most of the page's time).
    // Due contacts only: a sixth of the table, so it costs little on ingest.
    index('contacts_due_referral_start')
      .on(t.referral, t.start_date)
      .where(sql`state = 'due'`),
    // Reports by project (and contact type) with travel sums, answered from this covering index in
    // its own order: ~0.1 s over 1M done contacts instead of a multi-second table scan; costs ~20%
    // more CPU on bulk contact ingest (bench/report-bench.ts).
    index('contacts_state_project_type').on(t.state, t.project, t.contact_type, t.travel_time, t.travel_mileage),
    // A client's contacts, and the `client_*` filters of contacts: with it the planner starts from
    // the few matching clients (12× faster on `client_district`); costs ~10–15% on contact ingest.
    index('contacts_client').on(t.client),
    // Reports by month (and user, or alone) over every contact, read from this index alone in its own
    // order: the month expression is the report engine's (query-source.ts), and start_date makes it
    // covering — without it SQLite fetches each group's first row from the table, one random read
    // per month × user (1.3 s at 4,000 users). The same index answers one user's contacts by date
    // ("my next actions", day for one user) by skip-scan over the ~30 months (state, month are few
    // values: needs ANALYZE statistics, which migration 0011 and every sync refresh), so it replaces
    // (state, user, start_date): one index fewer to keep row by row and to build at first sync.
    index('contacts_state_month_user_start').on(t.state, sql`substr(${t.start_date}, 1, 7)`, t.user, t.start_date),
  ],
);

export const workers = sqliteTable(
  'workers',
  {
    id: integer('id').primaryKey(),
    first_name: text('first_name'),
    surname: text('surname'),
    user: integer('user'),
    email: text('email'),
    telephone: text('telephone'),
    job_title: text('job_title'),
    active: text('active'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [index('workers_user').on(t.user)],
);

/** Read-only through the API. */
export const schedules = sqliteTable(
  'schedules',
  {
    id: integer('id').primaryKey(),
    client: integer('client'),
    referral: integer('referral'),
    worker: integer('worker'),
    start_date: text('start_date'),
    end_date: text('end_date'),
    frequency: integer('frequency'),
    description: text('description'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [index('schedules_client').on(t.client), index('schedules_worker_start').on(t.worker, t.start_date), index('schedules_start_date').on(t.start_date)],
);

/** Every `dictionary/<api_group>/<table>` (table_ref `organisations/district`), plus `relationships` and `carer_relationships`. */
export const dictionaries = sqliteTable(
  'dictionaries',
  {
    table_ref: text('table_ref').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull(),
    /** Other keys of the entry as JSON (stages carry template and status, projects category and active). */
    extra: text('extra'),
  },
  (t) => [primaryKey({ columns: [t.table_ref, t.id] })],
);

/** Rows of multiple-record extension databases (`extension_database/<name>_<id>`). */
export const extensionRecords = sqliteTable(
  'extension_records',
  {
    database: text('database').notNull(),
    id: integer('id').notNull(),
    referral: integer('referral'),
    client: integer('client'),
    updated: text('updated'),
    raw: text('raw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.database, t.id] }), index('extension_records_referral').on(t.database, t.referral), index('extension_records_client').on(t.database, t.client)],
);

/** The server's `<group>/selectable_fields` reply, kept verbatim (group is `clients` or `extension_database/<name>_<id>`). */
export const selectableFields = sqliteTable('selectable_fields', {
  group: text('group').primaryKey(),
  reply: text('reply').notNull(),
  fetched_at: text('fetched_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%d %H:%M:%S', 'now'))`),
});

/** Key/value JSON: me, my worker, scope per group, last sync, resumable-sync cursors, dictionaries fetched at. */
export const syncState = sqliteTable('sync_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
