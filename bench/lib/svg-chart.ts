// A small SVG line chart, written for the bench's figures (no dependency): axes with ticks, a
// legend, one polyline per series, optional horizontal target lines. Pure functions only, so that
// the same JSON always draws the same file (test/unit/svg-chart.test.ts).
//
// Both axes may be logarithmic: latencies run from a few milliseconds to seconds, member counts
// from 10 to 10,000, and a linear axis would squash all but the largest values onto the floor.

export type Scale = 'linear' | 'log';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: Point[];
  /** a dashed line: used for a second figure of the same server (p50 beside p99) */
  dashed?: boolean;
  /** any CSS colour; default: the palette by position */
  color?: string;
}

export interface TargetLine {
  y: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xScale?: Scale;
  yScale?: Scale;
  targets?: TargetLine[];
  /** a line under the title: the run it comes from */
  subtitle?: string;
  width?: number;
  height?: number;
}

/** Colours far enough apart for the few servers a chart holds, readable on white. */
export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * "Nice" linear ticks covering [min, max]: steps of 1, 2 or 5 × 10^k, about `count` of them,
 * the first ≤ min and the last ≥ max.
 */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // a flat series still gets an axis around its value
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  // integer steps from `first` rather than repeated additions: no creeping 0.30000000000000004
  for (let i = 0; first + i * step <= max + step * 1e-9 || ticks.length < 2; i++) {
    ticks.push(roundTo(first + i * step, step));
  }
  if (ticks[ticks.length - 1]! < max) ticks.push(roundTo(first + ticks.length * step, step));
  return ticks;
}

/**
 * Ticks of a logarithmic axis covering [min, max] (both > 0): the powers of ten around them,
 * with 2 and 5 between when the range spans fewer than three decades.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const decades = Math.max(1, hi - lo);
  const mantissas = decades < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let k = lo; k <= Math.max(hi, lo + 1); k++) {
    for (const m of mantissas) {
      const v = roundTo(m * 10 ** k, 10 ** Math.min(k, 0));
      ticks.push(v);
    }
  }
  // keep the ticks inside [first tick ≤ min, last tick ≥ max]
  const start = ticks.filter((t) => t <= min).pop() ?? ticks[0]!;
  const end = ticks.find((t) => t >= max) ?? ticks[ticks.length - 1]!;
  return ticks.filter((t) => t >= start && t <= end);
}

function roundTo(v: number, step: number): number {
  // as many decimals as the step needs, and no more
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(decimals, 12)));
}

/** A tick's label: 1,000 → "1k", 10,000 → "10k", 0.5 → "0.5", 2.5 → "2.5". */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Maps a value onto [0, 1] along an axis from `lo` to `hi`. */
export function project(v: number, lo: number, hi: number, scale: Scale): number {
  if (scale === 'log') {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return b === a ? 0.5 : (Math.log10(v) - a) / (b - a);
  }
  return hi === lo ? 0.5 : (v - lo) / (hi - lo);
}

/** Whether a point can be drawn on these scales (finite; positive on a log axis). */
export function drawable(p: Point, xScale: Scale, yScale: Scale): boolean {
  return (
    Number.isFinite(p.x) &&
    Number.isFinite(p.y) &&
    (xScale !== 'log' || p.x > 0) &&
    (yScale !== 'log' || p.y > 0)
  );
}

function axisTicks(values: number[], scale: Scale): number[] {
  if (values.length === 0) return scale === 'log' ? [1, 10] : [0, 1];
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (scale === 'log') return logTicks(min, max);
  // a linear axis of non-negative figures starts at 0: ratios read true
  return linearTicks(Math.min(0, min), max);
}

const f1 = (v: number) => Number(v.toFixed(1));

/** Draws the chart as a standalone SVG document. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 420;
  const xScale = spec.xScale ?? 'linear';
  const yScale = spec.yScale ?? 'linear';
  const series = spec.series.map((s) => ({
    ...s,
    points: s.points.filter((p) => drawable(p, xScale, yScale)).sort((a, b) => a.x - b.x),
  }));
  const legendRows = series.length;
  const top = spec.subtitle ? 58 : 42;
  const left = 70;
  const right = 190; // the legend sits right of the plot
  const bottom = 52;
  const plotW = width - left - right;
  const plotH = height - top - bottom;

  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [
    ...series.flatMap((s) => s.points.map((p) => p.y)),
    ...(spec.targets ?? []).map((t) => t.y).filter((y) => yScale !== 'log' || y > 0),
  ];
  const xTicks = axisTicks(xs, xScale);
  const yTicks = axisTicks(ys, yScale);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const px = (x: number) => f1(left + project(x, x0, x1, xScale) * plotW);
  const py = (y: number) => f1(top + plotH - project(y, y0, y1, yScale) * plotH);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  if (spec.subtitle) {
    out.push(`<text x="${left}" y="40" fill="#555555">${escapeXml(spec.subtitle)}</text>`);
  }
  // grid and ticks
  for (const t of yTicks) {
    const y = py(t);
    out.push(
      `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${f1(y + 4)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = px(t);
    out.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${top + plotH + 16}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  // axes
  out.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333333"/>`,
    `<text x="${f1(left + plotW / 2)}" y="${height - 12}" text-anchor="middle">${escapeXml(spec.xLabel + (xScale === 'log' ? ' (log scale)' : ''))}</text>`,
    `<text transform="translate(16 ${f1(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel + (yScale === 'log' ? ' (log scale)' : ''))}</text>`,
  );
  // targets: a grey dashed line with its label at the right end
  for (const t of spec.targets ?? []) {
    if (!drawable({ x: x0, y: t.y }, xScale, yScale)) continue;
    const y = py(t.y);
    out.push(
      `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#888888" stroke-dasharray="2 3"/>`,
      `<text x="${left + plotW - 4}" y="${f1(y - 4)}" text-anchor="end" fill="#666666">${escapeXml(t.label)}</text>`,
    );
  }
  // series
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (s.points.length > 1) {
      const pts = s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts}"/>`);
    }
    for (const p of s.points) {
      out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${color}"/>`);
    }
  });
  // legend
  const lx = left + plotW + 16;
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const y = top + 8 + i * 20;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const name = s.points.length === 0 ? `${s.name} (no data)` : s.name;
    out.push(
      `<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${y + 4}">${escapeXml(name)}</text>`,
    );
  });
  if (legendRows === 0 || xs.length === 0) {
    out.push(
      `<text x="${f1(left + plotW / 2)}" y="${f1(top + plotH / 2)}" text-anchor="middle" fill="#999999">no data</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
