// The report chart as SVG: bars as tall as their counts, stacks that add up to the row total,
// lines that run forward in time (gaps drawn as zero), text escaped, and a title and description
// a screen reader can announce.
import { describe, expect, it } from 'vitest';
import { chartModelFor, timeRange } from '../../shared/reports/chart-model.js';
import { layoutChart, niceScale } from '../../shared/reports/chart-layout.js';
import { escapeXml, reportChartSvg } from '../../main/reports/chart-svg.js';
import { toCrosstab, type ReportTable } from '../../shared/reports/report-table.js';
import { clientsByDistrict, clientsByDistrictAndGender, contactsByDay } from '../support/report-export-fixtures.js';

interface Element {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

/**
 * Checks the SVG is well-formed for the subset we write (tags balance, attributes quoted, every
 * `&` an entity, no stray `<`) and returns its elements with their attributes and direct text.
 */
function parseSvg(svg: string): Element[] {
  const elements: Element[] = [];
  const open: Element[] = [];
  const token = /<(\/?)([a-z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while ((match = token.exec(svg)) !== null) {
    at = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = match;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`unescaped & in ${JSON.stringify(text)}`);
      if (open.length > 0) open[open.length - 1]!.text += text;
      continue;
    }
    if (closing) {
      const top = open.pop();
      if (top?.name !== name) throw new Error(`</${name}> closes <${top?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText!.matchAll(/([a-zA-Z][a-zA-Z0-9:-]*)="([^"]*)"/g)) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(value!)) throw new Error(`unescaped & in attribute ${key}`);
      attrs[key!] = value!;
    }
    const element = { name: name!, attrs, text: '' };
    elements.push(element);
    if (!selfClosing) open.push(element);
  }
  if (at !== svg.length) throw new Error(`not well-formed at ${at}: ${svg.slice(at, at + 40)}`);
  if (open.length > 0) throw new Error(`<${open[0]!.name}> never closed`);
  return elements;
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const barsOf = (elements: Element[]) => elements.filter((e) => e.name === 'rect' && e.attrs['data-value'] !== undefined);

describe('bar chart (a dimension alone)', () => {
  it('draws one bar per district, each as tall as its count', () => {
    const elements = parseSvg(reportChartSvg(clientsByDistrict()));
    expect(elements[0]!.attrs['data-kind']).toBe('bar');
    const bars = barsOf(elements);
    expect(bars.map((b) => unescape(b.attrs['data-category']!))).toEqual(['Harrogate, North', 'Leeds', "Ynys Môn (Siân's patch)", '(no value)']);
    expect(bars.map((b) => Number(b.attrs['data-value']))).toEqual([9, 22, 31, 4]);
    const perUnit = bars.map((b) => Number(b.attrs.height) / Number(b.attrs['data-value']));
    for (const ratio of perUnit) expect(ratio).toBeCloseTo(perUnit[0]!, 1);
    // Bars stand on one baseline.
    const bottoms = bars.map((b) => Number(b.attrs.y) + Number(b.attrs.height));
    for (const bottom of bottoms) expect(bottom).toBeCloseTo(bottoms[0]!, 1);
  });

  it('has a title and a description that name the categories and counts', () => {
    const elements = parseSvg(reportChartSvg(clientsByDistrict(), undefined, { idPrefix: 'districts' }));
    const svg = elements[0]!;
    expect(svg.attrs.role).toBe('img');
    expect(svg.attrs['aria-labelledby']).toBe('districts-title districts-desc');
    const title = elements.find((e) => e.name === 'title' && e.attrs.id === 'districts-title')!;
    const desc = elements.find((e) => e.name === 'desc' && e.attrs.id === 'districts-desc')!;
    expect(title.text).toBe('Clients by district');
    expect(unescape(desc.text)).toContain('Bar chart of Clients by district. Harrogate, North 9, Leeds 22');
  });

  it('shows only the largest bars of a long tail, and says so', () => {
    const table = clientsByDistrict();
    table.rows = Array.from({ length: 50 }, (_, i) => ({ district: i + 1, count: i + 1 }));
    table.names = {};
    const model = chartModelFor(table, { maxCategories: 10 });
    expect(model.categories).toEqual(['41', '42', '43', '44', '45', '46', '47', '48', '49', '50']);
    expect(model.note).toBe('Showing the 10 largest of 50 district values; the table lists them all.');
  });
});

describe('stacked bar chart (dimension × metric)', () => {
  it('stacks one segment per gender, and each stack adds up to the row total of the table', () => {
    const table = clientsByDistrictAndGender();
    const elements = parseSvg(reportChartSvg(table));
    expect(elements[0]!.attrs['data-kind']).toBe('stacked-bar');
    const bars = barsOf(elements);
    const crosstab = toCrosstab(table);
    const layout = layoutChart(chartModelFor(table));

    for (const row of crosstab.rows) {
      const name = row[0] as string;
      const segments = bars.filter((b) => unescape(b.attrs['data-category']!) === name);
      const total = row[row.length - 1] as number;
      expect(segments.reduce((s, b) => s + Number(b.attrs['data-value']), 0)).toBe(total);
      expect(segments.reduce((s, b) => s + Number(b.attrs.height), 0)).toBeCloseTo(total * layout.scale, 1);
      // Segments touch: each starts where the one below it ends.
      for (let i = 1; i < segments.length; i++) {
        expect(Number(segments[i]!.attrs.y) + Number(segments[i]!.attrs.height)).toBeCloseTo(Number(segments[i - 1]!.attrs.y), 1);
      }
    }
  });

  it('has a legend entry per gender, the no-value series in grey', () => {
    const layout = layoutChart(chartModelFor(clientsByDistrictAndGender()));
    expect(layout.legend.map((l) => l.label.text)).toEqual(['Female', 'Male', 'Non-binary', '(no value)']);
    expect(layout.legend.at(-1)!.colour).toBe('#999999');
  });

  it('folds the smallest metric values into "Other" without losing a single record', () => {
    const table = clientsByDistrictAndGender();
    table.rows = Array.from({ length: 12 }, (_, m) => ({ district: 1, gender: m + 1, count: m + 1 }));
    table.names = {};
    const model = chartModelFor(table, { maxSeries: 4 });
    expect(model.series.map((s) => s.name)).toEqual(['10', '11', '12', 'Other (9)']);
    expect(model.series.reduce((s, x) => s + x.values[0]!, 0)).toBe(78);
  });
});

describe('line chart (time dimensions)', () => {
  it('runs forward in time, draws missing days as zero and leaves undated records out', () => {
    const elements = parseSvg(reportChartSvg(contactsByDay()));
    expect(elements[0]!.attrs['data-kind']).toBe('line');
    const points = elements.filter((e) => e.name === 'circle');
    expect(points.map((p) => p.attrs['data-category'])).toEqual(['2018-10-02', '2018-10-03', '2018-10-04', '2018-10-05', '2018-10-06', '2018-10-07', '2018-10-08', '2018-10-09']);
    expect(points.map((p) => Number(p.attrs['data-value']))).toEqual([3, 6, 0, 1, 0, 0, 0, 4]);
    const xs = points.map((p) => Number(p.attrs.cx));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const desc = elements.find((e) => e.name === 'desc')!;
    expect(desc.text).toContain('2 records with no day not shown.');
    expect(elements.filter((e) => e.name === 'polyline')).toHaveLength(1);
  });

  it('steps ISO weeks across a 53-week year and months across a year end', () => {
    expect(timeRange('week', '2020-W52', '2021-W02')).toEqual(['2020-W52', '2020-W53', '2021-W01', '2021-W02']);
    expect(timeRange('week', '2018-W52', '2019-W01')).toEqual(['2018-W52', '2019-W01']);
    expect(timeRange('month', '2018-11', '2019-02')).toEqual(['2018-11', '2018-12', '2019-01', '2019-02']);
    expect(timeRange('day', '2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(timeRange('day', '2024-02-28', 'not-a-date')).toBeUndefined();
  });

  it('draws one line per metric value for a time dimension with a metric', () => {
    const table: ReportTable = {
      ...contactsByDay(),
      definition: { ...contactsByDay().definition, dimension: 'month', metric: 'project' },
      rows: [
        { month: '2018-12', project: 1, count: 4 },
        { month: '2018-10', project: 1, count: 2 },
        { month: '2018-10', project: 2, count: 5 },
      ],
      names: { project: { '1': 'Befriending', '2': 'Advocacy' } },
      sums: undefined,
    };
    const model = chartModelFor(table);
    expect(model.kind).toBe('line');
    expect(model.categories).toEqual(['2018-10', '2018-11', '2018-12']);
    expect(model.series.map((s) => [s.name, s.values])).toEqual([
      ['Advocacy', [5, 0, 0]],
      ['Befriending', [2, 0, 4]],
    ]);
  });
});

describe('text in the SVG', () => {
  it('escapes names so that no markup from the data reaches the document', () => {
    const table = clientsByDistrict();
    table.names = { district: { '1': '<script>alert("x")</script>', '2': "Tom & Jerry's", '4': 'a\u0001b' } };
    const svg = reportChartSvg(table);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(svg).toContain('Tom &amp; Jerry&apos;s');
    const elements = parseSvg(svg);
    expect(elements.some((e) => e.name === 'script')).toBe(false);
    expect(barsOf(elements).map((b) => unescape(b.attrs['data-category']!))).toContain("Tom & Jerry's");
    expect(escapeXml('a\u0001b')).toBe('ab');
  });

  it('draws "No records matched" for an empty report rather than failing', () => {
    const table = clientsByDistrict();
    table.rows = [];
    const elements = parseSvg(reportChartSvg(table));
    expect(barsOf(elements)).toHaveLength(0);
    expect(elements.some((e) => e.name === 'text' && e.text === 'No records matched')).toBe(true);
  });

  it('picks a round axis top at or above the largest value', () => {
    expect(niceScale(31)).toEqual({ top: 40, step: 10 });
    expect(niceScale(9)).toEqual({ top: 10, step: 2 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(0)).toEqual({ top: 1, step: 1 });
    expect(niceScale(125_250).top).toBeGreaterThanOrEqual(125_250);
  });
});
