/**
 * Tick positions for axes drawn by hand (the heatmap and its colour bar); Chart.js computes its
 * own ticks for line charts.
 */

/**
 * "Nice" linear ticks (1, 2, 2.5 or 5 × 10^k steps) covering [min, max], roughly `target` of
 * them, only ticks inside the closed interval. Returns [] for a non-finite interval.
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    // Multiply rather than accumulate, and clean float noise (0.30000000000000004 → 0.3).
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/**
 * Ticks for a log axis over [min, max] (both > 0): every power of ten inside the interval, or,
 * when the interval spans less than one decade and so contains at most one power, nice linear
 * ticks instead. Returns [] for an invalid interval.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  if (hi - lo < 1) return niceTicks(min, max, 4);
  const stride = Math.max(1, Math.ceil((hi - lo + 1) / 8));
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k += stride) ticks.push(Number((10 ** k).toPrecision(12)));
  return ticks;
}
