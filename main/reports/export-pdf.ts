// A report as a PDF (pdfkit, DejaVu Sans embedded and subset: see pdf-fonts.ts): title, path,
// filters, freshness, the chart, then the table with its header repeated on every page, and
// "Page N of M" on each page. A table too wide for the page is split into column panels that
// repeat the row labels, so no count is ever cut off; only labels are shortened, with "…".

import PDFDocument from 'pdfkit';
import { chartModelFor } from '../../shared/reports/chart-model.js';
import { layoutChart } from '../../shared/reports/chart-layout.js';
import { drawChart } from './chart-pdf.js';
import { freshnessLines, formatUkDateTime } from './export-definition.js';
import type { PdfText } from './export-pdf-text.js';
import { xmlSafeText } from './export-text.js';
import { NO_DEFAULT_FONT, embeddedFontText, useReportFonts } from './pdf-fonts.js';
import { reportTitle, toDisplayTable, type DisplayCell, type DisplayTable, type ReportTable } from '../../shared/reports/report-table.js';

type Doc = InstanceType<typeof PDFDocument>;

const MARGIN = 40;
const FOOTER_SPACE = 28;
const CELL_PAD = 4;
const MIN_FONT = 7;
const BASE_FONT = 9;
const HEADER_FILL = '#D9E1F2';
const ZEBRA_FILL = '#F3F5F9';

/** Collects whether any text had to be simplified for the embedded font. */
class TextSink {
  lossy = false;
  constructor(readonly clean: (value: string) => PdfText) {}
  text(value: string): string {
    const out = this.clean(value);
    this.lossy ||= out.lossy;
    return out.text;
  }
}

function formatCell(cell: DisplayCell): string {
  if (typeof cell === 'string') return cell;
  return cell.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

/** Shortens text with "…" until it fits `width` at the current font. */
function fitText(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.widthOfString(chars.slice(0, mid).join('') + '…') <= width) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + '…';
}

interface Panel {
  columns: number[];
  widths: number[];
}
interface TablePlan {
  fontSize: number;
  panels: Panel[];
}

/** Natural width of each column at a font size: its widest cell, and the header up to a cap (headers wrap). */
function measure(doc: Doc, cells: string[][], headers: string[], numeric: boolean[], size: number): number[] {
  doc.font('Helvetica').fontSize(size);
  const widths = headers.map(() => 0);
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i]!, doc.widthOfString(cell))));
  doc.font('Helvetica-Bold').fontSize(size);
  headers.forEach((header, i) => {
    const headerWidth = doc.widthOfString(header);
    widths[i] = Math.max(widths[i]!, numeric[i] ? Math.min(headerWidth, size * 7) : Math.min(headerWidth, size * 14));
  });
  return widths.map((w) => Math.ceil(w + 2 * CELL_PAD + 1));
}

/**
 * Fits the table to the page width: the natural widths at 9, 8 or 7 pt if they fit; else the
 * leading label columns give way (down to a floor); else numeric columns are spread over several
 * panels, each repeating the label columns.
 */
function planTable(doc: Doc, cells: string[][], headers: string[], numeric: boolean[], available: number): TablePlan {
  const all = headers.map((_, i) => i);
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  for (const size of [BASE_FONT, 8, MIN_FONT]) {
    const widths = measure(doc, cells, headers, numeric, size);
    if (sum(widths) <= available) return { fontSize: size, panels: [{ columns: all, widths }] };
  }
  const widths = measure(doc, cells, headers, numeric, MIN_FONT);
  let labelCount = numeric.findIndex((n) => n);
  if (labelCount < 0) labelCount = headers.length;
  const labels = all.slice(0, labelCount);
  const values = all.slice(labelCount);
  const valueWidth = sum(values.map((i) => widths[i]!));
  const labelBudget = available - valueWidth;
  const labelFloor = 70 * labels.length;
  if (labelBudget >= labelFloor || values.length === 0) {
    const natural = sum(labels.map((i) => widths[i]!));
    const budget = values.length === 0 ? available : labelBudget;
    const scaled = labels.map((i) => Math.max(40, Math.floor((widths[i]! * budget) / natural)));
    return { fontSize: MIN_FONT, panels: [{ columns: all, widths: [...scaled, ...values.map((i) => widths[i]!)] }] };
  }
  // Panels: label columns capped at 30% of the page, then as many value columns as fit.
  const labelWidths = labels.map((i) => Math.min(widths[i]!, Math.floor((available * 0.3) / labels.length)));
  const room = available - sum(labelWidths);
  const panels: Panel[] = [];
  let current: number[] = [];
  let used = 0;
  for (const i of values) {
    const w = Math.min(widths[i]!, room);
    if (current.length > 0 && used + w > room) {
      panels.push({ columns: [...labels, ...current], widths: [...labelWidths, ...current.map((c) => Math.min(widths[c]!, room))] });
      current = [];
      used = 0;
    }
    current.push(i);
    used += w;
  }
  if (current.length > 0) panels.push({ columns: [...labels, ...current], widths: [...labelWidths, ...current.map((c) => Math.min(widths[c]!, room))] });
  return { fontSize: MIN_FONT, panels };
}

interface TableContext {
  doc: Doc;
  display: DisplayTable;
  cells: string[][];
  headers: string[];
  fontSize: number;
  left: number;
  bottom: () => number;
}

function headerHeight(ctx: TableContext, panel: Panel): number {
  const { doc } = ctx;
  doc.font('Helvetica-Bold').fontSize(ctx.fontSize);
  const tallest = Math.max(...panel.columns.map((c, k) => doc.heightOfString(ctx.headers[c]!, { width: panel.widths[k]! - 2 * CELL_PAD })));
  return Math.min(tallest, ctx.fontSize * 3.6) + 2 * CELL_PAD;
}

function drawHeader(ctx: TableContext, panel: Panel, y: number): number {
  const { doc } = ctx;
  const height = headerHeight(ctx, panel);
  const width = panel.widths.reduce((a, b) => a + b, 0);
  doc.rect(ctx.left, y, width, height).fill(HEADER_FILL);
  doc.font('Helvetica-Bold').fontSize(ctx.fontSize).fillColor('#000000');
  let x = ctx.left;
  panel.columns.forEach((c, k) => {
    const w = panel.widths[k]!;
    const numeric = ctx.display.columns[c]!.numeric;
    doc.text(ctx.headers[c]!, x + CELL_PAD, y + CELL_PAD, { width: w - 2 * CELL_PAD, height: height - 2 * CELL_PAD, ellipsis: true, align: numeric ? 'right' : 'left' });
    x += w;
  });
  doc
    .moveTo(ctx.left, y + height)
    .lineTo(ctx.left + width, y + height)
    .lineWidth(0.75)
    .strokeColor('#8EA9DB')
    .stroke();
  return y + height;
}

/** Draws one panel's rows from `y`, adding pages (each with the header again) as needed. */
function drawPanel(ctx: TableContext, panel: Panel, y: number): number {
  const { doc } = ctx;
  const rowHeight = ctx.fontSize + 2 * CELL_PAD;
  const width = panel.widths.reduce((a, b) => a + b, 0);
  if (y + headerHeight(ctx, panel) + rowHeight > ctx.bottom()) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  y = drawHeader(ctx, panel, y);
  ctx.cells.forEach((row, r) => {
    if (y + rowHeight > ctx.bottom()) {
      doc.addPage();
      y = drawHeader(ctx, panel, doc.page.margins.top);
    }
    if (r % 2 === 1) doc.rect(ctx.left, y, width, rowHeight).fill(ZEBRA_FILL);
    doc.font('Helvetica').fontSize(ctx.fontSize).fillColor('#000000');
    let x = ctx.left;
    panel.columns.forEach((c, k) => {
      const w = panel.widths[k]! - 2 * CELL_PAD;
      const text = fitText(doc, row[c]!, w);
      const shift = ctx.display.columns[c]!.numeric ? w - doc.widthOfString(text) : 0;
      doc.text(text, x + CELL_PAD + shift, y + CELL_PAD, { lineBreak: false });
      x += panel.widths[k]!;
    });
    y += rowHeight;
  });
  return y;
}

function writeHeading(doc: Doc, sink: TextSink, table: ReportTable, display: DisplayTable, width: number): void {
  const { definition } = table;
  const fresh = freshnessLines(table.replicaFreshness, table.generatedAt);
  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor('#000000')
    .text(sink.text(reportTitle(definition)), { width });
  doc.moveDown(0.3);
  doc
    .font('Helvetica')
    .fontSize(8.5)
    .fillColor('#555555')
    .text(sink.text(`Path: ${definition.path}`), { width });
  doc.moveDown(0.4);
  doc.fontSize(10).fillColor('#000000');
  if (definition.filters.length === 0) doc.text('Filters: none', { width });
  for (const filter of definition.filters) {
    doc.font('Helvetica-Bold').text(sink.text(`${filter.label}: `), { continued: true, width });
    doc.font('Helvetica').text(sink.text(filter.values.join('; ')), { width });
  }
  doc.moveDown(0.3);
  doc.text(sink.text(`Generated ${formatUkDateTime(table.generatedAt)}. Replica last synced: ${fresh.lastSynced}${fresh.age ? ` (${fresh.age})` : ''}.`), { width });
  doc.text(sink.text(fresh.scope + '.'), { width });
  if (fresh.note.trim() !== '') doc.font('Helvetica-Oblique').text(sink.text(fresh.note), { width });
  doc.font('Helvetica-Bold').text(`Records matched: ${display.total.toLocaleString('en-GB')}`, { width });
  doc.font('Helvetica');
  doc.moveDown(0.8);
}

function writeFooters(doc: Doc, sink: TextSink, table: ReportTable): void {
  const range = doc.bufferedPageRange();
  const fresh = freshnessLines(table.replicaFreshness);
  const left = sink.text(`${reportTitle(table.definition)} · replica last synced ${fresh.lastSynced}${table.replicaFreshness.scoped ? ' (scoped)' : ''}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the margin must not start a new page
    const y = doc.page.height - MARGIN + 8;
    const label = `Page ${i - range.start + 1} of ${range.count}`;
    doc.font('Helvetica').fontSize(8).fillColor('#555555');
    const labelWidth = doc.widthOfString(label);
    doc.text(label, doc.page.width - MARGIN - labelWidth, y, { lineBreak: false });
    doc.text(fitText(doc, left, doc.page.width - 2 * MARGIN - labelWidth - 20), MARGIN, y, { lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}

/** The report as PDF bytes. */
export async function exportPdf(table: ReportTable): Promise<Buffer> {
  const display = toDisplayTable(table);
  const landscape = display.columns.length > 7;
  const doc = new PDFDocument({
    size: 'A4',
    layout: landscape ? 'landscape' : 'portrait',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE - 10 },
    bufferPages: true,
    font: NO_DEFAULT_FONT, // useReportFonts loads the embedded faces (see there why)
    info: { Title: xmlSafeText(reportTitle(table.definition)), Author: 'Caseworker', Subject: xmlSafeText(table.definition.path), CreationDate: table.generatedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  useReportFonts(doc);
  const sink = new TextSink(embeddedFontText(doc));
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  writeHeading(doc, sink, table, display, width);

  const chartHeight = landscape ? 230 : 270;
  if (doc.y + chartHeight > bottom()) doc.addPage();
  const chartTop = doc.y;
  if (drawChart(doc, layoutChart(chartModelFor(table), { width, height: chartHeight }), MARGIN, chartTop, sink.clean)) sink.lossy = true;
  let y = chartTop + chartHeight + 16;

  if (display.rows.length === 0) {
    doc.font('Helvetica').fontSize(10).fillColor('#000000').text('No records matched.', MARGIN, y, { lineBreak: false });
    y += 16;
  } else {
    const headers = display.columns.map((c) => sink.text(c.label));
    const cells = display.rows.map((row) => row.map((cell) => sink.text(formatCell(cell))));
    const plan = planTable(
      doc,
      cells,
      headers,
      display.columns.map((c) => c.numeric),
      width,
    );
    const ctx: TableContext = { doc, display, cells, headers, fontSize: plan.fontSize, left: MARGIN, bottom };
    plan.panels.forEach((panel, p) => {
      if (plan.panels.length > 1) {
        if (y + 40 > bottom()) {
          doc.addPage();
          y = doc.page.margins.top;
        }
        const first = panel.columns.find((c) => display.columns[c]!.numeric) ?? 0;
        const last = panel.columns[panel.columns.length - 1] ?? 0;
        doc
          .font('Helvetica-Bold')
          .fontSize(9)
          .fillColor('#000000')
          .text(`Columns ${first + 1}–${last + 1} of ${display.columns.length} (part ${p + 1} of ${plan.panels.length})`, MARGIN, y, { lineBreak: false });
        y += 14;
      }
      y = drawPanel(ctx, panel, y) + 14;
    });
  }

  if (sink.lossy) {
    const note = 'Some characters cannot be shown in this PDF\'s font and show as "?". The CSV and XLSX exports keep every name exactly.';
    doc.font('Helvetica-Oblique').fontSize(8).fillColor('#555555');
    const text = sink.clean(note).text;
    if (y + doc.heightOfString(text, { width }) > bottom()) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.text(text, MARGIN, y, { width });
  }

  writeFooters(doc, sink, table);
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}
