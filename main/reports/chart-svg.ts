// A report chart as a standalone SVG string (for the PDF's sibling drawing and for the renderer):
// accessible (role="img", <title>, <desc>), every piece of text escaped, no scripts, no external
// references. Pure string building: runs in the main process, the CLI or a browser alike.

import { xmlSafeText } from '../../shared/text-characters.js';
import { chartModelFor, type ChartModel, type ChartModelOptions } from '../../shared/reports/chart-model.js';
import { layoutChart, type ChartLayout, type ChartSize, type ChartText } from '../../shared/reports/chart-layout.js';
import type { ReportTable } from '../../shared/reports/report-table.js';

/** Escapes text for XML content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return xmlSafeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

function textElement(t: ChartText): string {
  const transform = t.rotate ? ` transform="rotate(${num(t.rotate)} ${num(t.x)} ${num(t.y)})"` : '';
  const weight = t.bold ? ' font-weight="bold"' : '';
  return `<text x="${num(t.x)}" y="${num(t.y)}" font-size="${num(t.size)}" text-anchor="${t.anchor}"${weight}${transform}>${escapeXml(t.text)}</text>`;
}

export interface SvgOptions {
  /** Prefix for the ids that aria-labelledby points at; make it unique when a page holds several charts. */
  idPrefix?: string;
}

export function layoutToSvg(layout: ChartLayout, model: ChartModel, options: SvgOptions = {}): string {
  const id = escapeXml(options.idPrefix ?? 'report-chart');
  const { plot } = layout;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(layout.width)}" height="${num(layout.height)}" viewBox="0 0 ${num(layout.width)} ${num(layout.height)}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="Helvetica, Arial, sans-serif" data-kind="${layout.kind}">`,
  );
  out.push(`<title id="${id}-title">${escapeXml(model.title)}</title>`);
  out.push(`<desc id="${id}-desc">${escapeXml(model.description)}</desc>`);
  out.push(`<rect x="0" y="0" width="${num(layout.width)}" height="${num(layout.height)}" fill="#ffffff"/>`);

  out.push('<g class="grid" stroke="#dddddd" stroke-width="1">');
  for (const tick of layout.yTicks) out.push(`<line x1="${num(plot.x)}" y1="${num(tick.y)}" x2="${num(plot.x + plot.width)}" y2="${num(tick.y)}"/>`);
  out.push('</g>');

  out.push('<g class="bars">');
  for (const bar of layout.bars) {
    out.push(
      `<rect x="${num(bar.x)}" y="${num(bar.y)}" width="${num(bar.width)}" height="${num(bar.height)}" fill="${escapeXml(bar.colour)}" data-category="${escapeXml(bar.category)}" data-series="${escapeXml(bar.series)}" data-value="${bar.value}"><title>${escapeXml(`${bar.category}${model.series.length > 1 ? `, ${bar.series}` : ''}: ${bar.value}`)}</title></rect>`,
    );
  }
  out.push('</g>');

  out.push('<g class="lines" fill="none" stroke-width="2">');
  for (const line of layout.lines) {
    const points = line.points.map((p) => `${num(p.x)},${num(p.y)}`).join(' ');
    out.push(`<polyline points="${points}" stroke="${escapeXml(line.colour)}" data-series="${escapeXml(line.series)}"/>`);
    // Dots shrink as points crowd together, so a year of days still reads as a line.
    const radius = line.points.length > 1 ? Math.min(2.5, (line.points[1]!.x - line.points[0]!.x) / 4) : 2.5;
    for (const p of line.points)
      out.push(
        `<circle cx="${num(p.x)}" cy="${num(p.y)}" r="${num(radius)}" fill="${escapeXml(line.colour)}" data-category="${escapeXml(p.category)}" data-value="${p.value}"><title>${escapeXml(`${p.category}: ${p.value}`)}</title></circle>`,
      );
  }
  out.push('</g>');

  out.push('<g class="axes" stroke="#333333" stroke-width="1">');
  out.push(`<line x1="${num(plot.x)}" y1="${num(plot.y)}" x2="${num(plot.x)}" y2="${num(plot.y + plot.height)}"/>`);
  out.push(`<line x1="${num(plot.x)}" y1="${num(plot.y + plot.height)}" x2="${num(plot.x + plot.width)}" y2="${num(plot.y + plot.height)}"/>`);
  out.push('</g>');

  out.push('<g class="labels" fill="#222222">');
  for (const tick of layout.yTicks) out.push(textElement(tick.label));
  for (const text of layout.texts) out.push(textElement(text));
  out.push('</g>');

  if (layout.legend.length > 0) {
    out.push('<g class="legend" fill="#222222">');
    for (const item of layout.legend) {
      out.push(`<rect x="${num(item.swatch.x)}" y="${num(item.swatch.y)}" width="${num(item.swatch.width)}" height="${num(item.swatch.height)}" fill="${escapeXml(item.colour)}"/>`);
      out.push(textElement(item.label));
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

export function chartToSvg(model: ChartModel, size?: ChartSize, options?: SvgOptions): string {
  return layoutToSvg(layoutChart(model, size), model, options);
}

/** The report's chart as SVG: bar, stacked bar or line, chosen from its dimension and metric. */
export function reportChartSvg(table: ReportTable, size?: ChartSize, options: SvgOptions & ChartModelOptions = {}): string {
  return chartToSvg(chartModelFor(table, options), size, options);
}
