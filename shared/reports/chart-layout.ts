// The geometry of a chart: plot box, y ticks, bars, line points, axis labels and legend, in one
// coordinate system (origin top left, y down, text positioned by its baseline). The SVG and the
// PDF draw this same layout, so the two pictures cannot disagree. Bar heights are value × scale.

import type { ChartKind, ChartModel } from './chart-model.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export type Anchor = 'start' | 'middle' | 'end';

export interface ChartText {
  x: number;
  /** Baseline. */
  y: number;
  text: string;
  size: number;
  anchor: Anchor;
  /** Degrees, clockwise about (x, y); negative tilts the text up to the right. */
  rotate?: number;
  bold?: boolean;
}

export interface ChartBar extends Box {
  colour: string;
  category: string;
  series: string;
  value: number;
}
export interface ChartLine {
  series: string;
  colour: string;
  points: Array<{ x: number; y: number; value: number; category: string }>;
}
export interface LegendItem {
  swatch: Box;
  colour: string;
  label: ChartText;
}

export interface ChartLayout {
  kind: ChartKind;
  width: number;
  height: number;
  plot: Box;
  /** Value → pixels: a bar of value v is v × scale tall. */
  scale: number;
  yTicks: Array<{ value: number; y: number; label: ChartText }>;
  texts: ChartText[]; // title, axis titles, category labels, "no records"
  bars: ChartBar[];
  lines: ChartLine[];
  legend: LegendItem[];
}

export interface ChartSize {
  width: number;
  height: number;
}

const FONT = 10;
const TITLE_FONT = 12;
const NOTE_FONT = 8;
/** Helvetica's average advance is about half an em; used only to make room, never to clip. */
const CHAR_WIDTH = 0.55;
const MAX_LABEL_CHARS = 18;

export function estimateTextWidth(text: string, size: number): number {
  return text.length * size * CHAR_WIDTH;
}

/** One line (line breaks in names become spaces), shortened with "…" past `max` characters. */
export function truncateLabel(text: string, max = MAX_LABEL_CHARS): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

/** A round axis maximum ≥ max and a whole tick step (1, 2, 2.5 or 5 × 10^n, counts are whole), about five ticks. */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const rough = max / ticks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const wholeStep = Math.max(1, Number.isInteger(step) ? step : Math.ceil(step));
  return { top: Math.ceil(max / wholeStep) * wholeStep, step: wholeStep };
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

export function layoutChart(model: ChartModel, size: ChartSize = { width: 640, height: 360 }): ChartLayout {
  const { width, height } = size;
  const n = model.categories.length;
  const texts: ChartText[] = [];
  texts.push({ x: width / 2, y: TITLE_FONT + 4, text: model.title, size: TITLE_FONT, anchor: 'middle', bold: true });
  const noteHeight = model.note ? NOTE_FONT + 6 : 0;
  if (model.note) texts.push({ x: width / 2, y: TITLE_FONT + 6 + NOTE_FONT, text: truncateLabel(model.note, Math.floor(width / (NOTE_FONT * CHAR_WIDTH))), size: NOTE_FONT, anchor: 'middle' });

  // The highest stack, bar or point sets the scale.
  const maxValue =
    model.kind === 'stacked-bar' ? Math.max(0, ...model.categories.map((_, i) => model.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))) : Math.max(0, ...model.series.flatMap((s) => s.values));
  const { top, step } = niceScale(maxValue);
  const tickLabels = [];
  for (let v = 0; v <= top + step / 1000; v += step) tickLabels.push(formatTick(v));
  const yAxisWidth = Math.max(...tickLabels.map((t) => estimateTextWidth(t, FONT))) + 8;

  // Legend on the right when there is more than one series.
  const legendLabels = model.series.length > 1 ? model.series.map((s) => truncateLabel(s.name, 24)) : [];
  const legendWidth = legendLabels.length > 0 ? Math.min(width * 0.3, Math.max(...legendLabels.map((l) => estimateTextWidth(l, FONT))) + 22) : 0;

  const right = width - 10 - legendWidth;
  const labels = model.categories.map((c) => truncateLabel(c));
  const widest = Math.max(0, ...labels.map((l) => estimateTextWidth(l, FONT)));
  const bandFor = (left: number) => (n > 0 ? Math.max(10, right - left) / n : Math.max(10, right - left));

  // Category labels: level when they fit their band, tilted otherwise (then the first one needs
  // room to the left of the plot); thinned to avoid overlap.
  let left = 18 + yAxisWidth;
  const tilt = widest > bandFor(left) - 4;
  if (tilt) left = Math.max(left, widest * Math.SQRT1_2 - bandFor(left) / 2 + 4);
  const plotWidth = Math.max(10, right - left);
  const band = bandFor(left);
  const every = tilt ? Math.max(1, Math.ceil((FONT * 1.4) / band)) : 1;
  const labelDepth = tilt ? widest * Math.SQRT1_2 + FONT * 2 : FONT + 4;
  const bottom = height - 18 - labelDepth;
  const plotTop = TITLE_FONT + 16 + noteHeight;
  const plot: Box = { x: left, y: plotTop, width: plotWidth, height: Math.max(10, bottom - plotTop) };
  const scale = plot.height / top;
  const yOf = (value: number) => plot.y + plot.height - value * scale;

  const yTicks = tickLabels.map((label, i) => {
    const value = i * step;
    return { value, y: yOf(value), label: { x: plot.x - 6, y: yOf(value) + FONT * 0.35, text: label, size: FONT, anchor: 'end' as const } };
  });

  labels.forEach((label, i) => {
    if (i % every !== 0) return;
    const x = plot.x + band * (i + 0.5);
    const y = plot.y + plot.height + FONT + 4;
    texts.push(tilt ? { x: x + FONT * 0.3, y: y - 2, text: label, size: FONT, anchor: 'end', rotate: -45 } : { x, y, text: label, size: FONT, anchor: 'middle' });
  });
  texts.push({ x: plot.x + plot.width / 2, y: height - 6, text: model.xLabel, size: FONT, anchor: 'middle', bold: true });
  texts.push({ x: 12, y: plot.y + plot.height / 2, text: model.yLabel, size: FONT, anchor: 'middle', rotate: -90, bold: true });
  if (n === 0) texts.push({ x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, text: 'No records matched', size: FONT, anchor: 'middle' });

  const bars: ChartBar[] = [];
  const lines: ChartLine[] = [];
  if (model.kind === 'line') {
    for (const s of model.series) {
      lines.push({
        series: s.name,
        colour: s.colour,
        points: model.categories.map((category, i) => ({ x: plot.x + band * (i + 0.5), y: yOf(s.values[i] ?? 0), value: s.values[i] ?? 0, category })),
      });
    }
  } else {
    const barWidth = Math.max(1, band * 0.7);
    model.categories.forEach((category, i) => {
      const x = plot.x + band * i + (band - barWidth) / 2;
      let base = 0;
      // Unstacked bar charts have one series; stacked ones pile each series on the last.
      for (const s of model.series) {
        const value = s.values[i] ?? 0;
        if (value <= 0) continue;
        bars.push({ x, y: yOf(base + value), width: barWidth, height: value * scale, colour: s.colour, category, series: s.name, value });
        base += value;
      }
    });
  }

  const legend: LegendItem[] = legendLabels.map((label, i) => {
    const y = plot.y + i * (FONT + 8);
    const colour = model.series[i]!.colour;
    return { swatch: { x: right + 10, y, width: 10, height: 10 }, colour, label: { x: right + 26, y: y + FONT * 0.9, text: label, size: FONT, anchor: 'start' } };
  });

  return { kind: model.kind, width, height, plot, scale, yTicks, texts, bars, lines, legend };
}
