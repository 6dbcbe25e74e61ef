import { LvrError } from '@lvr/core';

/**
 * Dependency-free SVG charts for training curves and evaluation reports: a multi-series line chart (linear
 * or log y, optional EMA smoothing) and a grouped bar chart with error whiskers. Both return an SVG string;
 * rasterise it with `svgToPng` (svg-png.ts; text uses `DejaVu Sans` with generic fallbacks). Output is
 * deterministic: the same input gives byte-identical SVG.
 */

/** One line of a {@link lineChartSvg}: `points` are `[x, y]`; non-finite points break the line. */
export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** CSS colour; defaults to the palette colour of the series index. */
  color?: string;
  dashed?: boolean;
  /** Set false to exempt this series from the chart's smoothing (e.g. sparse eval points). */
  smooth?: boolean;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly LineSeries[];
  /** Pixel size; default 640 × 400. */
  width?: number;
  height?: number;
  /** Logarithmic y axis; points with y ≤ 0 are dropped. Default false. */
  logY?: boolean;
  /**
   * EMA smoothing weight in [0, 1) (TensorBoard-style, debiased). With smoothing > 0 the raw line is drawn
   * faintly under the smoothed one. Default 0.
   */
  smoothing?: number;
}

/** One series of a {@link barChartSvg}: one value per group (`null` = no bar) and optional CI bounds. */
export interface BarSeries {
  name: string;
  values: readonly (number | null)[];
  lo?: readonly (number | null)[];
  hi?: readonly (number | null)[];
  color?: string;
}

/** Options of {@link barChartSvg}. */
export interface BarChartOptions {
  title?: string;
  yLabel?: string;
  groups: readonly string[];
  series: readonly BarSeries[];
  width?: number;
  height?: number;
  /** Fixed y range (e.g. `[0, 1]` for accuracies); default fits the data and includes 0. */
  yRange?: readonly [number, number];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';
const M = { left: 70, right: 20, top: 40, bottom: 52 };

/**
 * "Nice" axis ticks (1, 2, 5 × 10^k) covering `[lo, hi]`, about `count` of them.
 *
 * @example
 * niceTicks(0, 1, 5); // { ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 }
 */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new LvrError('INVALID_ARGUMENT', `niceTicks: non-finite range [${lo}, ${hi}]`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

function fmt(v: number, step: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(Math.max(0, Math.min(3, -Math.floor(Math.log10(step)) + Math.floor(Math.log10(a))))).replace('e+', 'e');
  return v.toFixed(Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n2 = (v: number): string => String(Math.round(v * 100) / 100);

function text(x: number, y: number, s: string, attrs = '', size = 12): string {
  return `<text x="${n2(x)}" y="${n2(y)}" ${FONT} font-size="${size}" fill="#222" ${attrs}>${esc(s)}</text>`;
}

function checkSize(w: number, h: number, who: string): void {
  if (!(Number.isFinite(w) && Number.isFinite(h) && w >= 160 && h >= 120)) {
    throw new LvrError('INVALID_ARGUMENT', `${who}: width/height must be ≥ 160 × 120, got ${w} × ${h}`);
  }
}

/** Frame: background, title, axis labels, y grid + ticks. Returns the parts and the y mapping. */
function frame(o: { title?: string | undefined; xLabel?: string | undefined; yLabel?: string | undefined }, w: number, h: number): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
  ];
  if (o.title) out.push(text(w / 2, 24, o.title, 'text-anchor="middle" font-weight="bold"', 15));
  if (o.xLabel) out.push(text(M.left + (w - M.left - M.right) / 2, h - 10, o.xLabel, 'text-anchor="middle"'));
  if (o.yLabel) {
    const cy = M.top + (h - M.top - M.bottom) / 2;
    out.push(text(16, cy, o.yLabel, `text-anchor="middle" transform="rotate(-90 16 ${n2(cy)})"`));
  }
  return out;
}

function yAxis(ticks: readonly number[], label: (t: number) => string, yOf: (v: number) => number, w: number): string[] {
  const out: string[] = [];
  for (const t of ticks) {
    const y = yOf(t);
    out.push(`<line x1="${M.left}" y1="${n2(y)}" x2="${w - M.right}" y2="${n2(y)}" stroke="#e5e5e5"/>`);
    out.push(text(M.left - 6, y + 4, label(t), 'text-anchor="end" class="ytick"'));
  }
  return out;
}

function legend(items: readonly { name: string; color: string }[], w: number): string[] {
  if (items.length === 0) return [];
  const bw = Math.min(260, 28 + 7.2 * Math.max(...items.map((i) => i.name.length)));
  const x = w - M.right - bw - 6;
  const out = [`<rect x="${n2(x)}" y="${M.top + 6}" width="${n2(bw)}" height="${items.length * 18 + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`];
  items.forEach((it, i) => {
    const y = M.top + 6 + 14 + i * 18;
    out.push(`<rect x="${n2(x + 6)}" y="${y - 9}" width="14" height="10" fill="${esc(it.color)}"/>`);
    out.push(text(x + 26, y, it.name, 'class="legend"'));
  });
  return out;
}

function ema(points: readonly (readonly [number, number])[], weight: number): [number, number][] {
  let acc = 0;
  let n = 0;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, y];
    acc = acc * weight + (1 - weight) * y;
    n++;
    return [x, acc / (1 - weight ** n)];
  });
}

/**
 * A line chart with several series, x/y axes with nice ticks, a legend, optional log-y and EMA smoothing.
 *
 * @example
 * const svg = lineChartSvg({ title: 'loss', xLabel: 'step', yLabel: 'loss',
 *   series: [{ name: 'loss', points: [[1, 2.3], [2, 1.9], [3, 1.4]] }], smoothing: 0.6 });
 */
export function lineChartSvg(opts: LineChartOptions): string {
  const w = opts.width ?? 640;
  const h = opts.height ?? 400;
  checkSize(w, h, 'lineChartSvg');
  const smoothing = opts.smoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) throw new LvrError('INVALID_ARGUMENT', `lineChartSvg: smoothing must be in [0, 1), got ${smoothing}`);
  const logY = opts.logY ?? false;
  const ok = ([x, y]: readonly [number, number]): boolean => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  const all = opts.series.flatMap((s) => s.points.filter(ok));
  const out = frame(opts, w, h);
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  if (all.length === 0) {
    out.push(text(M.left + pw / 2, M.top + ph / 2, 'no data', 'text-anchor="middle"'), '</svg>');
    return out.join('\n');
  }
  const xs = niceTicks(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), 6);
  const x0 = xs.ticks[0] as number;
  const x1 = xs.ticks[xs.ticks.length - 1] as number;
  const xOf = (x: number): number => M.left + ((x - x0) / (x1 - x0)) * pw;
  let yOf: (v: number) => number;
  let yTicks: number[];
  let yLabel: (t: number) => string;
  if (logY) {
    const lo = Math.floor(Math.log10(Math.min(...all.map((p) => p[1]))));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...all.map((p) => p[1])))));
    yTicks = [];
    for (let d = lo; d <= hi; d++) {
      for (const m of hi - lo <= 2 ? [1, 2, 5] : [1]) if (d < hi || m === 1) yTicks.push(Number((m * 10 ** d).toPrecision(6)));
    }
    yOf = (v) => M.top + ph - ((Math.log10(v) - lo) / (hi - lo)) * ph;
    yLabel = (t) => (t >= 1e-3 && t < 1e5 ? String(t) : t.toExponential(0).replace('e+', 'e'));
  } else {
    const ys = niceTicks(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), 5);
    const y0 = ys.ticks[0] as number;
    const y1 = ys.ticks[ys.ticks.length - 1] as number;
    yTicks = ys.ticks;
    yOf = (v) => M.top + ph - ((v - y0) / (y1 - y0)) * ph;
    yLabel = (t) => fmt(t, ys.step);
  }
  out.push(...yAxis(yTicks, yLabel, yOf, w));
  for (const t of xs.ticks) {
    const x = xOf(t);
    out.push(`<line x1="${n2(x)}" y1="${M.top + ph}" x2="${n2(x)}" y2="${M.top + ph + 5}" stroke="#444"/>`);
    out.push(text(x, M.top + ph + 18, fmt(t, xs.step), 'text-anchor="middle" class="xtick"'));
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  const path = (pts: readonly (readonly [number, number])[]): string => {
    let d = '';
    let pen = false;
    for (const p of pts) {
      if (!ok(p)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n2(xOf(p[0]))} ${n2(yOf(p[1]))}`;
      pen = true;
    }
    return d;
  };
  const items: { name: string; color: string }[] = [];
  opts.series.forEach((s, i) => {
    const color = s.color ?? (PALETTE[i % PALETTE.length] as string);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    items.push({ name: s.name, color });
    if (smoothing > 0 && s.smooth !== false) {
      out.push(`<path d="${path(s.points)}" fill="none" stroke="${esc(color)}" stroke-opacity="0.25" stroke-width="1"${dash}/>`);
      out.push(`<path class="series" d="${path(ema(s.points, smoothing))}" fill="none" stroke="${esc(color)}" stroke-width="2"${dash}/>`);
    } else {
      out.push(`<path class="series" d="${path(s.points)}" fill="none" stroke="${esc(color)}" stroke-width="1.5"${dash}/>`);
    }
  });
  out.push(...legend(items, w), '</svg>');
  return out.join('\n');
}

/**
 * A grouped bar chart (groups along x, one bar per series in each group) with optional error whiskers
 * from `lo[i]` to `hi[i]`.
 *
 * @example
 * const svg = barChartSvg({ title: 'accuracy', yLabel: 'acc', groups: ['count', 'depth'], yRange: [0, 1],
 *   series: [{ name: 'LVR', values: [0.7, 0.6], lo: [0.65, 0.55], hi: [0.75, 0.66] },
 *            { name: 'SFT', values: [0.5, null] }] });
 */
export function barChartSvg(opts: BarChartOptions): string {
  const w = opts.width ?? 640;
  const h = opts.height ?? 400;
  checkSize(w, h, 'barChartSvg');
  const G = opts.groups.length;
  if (G === 0) throw new LvrError('INVALID_ARGUMENT', 'barChartSvg: groups is empty');
  for (const s of opts.series) {
    for (const [field, arr] of [['values', s.values], ['lo', s.lo], ['hi', s.hi]] as const) {
      if (arr !== undefined && arr.length !== G) {
        throw new LvrError('INVALID_ARGUMENT', `barChartSvg: series "${s.name}" field "${field}" has ${arr.length} entries for ${G} groups`);
      }
      if (arr?.some((v) => v !== null && !Number.isFinite(v))) {
        throw new LvrError('INVALID_ARGUMENT', `barChartSvg: series "${s.name}" field "${field}" has a non-finite value`);
      }
    }
  }
  const vals = opts.series.flatMap((s) => [...s.values, ...(s.lo ?? []), ...(s.hi ?? [])]).filter((v): v is number => v !== null);
  const ys = opts.yRange ? niceTicks(opts.yRange[0], opts.yRange[1], 5) : niceTicks(Math.min(0, ...vals), Math.max(0, ...vals), 5);
  const y0 = opts.yRange?.[0] ?? (ys.ticks[0] as number);
  const y1 = opts.yRange?.[1] ?? (ys.ticks[ys.ticks.length - 1] as number);
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  const clampY = (v: number): number => Math.min(y1, Math.max(y0, v));
  const yOf = (v: number): number => M.top + ph - ((clampY(v) - y0) / (y1 - y0)) * ph;
  const out = frame({ title: opts.title, yLabel: opts.yLabel }, w, h);
  out.push(...yAxis(ys.ticks.filter((t) => t >= y0 - 1e-12 && t <= y1 + 1e-12), (t) => fmt(t, ys.step), yOf, w));
  const band = pw / G;
  const S = Math.max(1, opts.series.length);
  const bw = (band * 0.8) / S;
  opts.groups.forEach((g, gi) => out.push(text(M.left + band * (gi + 0.5), M.top + ph + 18, g, 'text-anchor="middle" class="xtick"')));
  const base = yOf(Math.min(y1, Math.max(y0, 0)));
  const items: { name: string; color: string }[] = [];
  opts.series.forEach((s, si) => {
    const color = s.color ?? (PALETTE[si % PALETTE.length] as string);
    items.push({ name: s.name, color });
    s.values.forEach((v, gi) => {
      const x = M.left + band * gi + band * 0.1 + bw * si;
      if (v !== null) {
        const y = yOf(v);
        out.push(`<rect class="bar" x="${n2(x)}" y="${n2(Math.min(y, base))}" width="${n2(bw * 0.92)}" height="${n2(Math.abs(base - y))}" fill="${esc(color)}"/>`);
      }
      const lo = s.lo?.[gi];
      const hi = s.hi?.[gi];
      if (lo != null && hi != null) {
        const cx = x + bw * 0.46;
        const cap = Math.min(6, bw * 0.3);
        out.push(`<path class="whisker" d="M${n2(cx)} ${n2(yOf(lo))}V${n2(yOf(hi))}M${n2(cx - cap)} ${n2(yOf(lo))}H${n2(cx + cap)}M${n2(cx - cap)} ${n2(yOf(hi))}H${n2(cx + cap)}" stroke="#222" stroke-width="1.2" fill="none"/>`);
      }
    });
  });
  out.push(`<line x1="${M.left}" y1="${n2(base)}" x2="${w - M.right}" y2="${n2(base)}" stroke="#444"/>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(...legend(items, w), '</svg>');
  return out.join('\n');
}
