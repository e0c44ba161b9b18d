// The simulated charity's vocabulary: names, places and every dictionary the data model uses.
// Pure data. Dictionary ids are fixed here (not generated) so that demo paths such as
// `clients/website_photo_consent/109` and `type` defaulting to 1 mean the same on every seed.

export interface Place {
  town: string;
  county: string;
  district: string;
  area: string;
  localities: string[];
}

export const PLACES: readonly Place[] = [
  { town: 'Leeds', county: 'West Yorkshire', district: 'Leeds', area: 'LS', localities: ['Headingley', 'Chapel Allerton', 'Armley', 'Seacroft', 'Beeston'] },
  { town: 'Bradford', county: 'West Yorkshire', district: 'Bradford', area: 'BD', localities: ['Manningham', 'Shipley', 'Idle', 'Wibsey'] },
  { town: 'Huddersfield', county: 'West Yorkshire', district: 'Kirklees', area: 'HD', localities: ['Lindley', 'Marsh', 'Almondbury'] },
  { town: 'Halifax', county: 'West Yorkshire', district: 'Calderdale', area: 'HX', localities: ['King Cross', 'Ovenden', 'Sowerby Bridge'] },
  { town: 'Wakefield', county: 'West Yorkshire', district: 'Wakefield', area: 'WF', localities: ['Horbury', 'Ossett', 'Outwood'] },
  { town: 'York', county: 'North Yorkshire', district: 'York', area: 'YO', localities: ['Acomb', 'Heworth', 'Clifton'] },
  { town: 'Harrogate', county: 'North Yorkshire', district: 'Harrogate', area: 'HG', localities: ['Bilton', 'Starbeck', 'Pannal'] },
  { town: 'Sheffield', county: 'South Yorkshire', district: 'Sheffield', area: 'S', localities: ['Hillsborough', 'Crookes', 'Darnall', 'Heeley'] },
  { town: 'Doncaster', county: 'South Yorkshire', district: 'Doncaster', area: 'DN', localities: ['Balby', 'Bessacarr', 'Wheatley'] },
  { town: 'Manchester', county: 'Greater Manchester', district: 'Manchester', area: 'M', localities: ['Moss Side', 'Levenshulme', 'Chorlton', 'Ancoats'] },
  { town: 'Stockport', county: 'Greater Manchester', district: 'Stockport', area: 'SK', localities: ['Edgeley', 'Heaton Moor', 'Marple'] },
  { town: 'Cardiff', county: 'South Glamorgan', district: 'Cardiff', area: 'CF', localities: ['Grangetown', 'Splott', 'Canton', 'Llanishen'] },
  { town: 'Swansea', county: 'West Glamorgan', district: 'Swansea', area: 'SA', localities: ['Sketty', 'Morriston', 'Townhill'] },
  { town: 'Exeter', county: 'Devon', district: 'Exeter', area: 'EX', localities: ['Heavitree', 'St Thomas', 'Pinhoe'] },
  { town: 'Norwich', county: 'Norfolk', district: 'Norwich', area: 'NR', localities: ['Eaton', 'Lakenham', 'Mile Cross'] },
];

export const STREETS: readonly string[] = [
  'Station Road',
  'High Street',
  'Church Lane',
  'Victoria Street',
  'Park Avenue',
  'Mill Lane',
  'Queen Street',
  'Springfield Road',
  'The Crescent',
  'Beech Grove',
  'Oakwood Drive',
  'Albert Terrace',
  'Heol y Coed',
  'Ffordd yr Afon',
  'Chapel Street',
  'Meadow Close',
  'Orchard Way',
  'Manor Road',
  'Windsor Court',
  'Green Lane',
];

export const FEMALE_NAMES: readonly string[] = [
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Mia',
  'Grace',
  'Freya',
  'Lily',
  'Emily',
  'Sophie',
  'Chloe',
  'Zoë',
  'Siân',
  'Aoife',
  'Siobhán',
  'Niamh',
  'Megan',
  'Bethan',
  'Ffion',
  'Cerys',
  'Priya',
  'Aisha',
  'Fatima',
  'Amira',
  'Zainab',
  'Maryam',
  'Agnieszka',
  'Małgorzata',
  'Renée',
  'Chloé',
  'Margaret',
  'Dorothy',
  'Joan',
  'Patricia',
  'Susan',
  'Janet',
  'Karen',
  'Helen',
  'Sarah',
  'Rachel',
];

export const MALE_NAMES: readonly string[] = [
  'Oliver',
  'George',
  'Noah',
  'Arthur',
  'Harry',
  'Leo',
  'Jack',
  'Charlie',
  'Oscar',
  'Jacob',
  'Dafydd',
  'Rhodri',
  'Gareth',
  'Owain',
  'Seán',
  'Ciarán',
  'Mohammed',
  'Ahmed',
  'Imran',
  'Arjun',
  'Rohan',
  'Tomasz',
  'Łukasz',
  'Piotr',
  'Kwame',
  'Chidi',
  'David',
  'John',
  'Michael',
  'Peter',
  'Robert',
  'Brian',
  'Kenneth',
  'Derek',
  'Stephen',
  'Paul',
  'Andrew',
  'Mark',
  'Gavin',
  'Darren',
];

export const NEUTRAL_NAMES: readonly string[] = ['Alex', 'Sam', 'Jordan', 'Robin', 'Jamie', 'Charlie', 'Morgan', 'Rowan'];

export const SURNAMES: readonly string[] = [
  'Smith',
  'Jones',
  'Williams',
  'Taylor',
  'Brown',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Johnson',
  'Roberts',
  'Robinson',
  'Thompson',
  'Wright',
  'Walker',
  'White',
  'Edwards',
  'Hughes',
  'Green',
  'Hall',
  'Lewis',
  'Harris',
  'Clarke',
  'Patel',
  'Jackson',
  'Wood',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Moore',
  'Clark',
  'Lee',
  'King',
  'Baker',
  'Harrison',
  'Morgan',
  'Allen',
  'James',
  'Scott',
  'Phillips',
  'Watson',
  'Parker',
  'Price',
  'Bennett',
  'Young',
  'Griffiths',
  'Mitchell',
  'Kelly',
  'Cook',
  'Carter',
  'Bailey',
  'Collins',
  'Bell',
  'Shaw',
  'Murphy',
  'Khan',
  'Ahmed',
  'Hussain',
  'Begum',
  'Ali',
  'Shah',
  'Singh',
  'Kaur',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  "O'Brien",
  "O'Connor",
  'McDonald',
  'MacLeod',
  'Nguyen',
  'Okafor',
  'Mensah',
  'Llewellyn',
  'Pritchard',
  'Smith-Jones',
  'Dubois',
  'Müller',
  'ap Gwilym',
];

export const JOB_TITLES: readonly string[] = [
  'Support Worker',
  'Senior Support Worker',
  'Caseworker',
  'Advice Worker',
  'Befriending Coordinator',
  'Carers Support Worker',
  'Volunteer Coordinator',
  'Team Leader',
];

export const SUPPORT_NOTES: readonly string[] = [
  'Phoned to check in; client in good spirits',
  'Home visit: discussed benefits review',
  'Helped complete PIP form',
  'Accompanied to GP appointment',
  'Left voicemail, will try again',
  'Reviewed support plan together',
  'Signposted to food bank',
  'Arranged befriender introduction',
  "Discussed carer's assessment",
  'Welfare check after hospital discharge',
  'Letter sent confirming appointment',
  'Shopping trip and coffee',
];

export const REFERRAL_NOTES: readonly string[] = [
  'Referred for help with isolation after bereavement',
  'Needs support with housing benefit claim',
  'Carer struggling to cope, requests respite information',
  'Low mood, wants peer support group',
  'Discharged from hospital, needs settling-in support',
  'Debt advice requested',
  'Young carer for parent with MS',
  'Support to attend medical appointments',
  'Wants to rebuild confidence after illness',
];

// ---- dictionaries ----------------------------------------------------------------------------------

export interface DictionaryItem {
  id: number;
  name: string;
  extra?: Record<string, unknown>;
}

/** Entries listed by name get consecutive ids from `firstId`; projects and stages carry extras. */
interface DictionarySpec {
  firstId: number;
  names: readonly string[];
}

const unique = (values: string[]) => [...new Set(values)];

const SIMPLE: Record<string, DictionarySpec> = {
  'organisations/type': { firstId: 1, names: ['Client', 'Carer', 'Family member'] },
  'organisations/website_photo_consent': { firstId: 108, names: ['No', 'Yes', 'Not asked'] },
  'organisations/gender': { firstId: 201, names: ['Female', 'Male', 'Non-binary', 'Prefer to self-describe', 'Prefer not to say'] },
  'organisations/ethnicity': {
    firstId: 301,
    names: [
      'White - English, Welsh, Scottish, Northern Irish or British',
      'White - Irish',
      'White - Gypsy or Irish Traveller',
      'White - Roma',
      'White - Other',
      'Mixed - White and Black Caribbean',
      'Mixed - White and Black African',
      'Mixed - White and Asian',
      'Mixed - Other',
      'Asian - Indian',
      'Asian - Pakistani',
      'Asian - Bangladeshi',
      'Asian - Chinese',
      'Asian - Other',
      'Black - African',
      'Black - Caribbean',
      'Black - Other',
      'Arab',
      'Other ethnic group',
      'Prefer not to say',
    ],
  },
  'organisations/religion': { firstId: 401, names: ['No religion', 'Christian', 'Muslim', 'Hindu', 'Sikh', 'Jewish', 'Buddhist', 'Other', 'Prefer not to say'] },
  'organisations/sexual_orientation': { firstId: 501, names: ['Heterosexual or straight', 'Gay or lesbian', 'Bisexual', 'Pansexual', 'Asexual', 'Other', 'Prefer not to say'] },
  'organisations/marital_status': { firstId: 601, names: ['Single', 'Married', 'Civil partnership', 'Cohabiting', 'Separated', 'Divorced', 'Widowed', 'Prefer not to say'] },
  'organisations/main_language': {
    firstId: 701,
    names: [
      'English',
      'Welsh',
      'Polish',
      'Urdu',
      'Punjabi',
      'Bengali',
      'Gujarati',
      'Arabic',
      'Romanian',
      'Somali',
      'Portuguese',
      'Cantonese',
      'Kurdish',
      'Tigrinya',
      'British Sign Language',
      'Irish',
      'Scottish Gaelic',
    ],
  },
  'organisations/main_disability': {
    firstId: 801,
    names: ['None', 'Physical impairment', 'Sight impairment', 'Hearing impairment', 'Learning disability', 'Mental health condition', 'Long-term illness', 'Dementia', 'Autism', 'Prefer not to say'],
  },
  'organisations/accommodation': {
    firstId: 901,
    names: [
      'Owner occupier',
      'Council tenant',
      'Housing association tenant',
      'Private rented',
      'Living with family',
      'Supported housing',
      'Residential care',
      'No fixed abode',
      'Temporary accommodation',
    ],
  },
  'organisations/county': { firstId: 1101, names: unique(PLACES.map((p) => p.county)) },
  'organisations/district': { firstId: 1201, names: unique(PLACES.map((p) => p.district)) },
  'organisations/gp_surgery': { firstId: 1301, names: PLACES.flatMap((p) => [`${p.town} Health Centre`, `${p.localities[0]} Medical Practice`]) },
  'organisations/school': { firstId: 1401, names: PLACES.flatMap((p) => [`${p.localities[1] ?? p.town} Primary School`, `${p.town} Academy`]) },
  'organisations/preferred_communication_method': { firstId: 1501, names: ['Telephone', 'Mobile', 'Text message', 'Email', 'Letter', 'In person'] },
  'organisations/age_range': { firstId: 1601, names: ['0-17', '18-25', '26-39', '40-64', '65-79', '80+'] },
  'referrals/project_category': { firstId: 1701, names: ['Older People', 'Carers', 'Mental Health', 'Advice', 'Children and Young People', 'Health'] },
  'referrals/template': { firstId: 1801, names: ['Standard casework', 'Short intervention', 'Befriending journey'] },
  'referrals/funding_sponsor': { firstId: 2001, names: ['National Lottery Community Fund', 'Adult Social Care', 'NHS Integrated Care Board', 'Children in Need', 'Public Health', 'Charity reserves'] },
  'referrals/referrer': {
    firstId: 2101,
    names: ['Self-referral', 'Adult Social Care', 'Citizens Advice', 'Age UK', 'Mind', 'Local GP practice', 'Community Mental Health Team', 'Housing Options', 'Hospital discharge team'],
  },
  'referrals/introduction_source': {
    firstId: 2201,
    names: ['Self', 'Family or friend', 'GP', 'Hospital', 'Social worker', 'Community nurse', 'Housing officer', 'School', 'Other charity', 'Website', 'Leaflet'],
  },
  'referrals/priority': { firstId: 2301, names: ['Low', 'Medium', 'High', 'Urgent'] },
  'referrals/response_method': { firstId: 2401, names: ['Telephone', 'Letter', 'Email', 'Home visit', 'Text message'] },
  'contacts/contact_method': { firstId: 2501, names: ['Telephone', 'Home visit', 'Office appointment', 'Video call', 'Email', 'Text message', 'Letter'] },
  'contacts/contact_type': { firstId: 2601, names: ['Assessment', 'Support session', 'Follow-up call', 'Review', 'Advocacy', 'Signposting', 'Welfare check', 'Admin'] },
  'contacts/transport_method': { firstId: 2701, names: ['Car', 'Public transport', 'Walking', 'Bicycle', 'Taxi', 'Not applicable'] },
  relationships: {
    firstId: 2801,
    names: ['Mother', 'Father', 'Son', 'Daughter', 'Husband', 'Wife', 'Partner', 'Brother', 'Sister', 'Grandparent', 'Grandchild', 'Friend', 'Neighbour', 'Carer', 'Cared for person', 'Guardian'],
  },
  carer_relationships: { firstId: 2901, names: ['Main carer', 'Secondary carer', 'Cared for by', 'Not a carer'] },
};

/** Stages per template, each with the status it maps to (Pending, Open, Closed). */
const STAGES: Record<string, ReadonlyArray<readonly [string, 'Pending' | 'Open' | 'Closed']>> = {
  'Standard casework': [
    ['Referral received', 'Pending'],
    ['Awaiting assessment', 'Pending'],
    ['Assessment', 'Open'],
    ['Active support', 'Open'],
    ['Review', 'Open'],
    ['Closed - outcomes met', 'Closed'],
    ['Closed - withdrew', 'Closed'],
  ],
  'Short intervention': [
    ['New enquiry', 'Pending'],
    ['In progress', 'Open'],
    ['Closed - advice given', 'Closed'],
    ['Closed - signposted', 'Closed'],
  ],
  'Befriending journey': [
    ['Waiting for match', 'Pending'],
    ['Matched', 'Open'],
    ['Regular visits', 'Open'],
    ['Ended', 'Closed'],
  ],
};

/** Projects with their category, default template and whether they are still running. */
const PROJECTS: ReadonlyArray<{ name: string; category: string; template: string; active: 'Y' | 'N' }> = [
  { name: 'Befriending', category: 'Older People', template: 'Befriending journey', active: 'Y' },
  { name: 'Carers Support', category: 'Carers', template: 'Standard casework', active: 'Y' },
  { name: 'Young Carers', category: 'Children and Young People', template: 'Standard casework', active: 'Y' },
  { name: 'Advice Line', category: 'Advice', template: 'Short intervention', active: 'Y' },
  { name: 'Welfare Benefits', category: 'Advice', template: 'Standard casework', active: 'Y' },
  { name: 'Mental Health Recovery', category: 'Mental Health', template: 'Standard casework', active: 'Y' },
  { name: 'Home from Hospital', category: 'Health', template: 'Short intervention', active: 'Y' },
  { name: 'Dementia Café', category: 'Older People', template: 'Befriending journey', active: 'N' },
];

/** Every dictionary as `table_ref → items`, ids fixed. */
export function buildDictionaries(): Map<string, DictionaryItem[]> {
  const out = new Map<string, DictionaryItem[]>();
  for (const [table, spec] of Object.entries(SIMPLE)) {
    out.set(
      table,
      spec.names.map((name, i) => ({ id: spec.firstId + i, name })),
    );
  }
  const idOf = (table: string, name: string) => {
    const item = out.get(table)?.find((e) => e.name === name);
    if (!item) throw new Error(`vocabulary: no ${name} in ${table}`);
    return item.id;
  };
  let stageId = 1901;
  const stages: DictionaryItem[] = [];
  for (const [template, list] of Object.entries(STAGES)) {
    for (const [name, status] of list) stages.push({ id: stageId++, name, extra: { template: idOf('referrals/template', template), status } });
  }
  out.set('referrals/stage', stages);
  out.set(
    'referrals/project',
    PROJECTS.map((p, i) => ({
      id: 101 + i,
      name: p.name,
      extra: { category: idOf('referrals/project_category', p.category), active: p.active, template: idOf('referrals/template', p.template) },
    })),
  );
  return out;
}

/** Relationship pairs the generator uses: [first→second, second→first, carer first→second, carer second→first]. */
export const RELATIONSHIP_PAIRS: ReadonlyArray<readonly [string, string, string | null, string | null]> = [
  ['Mother', 'Son', null, null],
  ['Daughter', 'Father', 'Main carer', 'Cared for by'],
  ['Husband', 'Wife', null, null],
  ['Partner', 'Partner', 'Secondary carer', 'Cared for by'],
  ['Carer', 'Cared for person', 'Main carer', 'Cared for by'],
  ['Brother', 'Sister', null, null],
  ['Neighbour', 'Neighbour', null, null],
  ['Grandparent', 'Grandchild', null, null],
];

/** The demo logins: named people with different project memberships (by project name). */
export const DEMO_USERS: ReadonlyArray<{ first: string; surname: string; projects: readonly string[]; job: string }> = [
  { first: 'Priya', surname: 'Shah', projects: ['Befriending', 'Carers Support'], job: 'Senior Support Worker' },
  { first: 'Tom', surname: 'Evans', projects: ['Advice Line', 'Welfare Benefits'], job: 'Advice Worker' },
  { first: 'Siân', surname: 'Jones', projects: ['Mental Health Recovery', 'Home from Hospital', 'Young Carers'], job: 'Caseworker' },
];
