// Draws a chart layout into a PDF with pdfkit's vector calls: the same geometry the SVG uses
// (chart-layout.ts), offset to where the chart sits on the page. Text goes through the cleaner of
// the document's font (pdf-fonts.ts), so a character the font lacks degrades instead of breaking.

import type PDFDocument from 'pdfkit';
import type { ChartLayout, ChartText } from '../../shared/reports/chart-layout.js';
import { toPdfText, type PdfText } from './export-pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** Draws one text at its baseline with its anchor; returns whether it had to be simplified. */
function drawText(doc: Doc, t: ChartText, dx: number, dy: number, clean: (text: string) => PdfText): boolean {
  const { text, lossy } = clean(t.text);
  doc
    .font(t.bold ? 'Helvetica-Bold' : 'Helvetica')
    .fontSize(t.size)
    .fillColor('#222222');
  const width = doc.widthOfString(text);
  const shift = t.anchor === 'end' ? -width : t.anchor === 'middle' ? -width / 2 : 0;
  const x = t.x + dx;
  const y = t.y + dy;
  doc.save();
  if (t.rotate) doc.rotate(t.rotate, { origin: [x, y] });
  doc.text(text, x + shift, y, { lineBreak: false, baseline: 'alphabetic' });
  doc.restore();
  return lossy;
}

/** Draws the chart with its top-left corner at (x, y). Returns true if any label was simplified. */
export function drawChart(doc: Doc, layout: ChartLayout, x: number, y: number, clean: (text: string) => PdfText = toPdfText): boolean {
  const { plot } = layout;
  let lossy = false;
  doc.save();
  doc.lineWidth(0.5).strokeColor('#dddddd');
  for (const tick of layout.yTicks)
    doc
      .moveTo(x + plot.x, y + tick.y)
      .lineTo(x + plot.x + plot.width, y + tick.y)
      .stroke();

  for (const bar of layout.bars) doc.rect(x + bar.x, y + bar.y, bar.width, bar.height).fill(bar.colour);

  for (const line of layout.lines) {
    const [first, ...rest] = line.points;
    if (!first) continue;
    doc.lineWidth(1.5).strokeColor(line.colour).lineJoin('round');
    doc.moveTo(x + first.x, y + first.y);
    for (const p of rest) doc.lineTo(x + p.x, y + p.y);
    doc.stroke();
    if (line.points.length <= 120) for (const p of line.points) doc.circle(x + p.x, y + p.y, 1.8).fill(line.colour);
  }

  doc.lineWidth(0.75).strokeColor('#333333');
  doc
    .moveTo(x + plot.x, y + plot.y)
    .lineTo(x + plot.x, y + plot.y + plot.height)
    .lineTo(x + plot.x + plot.width, y + plot.y + plot.height)
    .stroke();

  for (const tick of layout.yTicks) lossy = drawText(doc, tick.label, x, y, clean) || lossy;
  for (const text of layout.texts) lossy = drawText(doc, text, x, y, clean) || lossy;
  for (const item of layout.legend) {
    doc.rect(x + item.swatch.x, y + item.swatch.y, item.swatch.width, item.swatch.height).fill(item.colour);
    lossy = drawText(doc, item.label, x, y, clean) || lossy;
  }
  doc.restore();
  return lossy;
}
