// The report builder's vocabulary: which groups, dimensions, metrics and filters each group
// offers (from the shared data model), and the two-way step between the pickers and a Dizions
// report path, always through the one URL grammar (never hand-split).

import { FLAG_FIELDS, GROUP_FIELDS, GROUP_FILTERS, GROUP_RANGES, TIME_DIMENSIONS, dictionaryFor, isRangeKey, type RecordGroup } from '../../../shared/dizions/model.js';
import { parsePath, printPath, type FilterPair, type RecordsPath } from '../../../shared/url-grammar.js';
import { addDays, todayInLondon } from '../format/uk-time.js';

export const REPORT_GROUPS = ['clients', 'referrals', 'due_contacts', 'done_contacts'] as const satisfies readonly RecordGroup[];
export type ReportGroup = (typeof REPORT_GROUPS)[number];

export const GROUP_LABELS: Record<ReportGroup, string> = {
  clients: 'Clients',
  referrals: 'Referrals',
  due_contacts: 'Actions (due contacts)',
  done_contacts: 'Contacts (done)',
};

const PERSON_FIELDS = ['user', 'usual_support_worker'];

/** Fields a count can be split by: dictionary ids, Y/N flags, workers. */
export function categoricalFields(group: ReportGroup): string[] {
  return GROUP_FIELDS[group].filter((f) => !!dictionaryFor(group, f) || FLAG_FIELDS.has(f) || PERSON_FIELDS.includes(f));
}

export function dimensionsFor(group: ReportGroup): string[] {
  return [...(group === 'clients' ? [] : TIME_DIMENSIONS), ...categoricalFields(group)];
}

export function filterKeysFor(group: ReportGroup): string[] {
  return [...GROUP_RANGES[group], ...GROUP_FILTERS[group].filter((k) => k !== 'id')];
}

/** The dictionary whose names a filter key or column takes (`client_district` → the clients' district). */
export function dictionaryOf(group: string, key: string): string | undefined {
  return dictionaryFor(group, key) ?? (key.startsWith('client_') ? dictionaryFor('clients', key.slice(7)) : undefined);
}

export function isFlagKey(key: string): boolean {
  return FLAG_FIELDS.has(key) || (key.startsWith('client_') && FLAG_FIELDS.has(key.slice(7)));
}

export interface FilterRow {
  key: string;
  /** `3` or `3;4` (alternatives), `Y`; for ranges `from` and `to` hold `YYYY-MM-DD`. */
  value: string;
  from: string;
  to: string;
}

export interface ReportChoice {
  group: ReportGroup;
  dimension: string;
  metric: string;
  filters: FilterRow[];
}

/** The report path for the pickers; throws GrammarError with a sentence when a value cannot be written. */
export function choiceToPath(choice: ReportChoice): string {
  const pairs: FilterPair[] = [];
  for (const f of choice.filters) {
    if (!f.key) continue;
    if (isRangeKey(f.key)) {
      if (f.from && f.to) pairs.push({ key: f.key, range: [f.from, f.to] });
    } else {
      const values = f.value
        .split(';')
        .map((v) => v.trim())
        .filter(Boolean);
      if (values.length > 0) pairs.push({ key: f.key, values });
    }
  }
  const path: RecordsPath = {
    kind: 'records',
    group: choice.group,
    pairs,
    report: { dimension: choice.dimension, ...(choice.metric ? { metric: choice.metric } : {}) },
  };
  return printPath(path);
}

/** The pickers for a typed report path; throws GrammarError, or Error for paths that are no report. */
export function pathToChoice(text: string): ReportChoice {
  const parsed = parsePath(text.trim().replace(/^\/?(v2\/)?/, ''));
  if (parsed.kind !== 'records' || !parsed.report) throw new Error('A report path needs /dimension/<field>, e.g. clients/dimension/district');
  if (!(REPORT_GROUPS as readonly string[]).includes(parsed.group)) throw new Error(`Reports cover ${REPORT_GROUPS.join(', ')}; not ${parsed.group}`);
  return {
    group: parsed.group as ReportGroup,
    dimension: parsed.report.dimension,
    metric: parsed.report.metric ?? '',
    filters: parsed.pairs.map((p) => ('range' in p ? { key: p.key, value: '', from: p.range[0], to: p.range[1] } : { key: p.key, value: p.values.join(';'), from: '', to: '' })),
  };
}

/** First and last day of this month in UK time, `YYYY-MM-DD`. */
export function thisMonth(): [string, string] {
  const today = todayInLondon();
  const first = `${today.slice(0, 8)}01`;
  const [y, m] = today.split('-').map(Number) as [number, number];
  const nextFirst = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return [first, addDays(nextFirst, -1)];
}

export interface Preset {
  name: string;
  path: string;
  /** Travel time and mileage totals in the exports. */
  sums?: boolean;
}

export function presets(): Preset[] {
  const [from, to] = thisMonth();
  return [
    { name: 'Contacts this month by day', path: `done_contacts/dimension/day/date_active/${from},${to}` },
    { name: 'Clients by district and gender', path: 'clients/dimension/district/metric/gender' },
    { name: 'Hours and miles travelled by project', path: 'done_contacts/dimension/project', sums: true },
    { name: 'Referrals by stage', path: 'referrals/dimension/stage' },
    { name: 'Contacts this month by worker', path: `done_contacts/dimension/user/date_active/${from},${to}` },
  ];
}
