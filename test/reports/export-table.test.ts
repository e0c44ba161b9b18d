// What people read from a report result: dictionary names instead of ids, "(no value)" for the
// records with none, a crosstab with totals when there is a metric, time in order.
import { describe, expect, it } from 'vitest';
import { columnValues, reportTitle, toCrosstab, toDisplayTable, toLongTable, type ReportTable } from '../../shared/reports/report-table.js';
import { clientsByDistrict, clientsByDistrictAndGender, contactsByDay } from '../support/report-export-fixtures.js';

describe('a dimension-only report', () => {
  it('shows names instead of ids, sorted by name, with the no-value row last', () => {
    const display = toDisplayTable(clientsByDistrict());
    expect(display.columns).toEqual([
      { key: 'district', label: 'District', numeric: false },
      { key: 'count', label: 'Count', numeric: true },
    ]);
    expect(display.rows).toEqual([
      ['Harrogate, North', 9],
      ['Leeds', 22],
      ["Ynys Môn (Siân's patch)", 31],
      ['(no value)', 4],
    ]);
    expect(display.total).toBe(66);
  });

  it('shows a value that has no dictionary name as it is', () => {
    const table = clientsByDistrict();
    table.rows.push({ district: 77, count: 1 });
    expect(toDisplayTable(table).rows.map((r) => r[0])).toContain('77');
  });

  it('tells apart two ids that share one name', () => {
    const table = clientsByDistrict();
    table.names = { district: { '1': 'Central', '2': 'Central', '4': 'North' } };
    expect(toDisplayTable(table).rows.map((r) => r[0])).toEqual(['Central (#1)', 'Central (#2)', 'North', '(no value)']);
  });

  it('orders numbers within names numerically (Ward 2 before Ward 10)', () => {
    const table: ReportTable = {
      ...clientsByDistrict(),
      rows: [
        { district: 10, count: 1 },
        { district: 2, count: 1 },
      ],
      names: { district: { '10': 'Ward 10', '2': 'Ward 2' } },
    };
    expect(toDisplayTable(table).rows.map((r) => r[0])).toEqual(['Ward 2', 'Ward 10']);
  });
});

describe('a dimension × metric report', () => {
  it('is shown as a crosstab: one row per district, one column per gender, then the total', () => {
    const display = toDisplayTable(clientsByDistrictAndGender());
    expect(display.columns.map((c) => c.label)).toEqual(['District', 'Female', 'Male', 'Non-binary', '(no value)', 'Total']);
    expect(display.rows).toEqual([
      ['=HYPERLINK("http://evil.example","click")', 0, 3, 0, 0, 3],
      ['Harrogate, North', 7, 0, 2, 0, 9],
      ['Leeds', 12, 9, 0, 1, 22],
      ['The "Old" Town\nWest', 5, 15, 0, 0, 20],
      ["Ynys Môn (Siân's patch)", 20, 11, 0, 0, 31],
      ['(no value)', 6, 4, 0, 5, 15],
    ]);
  });

  it('keeps the server rows in a long form too, and both add up to the records matched', () => {
    const table = clientsByDistrictAndGender();
    const long = toLongTable(table);
    const cross = toCrosstab(table);
    expect(long.columns.map((c) => c.label)).toEqual(['District', 'Gender', 'Count']);
    expect(long.rows).toHaveLength(table.rows.length);
    expect(long.rows[0]).toEqual(['=HYPERLINK("http://evil.example","click")', 'Male', 3]);
    expect(long.rows.at(-1)).toEqual(['(no value)', '(no value)', 5]);
    const longSum = long.rows.reduce((s, r) => s + (r[2] as number), 0);
    const crossSum = cross.rows.reduce((s, r) => s + (r[5] as number), 0);
    expect(longSum).toBe(100);
    expect(crossSum).toBe(100);
    expect(cross.total).toBe(100);
  });

  it('makes a title from the group, dimension and metric when the definition has none', () => {
    const { definition } = clientsByDistrictAndGender();
    expect(reportTitle({ ...definition, title: undefined })).toBe('Clients by district and gender');
    expect(reportTitle({ ...definition, title: 'Funders Q3' })).toBe('Funders Q3');
  });
});

describe('a time dimension', () => {
  it('is ordered chronologically, the undated row last', () => {
    expect(toDisplayTable(contactsByDay()).rows.map((r) => r[0])).toEqual(['2018-10-02', '2018-10-03', '2018-10-05', '2018-10-09', '(no value)']);
  });

  it('orders ISO weeks and months as time, not as names', () => {
    const table: ReportTable = {
      ...contactsByDay(),
      definition: { ...contactsByDay().definition, dimension: 'week' },
      rows: [
        { week: '2019-W01', count: 1 },
        { week: '2018-W52', count: 1 },
        { week: '2018-W09', count: 1 },
      ],
      sums: undefined,
    };
    expect(columnValues(table, 'week').map((v) => v.label)).toEqual(['2018-W09', '2018-W52', '2019-W01']);
  });

  it('carries travel sums as extra columns beside the counts, rounded to pence-like precision', () => {
    const display = toDisplayTable(contactsByDay());
    expect(display.columns.map((c) => c.label)).toEqual(['Day', 'Count', 'Travel time', 'Travel mileage']);
    expect(display.rows[0]).toEqual(['2018-10-02', 3, 45, 0.1]);
    expect(display.rows.at(-1)).toEqual(['(no value)', 2, 0, 0.2]);
  });

  it('totals sums per dimension row in a crosstab', () => {
    const table: ReportTable = {
      ...contactsByDay(),
      definition: { ...contactsByDay().definition, dimension: 'month', metric: 'project' },
      rows: [
        { month: '2018-10', project: 1, count: 2 },
        { month: '2018-10', project: 2, count: 3 },
      ],
      sums: [
        { travel_time: 10, travel_mileage: 0.1 },
        { travel_time: 5, travel_mileage: 0.2 },
      ],
      names: { project: { '1': 'Befriending', '2': 'Advocacy' } },
    };
    const display = toDisplayTable(table);
    expect(display.columns.map((c) => c.label)).toEqual(['Month', 'Advocacy', 'Befriending', 'Total', 'Travel time', 'Travel mileage']);
    expect(display.rows).toEqual([['2018-10', 3, 2, 5, 15, 0.3]]);
  });
});
