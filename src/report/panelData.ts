/**
 * Turning a Panel's raw numbers into plottable points: deciding the y scale, turning NaN/Inf
 * into gaps, removing values a log axis cannot show, building error bands, and writing the
 * small note that tells the reader what was left out.
 *
 * Pure (no drawing), so the decisions can be unit-tested without decoding images.
 */
import type { Panel } from './figure.ts';
import { formatTick } from './format.ts';
import { seriesStyle, type SeriesStyle } from './palette.ts';

export type ResolvedYScale = 'linear' | 'log' | 'symlog';

/** A point for Chart.js; y = null is a gap in the line. */
export interface XY {
  x: number;
  y: number | null;
}

export interface PreparedSeries {
  label: string;
  style: SeriesStyle;
  drawLine: boolean;
  drawPoints: boolean;
  points: XY[];
  /** y − err and y + err, point-aligned with `points`. */
  band?: { lower: XY[]; upper: XY[] };
}

export interface PreparedPanel {
  xScale: 'linear' | 'log';
  yScale: ResolvedYScale;
  series: PreparedSeries[];
  /**
   * Reference lines that can be shown on the chosen scale. `offscale` marks a line so far
   * outside the data that drawing it in place would squash the data (see `offscaleDirection`):
   * it is shown as a marker at that edge of the axis instead, and does not stretch the axis.
   */
  hLines: { y: number; label: string; offscale?: 'above' | 'below' }[];
  /** Human-readable notes about dropped or hidden values; empty when nothing was dropped. */
  notes: string[];
  /** Hard limits from the spec (invalid ones — e.g. yMin ≤ 0 on a log axis — removed). */
  yMin?: number;
  yMax?: number;
  /** Soft limits so that reference lines stay inside the plot. */
  suggestedMin?: number;
  suggestedMax?: number;
  /** Linear threshold C of a symlog axis. */
  linthresh?: number;
  counts: { nonFinite: number; nonPositiveY: number; nonPositiveX: number };
}

/** Decades a positive data range must exceed before 'auto' picks a log axis. */
export const AUTO_LOG_DECADES = 2;
/** Series this short get point markers by default. */
export const SHORT_SERIES = 25;

/**
 * The 'auto' y-scale rule: log when every finite value is > 0 and max/min exceeds
 * 10^{@link AUTO_LOG_DECADES}, linear otherwise (including when there are no finite values).
 * Losses decaying from 1 to 1e-6 are unreadable on a linear axis; accuracies in [0.5, 1] are
 * misleading on a log one.
 */
export function chooseYScale(values: Iterable<number>): 'linear' | 'log' {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v <= 0) return 'linear';
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max >= min)) return 'linear';
  return Math.log10(max / min) > AUTO_LOG_DECADES ? 'log' : 'linear';
}

/**
 * Symlog threshold: the power of ten at or below the smallest non-zero |y|, but no more than six
 * decades below the largest |y| (a lone 1e-30 must not squash the rest of the axis).
 */
export function chooseLinthresh(values: Iterable<number>): number {
  let minAbs = Infinity;
  let maxAbs = 0;
  for (const v of values) {
    if (!Number.isFinite(v) || v === 0) continue;
    minAbs = Math.min(minAbs, Math.abs(v));
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  if (maxAbs === 0) return 1;
  return 10 ** Math.floor(Math.log10(Math.max(minAbs, maxAbs * 1e-6)));
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Whether a reference line at `y` lies so far outside the data that including it would squash
 * the data: farther beyond the data's extent than 3× the extent (in axis units — decades on a
 * log axis, with a floor of ¼ decade / 1e-9 relative for flat data), so the data would take
 * less than a quarter of the axis. E.g. 2/η = 200 above a λ_max of 10–12 (a line at 40 above
 * data spanning 0–10 stays in place). Explicit yMin/yMax win: a line inside them is drawn in
 * place.
 */
const OFFSCALE_FACTOR = 3;

export function offscaleDirection(y: number, dataY: readonly number[], logY: boolean, yMin?: number, yMax?: number): 'above' | 'below' | undefined {
  if (dataY.length === 0) return undefined;
  if ((yMin !== undefined && y >= yMin) && (yMax !== undefined && y <= yMax)) return undefined;
  const t = (v: number) => (logY ? Math.log10(v) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of dataY) { const u = t(v); if (u < lo) lo = u; if (u > hi) hi = u; }
  const span = Math.max(hi - lo, logY ? 0.25 : 1e-9 * Math.max(Math.abs(hi), Math.abs(lo), 1));
  const u = t(y);
  if (u > hi + OFFSCALE_FACTOR * span && (yMax === undefined || y > yMax)) return 'above';
  if (u < lo - OFFSCALE_FACTOR * span && (yMin === undefined || y < yMin)) return 'below';
  return undefined;
}

export function preparePanel(panel: Panel): PreparedPanel {
  panel.series.forEach((s, i) => {
    if (s.x.length !== s.y.length)
      throw new Error(`panel '${panel.title}', series ${i} '${s.label}': x has ${s.x.length} values, y has ${s.y.length}`);
    if (s.yErr && s.yErr.length !== s.y.length)
      throw new Error(`panel '${panel.title}', series ${i} '${s.label}': yErr has ${s.yErr.length} values, y has ${s.y.length}`);
  });

  const allY = panel.series.flatMap((s) => s.y);
  const requested = panel.yScale ?? 'linear';
  const yScale: ResolvedYScale = requested === 'auto' ? chooseYScale(allY) : requested;
  const xScale = panel.xScale ?? 'linear';
  const logY = yScale === 'log';
  const logX = xScale === 'log';

  // On a log axis an error band's lower edge can fall to ≤ 0; we clip it to the smallest
  // positive value plotted, so the band visibly runs to the bottom of the data instead of
  // vanishing (the note below says so).
  let logFloor = Infinity;
  if (logY) {
    for (const s of panel.series) {
      s.y.forEach((y, i) => {
        if (Number.isFinite(y) && y > 0) logFloor = Math.min(logFloor, y);
        const e = s.yErr?.[i];
        if (e !== undefined && Number.isFinite(y - e) && y - e > 0) logFloor = Math.min(logFloor, y - e);
      });
    }
  }

  const counts = { nonFinite: 0, nonPositiveY: 0, nonPositiveX: 0 };
  let clippedBand = 0;
  const series: PreparedSeries[] = panel.series.map((s, index) => {
    const style = seriesStyle(index, s.dashed);
    const mode = s.style ?? (s.y.length <= SHORT_SERIES ? 'line+points' : 'line');
    const points: XY[] = [];
    const lower: XY[] = [];
    const upper: XY[] = [];
    for (let i = 0; i < s.y.length; i++) {
      const x = s.x[i]!;
      const raw = s.y[i]!;
      if (!Number.isFinite(x)) {
        counts.nonFinite++;
        continue;
      }
      if (logX && x <= 0) {
        counts.nonPositiveX++;
        continue;
      }
      let y: number | null = raw;
      if (!Number.isFinite(raw)) {
        counts.nonFinite++;
        y = null;
      } else if (logY && raw <= 0) {
        counts.nonPositiveY++;
        y = null;
      }
      points.push({ x, y });
      if (s.yErr) {
        const e = Math.abs(s.yErr[i]!);
        if (y === null || !Number.isFinite(e)) {
          lower.push({ x, y: null });
          upper.push({ x, y: null });
        } else {
          let lo = y - e;
          if (logY && lo <= 0) {
            lo = logFloor;
            clippedBand++;
          }
          lower.push({ x, y: lo });
          upper.push({ x, y: y + e });
        }
      }
    }
    return {
      label: s.label,
      style,
      drawLine: mode !== 'points',
      drawPoints: mode !== 'line',
      points,
      ...(s.yErr ? { band: { lower, upper } } : {}),
    };
  });

  const notes: string[] = [];
  if (counts.nonFinite > 0) notes.push(`${plural(counts.nonFinite, 'NaN/Inf value', 'NaN/Inf values')} shown as gaps`);
  if (counts.nonPositiveY > 0) notes.push(`${plural(counts.nonPositiveY, 'value', 'values')} ≤ 0 not shown (log y)`);
  if (counts.nonPositiveX > 0) notes.push(`${plural(counts.nonPositiveX, 'point', 'points')} with x ≤ 0 not shown (log x)`);
  if (clippedBand > 0) notes.push(`error band clipped at ${formatTick(logFloor)} (log y)`);

  const shownLines = (panel.hLines ?? []).filter((h) => Number.isFinite(h.y) && (!logY || h.y > 0));
  const droppedLines = (panel.hLines?.length ?? 0) - shownLines.length;
  if (droppedLines > 0) notes.push(`${plural(droppedLines, 'reference line', 'reference lines')} not shown`);
  const dataY = allY.filter((y) => Number.isFinite(y) && (!logY || y > 0));
  const hLines: PreparedPanel['hLines'] = shownLines.map((h) => {
    const offscale = offscaleDirection(h.y, dataY, logY, panel.yMin, panel.yMax);
    return offscale ? { ...h, offscale } : { ...h };
  });
  const inPlace = hLines.filter((h) => !h.offscale);

  const result: PreparedPanel = { xScale, yScale, series, hLines, notes, counts };
  if (panel.yMin !== undefined && Number.isFinite(panel.yMin) && (!logY || panel.yMin > 0)) result.yMin = panel.yMin;
  if (panel.yMax !== undefined && Number.isFinite(panel.yMax) && (!logY || panel.yMax > 0)) result.yMax = panel.yMax;
  if (inPlace.length > 0) {
    // Keep reference lines inside the plot with a little headroom, so that a 2/η line does not
    // coincide with the frame (multiplicative headroom on a log axis).
    const lo = Math.min(...inPlace.map((h) => h.y));
    const hi = Math.max(...inPlace.map((h) => h.y));
    if (logY) {
      result.suggestedMin = lo / 1.3;
      result.suggestedMax = hi * 1.3;
    } else {
      // A loop, not Math.max(...ys): spreading 10^5+ training steps overflows the call stack.
      let top = hi;
      let bottom = lo;
      for (const y of allY) {
        if (!Number.isFinite(y)) continue;
        if (y > top) top = y;
        if (y < bottom) bottom = y;
      }
      const span = top - bottom || Math.abs(hi) || 1;
      result.suggestedMin = lo - 0.05 * span;
      result.suggestedMax = hi + 0.05 * span;
    }
  }
  if (yScale === 'symlog') result.linthresh = chooseLinthresh(allY);
  return result;
}
