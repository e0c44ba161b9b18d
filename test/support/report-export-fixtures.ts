// Report results shaped exactly as the server (and the offline engine) answers them, with the
// dictionary names a charity might really have: commas, quotes, line breaks, Welsh letters,
// and a name that a spreadsheet would try to run as a formula.

import type { ReportTable } from '../../shared/reports/report-table.js';

export const DISTRICTS: Record<string, string> = {
  '1': 'Leeds',
  '2': 'Harrogate, North',
  '3': 'The "Old" Town\nWest',
  '4': "Ynys Môn (Siân's patch)",
  '5': '=HYPERLINK("http://evil.example","click")',
};
export const GENDERS: Record<string, string> = { '1': 'Female', '2': 'Male', '3': 'Non-binary' };

const FRESHNESS = {
  lastSyncedAt: '2025-11-03 14:02:11',
  scoped: true,
  note: "Covers what was synced to this device: Ann Smith's caseload.",
};

/** `clients/dimension/district/metric/gender/blue_badge_holder/Y`: 13 server rows, 100 records. */
export function clientsByDistrictAndGender(): ReportTable {
  return {
    definition: {
      title: 'Clients by district and gender',
      path: 'clients/dimension/district/metric/gender/blue_badge_holder/Y',
      group: 'clients',
      dimension: 'district',
      metric: 'gender',
      filters: [{ key: 'blue_badge_holder', label: 'Blue badge holder', values: ['Yes'] }],
    },
    rows: [
      { district: 1, gender: 1, count: 12 },
      { district: 1, gender: 2, count: 9 },
      { district: 1, gender: null, count: 1 },
      { district: 2, gender: 1, count: 7 },
      { district: 2, gender: 3, count: 2 },
      { district: 3, gender: 2, count: 15 },
      { district: 3, gender: 1, count: 5 },
      { district: 4, gender: 1, count: 20 },
      { district: 4, gender: 2, count: 11 },
      { district: 5, gender: 2, count: 3 },
      { district: null, gender: 1, count: 6 },
      { district: null, gender: 2, count: 4 },
      { district: null, gender: null, count: 5 },
    ],
    names: { district: DISTRICTS, gender: GENDERS },
    generatedAt: new Date('2025-11-04T09:30:00Z'),
    replicaFreshness: { ...FRESHNESS },
  };
}

/** `clients/dimension/district`: one count per district, plus the no-value row. */
export function clientsByDistrict(): ReportTable {
  return {
    definition: { path: 'clients/dimension/district', group: 'clients', dimension: 'district', filters: [] },
    rows: [
      { district: 2, count: 9 },
      { district: 1, count: 22 },
      { district: null, count: 4 },
      { district: 4, count: 31 },
    ],
    names: { district: DISTRICTS },
    generatedAt: new Date('2025-07-01T12:00:00Z'),
    replicaFreshness: { ...FRESHNESS, lastSyncedAt: '2025-06-30T21:15:00Z', scoped: false, note: 'Full replica.' },
  };
}

/** `done_contacts/dimension/day/date_active/2018-10-01,2018-10-31/user/7`, rows in server order (not sorted). */
export function contactsByDay(): ReportTable {
  return {
    definition: {
      path: 'done_contacts/dimension/day/date_active/2018-10-01,2018-10-31/user/7',
      group: 'done_contacts',
      dimension: 'day',
      filters: [
        { key: 'date_active', label: 'Date active', values: ['01/10/2018 to 31/10/2018'] },
        { key: 'user', label: 'User', values: ['Siân Llewelyn'] },
      ],
    },
    rows: [
      { day: '2018-10-09', count: 4 },
      { day: '2018-10-02', count: 3 },
      { day: null, count: 2 },
      { day: '2018-10-05', count: 1 },
      { day: '2018-10-03', count: 6 },
    ],
    names: {},
    sums: [
      { travel_time: 120, travel_mileage: 14.5 },
      { travel_time: 45, travel_mileage: 0.1 },
      { travel_time: 0, travel_mileage: 0.2 },
      { travel_time: 30, travel_mileage: -2.5 },
      { travel_time: 90, travel_mileage: 22.25 },
    ],
    generatedAt: new Date('2018-11-01T08:00:00Z'),
    replicaFreshness: { lastSyncedAt: null, scoped: true, note: 'Covers what was synced.' },
  };
}

/** A long report: 500 districts named "Ward 1" … "Ward 500", count = id. */
export function fiveHundredWards(): ReportTable {
  const names: Record<string, string> = {};
  const rows: ReportTable['rows'] = [];
  for (let id = 1; id <= 500; id++) {
    names[String(id)] = `Ward ${id}`;
    rows.push({ district: id, count: id });
  }
  return {
    definition: { title: 'Clients by ward', path: 'clients/dimension/district', group: 'clients', dimension: 'district', filters: [] },
    rows,
    names: { district: names },
    generatedAt: new Date('2025-01-15T10:00:00Z'),
    replicaFreshness: { lastSyncedAt: '2025-01-15T09:00:00Z', scoped: false, note: 'Full replica.' },
  };
}
