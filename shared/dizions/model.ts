// The Dizions API v2 data model as the seed (2019 manual) and the later public docs describe it:
// groups, their fields, their filter keys, and which fields hold dictionary ids.
// Pure data: the URL grammar, the simulator, the client and the replica all read it from here,
// so a field the real server adds is added once. Unpublished details live in ./assumptions.ts.

export const RECORD_GROUPS = ['clients', 'referrals', 'due_contacts', 'done_contacts', 'workers', 'schedules'] as const;
export type RecordGroup = (typeof RECORD_GROUPS)[number];

export function isRecordGroup(value: string): value is RecordGroup {
  return (RECORD_GROUPS as readonly string[]).includes(value);
}

/** Filter keys whose value is a `from,to` range rather than `;` alternatives. */
export const RANGE_KEYS = ['date_active', 'date', 'updated'] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];
export function isRangeKey(key: string): key is RangeKey {
  return (RANGE_KEYS as readonly string[]).includes(key);
}

/** The seed: "you can keep adding up to 10 key/value pairs to the URL". */
export const MAX_FILTER_PAIRS = 10;

/** Time dimensions of reports (assumptions table: day YYYY-MM-DD, week ISO YYYY-Www, month YYYY-MM, year). */
export const TIME_DIMENSIONS = ['day', 'week', 'month', 'year'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];
export function isTimeDimension(value: string): value is TimeDimension {
  return (TIME_DIMENSIONS as readonly string[]).includes(value);
}

// ---- clients ---------------------------------------------------------------------------------

/** The client fields of the assumptions table (plus the single-record extension field below). */
export const CLIENT_FIELDS = [
  'id',
  'first_name',
  'surname',
  'dob',
  'gender',
  'ethnicity',
  'religion',
  'sexual_orientation',
  'marital_status',
  'main_language',
  'main_disability',
  'registered_disabled',
  'blue_badge_holder',
  'accommodation',
  'employment_status',
  'people_in_household',
  'address1',
  'address2',
  'town',
  'county',
  'district',
  'postcode',
  'telephone',
  'mobile',
  'email',
  'nhs_number',
  'social_services_number',
  'external_id',
  'gp_name',
  'gp_surgery',
  'school',
  'consent',
  'preferred_communication_method',
  'usual_support_worker',
  'active',
  'deceased',
  'age_range',
  'type',
  'updated',
] as const;

/** Filter keys of /clients, verbatim from the seed. */
export const CLIENT_FILTERS = [
  'accommodation',
  'active',
  'age_range',
  'blue_badge_holder',
  'consent',
  'county',
  'deceased',
  'district',
  'employment_status',
  'ethnicity',
  'external_id',
  'gender',
  'gp_name',
  'gp_surgery',
  'id',
  'main_disability',
  'main_language',
  'marital_status',
  'nhs_number',
  'people_in_household',
  'postcode',
  'preferred_communication_method',
  'registered_disabled',
  'religion',
  'school',
  'sexual_orientation',
  'social_services_number',
  'usual_support_worker',
] as const;

/** Filter keys that referrals and contacts take for their client, `client_<client field>`. */
export const CLIENT_PREFIXED_FILTERS = [
  'client_accommodation',
  'client_active',
  'client_age_range',
  'client_blue_badge_holder',
  'client_county',
  'client_district',
  'client_employment_status',
  'client_ethnicity',
  'client_external_id',
  'client_gender',
  'client_gp_name',
  'client_gp_surgery',
  'client_main_disability',
  'client_main_language',
  'client_marital_status',
  'client_nhs_number',
  'client_people_in_household',
  'client_postcode',
  'client_preferred_communication_method',
  'client_registered_disabled',
  'client_religion',
  'client_school',
  'client_sexual_orientation',
  'client_type',
] as const;

// ---- referrals -------------------------------------------------------------------------------

export const REFERRAL_FIELDS = [
  'id',
  'client',
  'client_type',
  'date',
  'project',
  'template',
  'stage',
  'description',
  'project_category',
  'contact_method',
  'funding_sponsor',
  'contact_type',
  'referrer',
  'introduction_source',
  'additional_org_person',
  'priority',
  'response_method',
  'referral_complete',
  'updated',
] as const;

/** Filter keys of /referrals, verbatim from the seed (`date` and `updated` are ranges). */
export const REFERRAL_FILTERS = [
  'additional_org_person',
  'client',
  ...CLIENT_PREFIXED_FILTERS,
  'contact_method',
  'contact_type',
  'date',
  'description',
  'funding_sponsor',
  'id',
  'introduction_source',
  'priority',
  'project',
  'project_active',
  'project_category',
  'project_name',
  'referral_complete',
  'referrer',
  'response_method',
  'stage',
  'template',
  'updated',
] as const;

// ---- contacts (due and done share one id space) ------------------------------------------------

export const CONTACT_FIELDS = [
  'id',
  'referral',
  'client',
  'user',
  'project',
  'start_date',
  'end_date',
  'description',
  'stage',
  'due_stage',
  'contact_type',
  'contact_method',
  'travel_time',
  'travel_mileage',
  'transport_method',
  'priority',
  'updated',
] as const;

/** Filter keys of /done_contacts, verbatim from the seed; due_contacts take the same (assumption). */
export const CONTACT_FILTERS = [
  'client',
  ...CLIENT_PREFIXED_FILTERS,
  'contact_method',
  'contact_type',
  'due_stage',
  'end_date',
  'funding_sponsor',
  'id',
  'introduction_source',
  'priority',
  'project',
  'project_active',
  'project_category',
  'project_name',
  'referral',
  'referral_complete',
  'referrer',
  'response_method',
  'stage',
  'template',
  'travel_mileage',
  'travel_time',
  'user',
] as const;

// ---- workers and schedules (read-only through the API) -------------------------------------------

export const WORKER_FIELDS = ['id', 'first_name', 'surname', 'user', 'email', 'telephone', 'job_title', 'active', 'updated'] as const;
export const WORKER_FILTERS = ['id', 'user', 'active'] as const;

export const SCHEDULE_FIELDS = ['id', 'client', 'referral', 'worker', 'start_date', 'end_date', 'frequency', 'description', 'updated'] as const;
export const SCHEDULE_FILTERS = ['id', 'client', 'referral', 'worker', 'frequency'] as const;

// ---- per-group tables ---------------------------------------------------------------------------

export const GROUP_FIELDS: Record<RecordGroup, readonly string[]> = {
  clients: CLIENT_FIELDS,
  referrals: REFERRAL_FIELDS,
  due_contacts: CONTACT_FIELDS,
  done_contacts: CONTACT_FIELDS,
  workers: WORKER_FIELDS,
  schedules: SCHEDULE_FIELDS,
};

/** Plain filter keys per group (the date ranges are listed separately in GROUP_RANGES). */
export const GROUP_FILTERS: Record<RecordGroup, readonly string[]> = {
  clients: CLIENT_FILTERS,
  referrals: REFERRAL_FILTERS.filter((k) => !isRangeKey(k)),
  due_contacts: CONTACT_FILTERS,
  done_contacts: CONTACT_FILTERS,
  workers: WORKER_FILTERS,
  schedules: SCHEDULE_FILTERS,
};

/** Date ranges per group: the seed allows them for referrals, contacts and schedules; `updated` only on referrals (assumptions). */
export const GROUP_RANGES: Record<RecordGroup, readonly RangeKey[]> = {
  clients: [],
  referrals: ['date_active', 'date', 'updated'],
  due_contacts: ['date_active'],
  done_contacts: ['date_active'],
  workers: [],
  schedules: ['date_active'],
};

/** Which fields of which group are dictionary ids, and where their names live (`dictionary/<api_group>/<table>`). */
export const DICTIONARY_FIELDS: Record<string, string> = {
  // clients ("organisations" in the vendor's datadict)
  'clients.gender': 'organisations/gender',
  'clients.ethnicity': 'organisations/ethnicity',
  'clients.religion': 'organisations/religion',
  'clients.sexual_orientation': 'organisations/sexual_orientation',
  'clients.marital_status': 'organisations/marital_status',
  'clients.main_language': 'organisations/main_language',
  'clients.main_disability': 'organisations/main_disability',
  'clients.accommodation': 'organisations/accommodation',
  'clients.county': 'organisations/county',
  'clients.district': 'organisations/district',
  'clients.gp_surgery': 'organisations/gp_surgery',
  'clients.school': 'organisations/school',
  'clients.preferred_communication_method': 'organisations/preferred_communication_method',
  'clients.age_range': 'organisations/age_range',
  'clients.type': 'organisations/type',
  'clients.website_photo_consent': 'organisations/website_photo_consent',
  // referrals
  'referrals.client_type': 'organisations/type',
  'referrals.project': 'referrals/project',
  'referrals.template': 'referrals/template',
  'referrals.stage': 'referrals/stage',
  'referrals.project_category': 'referrals/project_category',
  'referrals.contact_method': 'contacts/contact_method',
  'referrals.contact_type': 'contacts/contact_type',
  'referrals.funding_sponsor': 'referrals/funding_sponsor',
  'referrals.referrer': 'referrals/referrer',
  'referrals.introduction_source': 'referrals/introduction_source',
  'referrals.priority': 'referrals/priority',
  'referrals.response_method': 'referrals/response_method',
  // contacts
  'due_contacts.project': 'referrals/project',
  'due_contacts.stage': 'referrals/stage',
  'due_contacts.due_stage': 'referrals/stage',
  'due_contacts.contact_type': 'contacts/contact_type',
  'due_contacts.contact_method': 'contacts/contact_method',
  'due_contacts.transport_method': 'contacts/transport_method',
  'due_contacts.priority': 'referrals/priority',
  'done_contacts.project': 'referrals/project',
  'done_contacts.stage': 'referrals/stage',
  'done_contacts.due_stage': 'referrals/stage',
  'done_contacts.contact_type': 'contacts/contact_type',
  'done_contacts.contact_method': 'contacts/contact_method',
  'done_contacts.transport_method': 'contacts/transport_method',
  'done_contacts.priority': 'referrals/priority',
};

export function dictionaryFor(group: string, field: string): string | undefined {
  return DICTIONARY_FIELDS[`${group}.${field}`];
}

/** Every dictionary the data model references, plus the two relationship dictionaries. */
export const DICTIONARY_TABLES: readonly string[] = [...new Set(Object.values(DICTIONARY_FIELDS))].sort();
export const RELATIONSHIP_DICTIONARIES = ['relationships', 'carer_relationships'] as const;

/** Numeric (integer/decimal) fields; every other non-id field is text. Ids and dictionary fields are integers. */
export const NUMERIC_FIELDS = new Set(['id', 'client', 'referral', 'user', 'worker', 'usual_support_worker', 'people_in_household', 'travel_time', 'travel_mileage', 'additional_org_person', 'type']);

/** Y/N flag fields. */
// employment_status is a flag too: the seed's example asks for "clients who were unemployed" as
// `client_employment_status/N`.
export const FLAG_FIELDS = new Set(['employment_status', 'registered_disabled', 'blue_badge_holder', 'active', 'deceased', 'consent', 'referral_complete', 'project_active']);

/** How a field is stored and compared (the simulator's columns, the replica's filters). */
export type StorageKind = 'int' | 'real' | 'flag' | 'date' | 'timestamp' | 'text';

export function storageKind(group: string, field: string): StorageKind {
  if (field === 'travel_mileage') return 'real';
  if (NUMERIC_FIELDS.has(field) || dictionaryFor(group, field)) return 'int';
  if (FLAG_FIELDS.has(field)) return 'flag';
  if (field === 'dob' || field === 'date' || /^date_\d+$/.test(field)) return 'date';
  if (field === 'start_date' || field === 'end_date' || field === 'updated') return 'timestamp';
  return 'text';
}

/** Relationship fields accepted in a client POST (seed: "Updating Records"). */
export const RELATIONSHIP_FIELDS = ['id_second', 'relationship_first_to_second', 'relationship_second_to_first', 'relationship_first_to_second_carer', 'relationship_second_to_first_carer'] as const;

/** Mandatory fields on create/complete (later public docs; see ../dizions-api.md). */
export const MANDATORY = {
  createClient: ['first_name', 'surname'],
  createReferral: ['client', 'client_type', 'date', 'project', 'template', 'stage', 'description'],
  createDueContact: ['user', 'start_date', 'end_date', 'description'],
  completeContact: ['user', 'stage', 'start_date', 'end_date', 'description'],
  externalReferral: ['org_type_id', 'surname', 'description'],
} as const;

/** Referral stages map to a status through their template. */
export const STAGE_STATUSES = ['Pending', 'Open', 'Closed'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];
