/**
 * Heatmaps of a scalar on a 2-D grid — e.g. a loss-landscape slice L(θ* + αδ + βη) along two
 * filter-normalised random directions (Li et al., 2018) — drawn directly on the canvas,
 * because Chart.js has no heatmap chart type.
 *
 * Colours are viridis (perceptually uniform, greyscale-safe); NaN/Inf cells (diverged
 * evaluations far from the minimum are common) are painted neutral grey, which viridis never
 * produces, and counted in a note. Optional contour lines (marching squares) make level sets
 * readable in greyscale print, and their levels are marked on the colour bar.
 */
import { heatmapCsv } from './figureData.ts';
import { writeFigureFiles } from './figureFiles.ts';
import { contourLevels, marchingSquares } from './contours.ts';
import { formatTick } from './format.ts';
import { formatFromPath, type FigureFormat } from './output.ts';
import { createSurface, type DrawingContext as CanvasRenderingContext2D } from './surface.ts';
import { VIRIDIS_STOPS, viridis } from './palette.ts';
import { AXIS_LINE, FONT_FAMILY, FONT_SIZES, INK, MISSING_CELL, NOTE_INK } from './theme.ts';
import { logTicks, niceTicks } from './ticks.ts';

export interface HeatmapSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Cell-centre coordinates, strictly increasing. */
  xs: number[];
  ys: number[];
  /** Row-major, ys.length rows of xs.length values (flat or nested); row i is at ys[i]. */
  values: number[] | number[][];
  colorbarLabel: string;
  /** Colour by log10(value); values ≤ 0 are then painted as missing. Losses usually want this. */
  logColor?: boolean;
  /** Number of contour levels, evenly spaced in colour space (so in log space if logColor). */
  contours?: number;
  /** A point to mark, e.g. the trained minimum at (0, 0). */
  marker?: { x: number; y: number; label: string };
  /** Fix the colour range (in value units) to compare several heatmaps; default: data range. */
  vmin?: number;
  vmax?: number;
  /** Size in CSS px at 1× (PNG is rendered at 2×). Default 560 × 460. */
  width?: number;
  height?: number;
}

export const HEATMAP_PIXEL_RATIO = 2;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface HeatmapGeometry {
  width: number;
  height: number;
  plot: Rect;
  colorbar: Rect;
  /** Cell boundaries: midpoints between centres, extended by half a spacing at the ends. */
  xEdges: number[];
  yEdges: number[];
  /** Data coordinates → CSS px at 1× (y grows upwards in data, downwards on the canvas). */
  toPixel(x: number, y: number): { px: number; py: number };
}

export interface HeatmapColorScale {
  /** Colour-space limits (log10 units when logColor). */
  lo: number;
  hi: number;
  /** Value → position on the colour map in [0, 1], or null for a missing (grey) cell. */
  toT(value: number): number | null;
  /** Value → colour space (identity or log10); null if not representable. */
  transform(value: number): number | null;
}

const MARGIN = { left: 78, right: 104, top: 48, bottom: 58 };
const COLORBAR_GAP = 16;
const COLORBAR_WIDTH = 18;

function edges(cs: number[], name: string): number[] {
  if (cs.length === 0) throw new Error(`renderHeatmap: ${name} is empty`);
  for (let k = 0; k < cs.length; k++) {
    if (!Number.isFinite(cs[k]!)) throw new Error(`renderHeatmap: ${name}[${k}] is not finite`);
    if (k > 0 && !(cs[k]! > cs[k - 1]!)) throw new Error(`renderHeatmap: ${name} must be strictly increasing`);
  }
  if (cs.length === 1) return [cs[0]! - 0.5, cs[0]! + 0.5];
  const e = [cs[0]! - (cs[1]! - cs[0]!) / 2];
  for (let k = 0; k + 1 < cs.length; k++) e.push((cs[k]! + cs[k + 1]!) / 2);
  e.push(cs[cs.length - 1]! + (cs[cs.length - 1]! - cs[cs.length - 2]!) / 2);
  return e;
}

/** The values as one flat row-major array, checked against the grid size. */
export function flatValues(spec: Pick<HeatmapSpec, 'xs' | 'ys' | 'values'>): number[] {
  const flat = Array.isArray(spec.values[0]) ? (spec.values as number[][]).flat() : (spec.values as number[]);
  if (Array.isArray(spec.values[0]) && (spec.values as number[][]).some((r) => r.length !== spec.xs.length))
    throw new Error(`renderHeatmap: every row of values must have xs.length = ${spec.xs.length} entries`);
  if (flat.length !== spec.xs.length * spec.ys.length)
    throw new Error(`renderHeatmap: values has ${flat.length} entries, expected ys.length × xs.length = ${spec.ys.length} × ${spec.xs.length}`);
  return flat;
}

export function heatmapGeometry(spec: HeatmapSpec): HeatmapGeometry {
  const width = Math.round(spec.width ?? 560);
  const height = Math.round(spec.height ?? 460);
  const plot = {
    x: MARGIN.left,
    y: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  if (plot.width < 40 || plot.height < 40) throw new Error('renderHeatmap: width/height too small for the plot');
  const colorbar = { x: plot.x + plot.width + COLORBAR_GAP, y: plot.y, width: COLORBAR_WIDTH, height: plot.height };
  const xEdges = edges(spec.xs, 'xs');
  const yEdges = edges(spec.ys, 'ys');
  const x0 = xEdges[0]!;
  const x1 = xEdges[xEdges.length - 1]!;
  const y0 = yEdges[0]!;
  const y1 = yEdges[yEdges.length - 1]!;
  const toPixel = (x: number, y: number) => ({
    px: plot.x + ((x - x0) / (x1 - x0)) * plot.width,
    py: plot.y + plot.height - ((y - y0) / (y1 - y0)) * plot.height,
  });
  return { width, height, plot, colorbar, xEdges, yEdges, toPixel };
}

export function heatmapColorScale(spec: HeatmapSpec, flat: number[] = flatValues(spec)): HeatmapColorScale {
  const log = spec.logColor === true;
  const transform = (v: number): number | null => {
    if (!Number.isFinite(v)) return null;
    if (log) return v > 0 ? Math.log10(v) : null;
    return v;
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of flat) {
    const t = transform(v);
    if (t === null) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (spec.vmin !== undefined) lo = transform(spec.vmin) ?? lo;
  if (spec.vmax !== undefined) hi = transform(spec.vmax) ?? hi;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const toT = (v: number): number | null => {
    const t = transform(v);
    if (t === null) return null;
    return hi > lo ? Math.min(1, Math.max(0, (t - lo) / (hi - lo))) : 0.5;
  };
  return { lo, hi, toT, transform };
}

function text(
  ctx: CanvasRenderingContext2D,
  s: string,
  x: number,
  y: number,
  opts: { size: number; align?: 'left' | 'right' | 'center'; baseline?: 'top' | 'middle' | 'bottom'; bold?: boolean; italic?: boolean; color?: string; rotate?: number },
): void {
  ctx.save();
  ctx.translate(x, y);
  if (opts.rotate) ctx.rotate(opts.rotate);
  ctx.font = `${opts.italic ? 'italic ' : ''}${opts.bold ? 'bold ' : ''}${opts.size}px ${FONT_FAMILY}`;
  ctx.fillStyle = opts.color ?? INK;
  ctx.textAlign = opts.align ?? 'center';
  ctx.textBaseline = opts.baseline ?? 'middle';
  ctx.fillText(s, 0, 0);
  ctx.restore();
}

/** Render a heatmap as PNG (2×, white background), SVG or PDF. */
export function renderHeatmap(spec: HeatmapSpec, format: FigureFormat = 'png'): Buffer {
  const flat = flatValues(spec);
  const geo = heatmapGeometry(spec);
  const scale = heatmapColorScale(spec, flat);
  const { plot, colorbar, xEdges, yEdges, toPixel } = geo;
  const nx = spec.xs.length;
  const surface = createSurface(geo.width, geo.height, format, HEATMAP_PIXEL_RATIO, {
    title: spec.title,
    description: `Heatmap. x: ${spec.xLabel}. y: ${spec.yLabel}. Colour: ${spec.colorbarLabel}${spec.logColor ? ' (log scale)' : ''}.`,
  });
  const ctx = surface.ctx;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, geo.width, geo.height);

  // Cells. Each cell is drawn 0.5 px wider/taller towards its upper neighbour so that
  // anti-aliasing (PNG) and viewers' rendering (SVG/PDF) leave no hairline seams.
  let missing = 0;
  for (let i = 0; i < spec.ys.length; i++) {
    for (let j = 0; j < nx; j++) {
      const t = scale.toT(flat[i * nx + j]!);
      if (t === null) missing++;
      ctx.fillStyle = t === null ? MISSING_CELL : viridis(t);
      const a = toPixel(xEdges[j]!, yEdges[i + 1]!);
      const b = toPixel(xEdges[j + 1]!, yEdges[i]!);
      const padX = j + 1 < nx ? 0.5 : 0;
      const padY = i > 0 ? 0.5 : 0;
      ctx.fillRect(a.px, a.py, b.px - a.px + padX, b.py - a.py + padY);
    }
  }

  // Contours, in colour space; white over the dark half of viridis, black over the light half.
  const levels = contourLevels(scale.lo, scale.hi, spec.contours ?? 0);
  if (levels.length > 0) {
    const colourSpace = flat.map((v) => scale.transform(v) ?? NaN);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.width, plot.height);
    ctx.clip();
    ctx.lineWidth = 1.2;
    ctx.lineCap = 'round';
    for (const level of levels) {
      const t = (level - scale.lo) / (scale.hi - scale.lo);
      ctx.strokeStyle = t > 0.6 ? 'rgba(0, 0, 0, 0.55)' : 'rgba(255, 255, 255, 0.8)';
      ctx.beginPath();
      for (const s of marchingSquares(spec.xs, spec.ys, colourSpace, level)) {
        const p = toPixel(s.x1, s.y1);
        const q = toPixel(s.x2, s.y2);
        ctx.moveTo(p.px, p.py);
        ctx.lineTo(q.px, q.py);
      }
      ctx.stroke();
    }
    ctx.restore();
  }

  // Frame and axes.
  ctx.strokeStyle = AXIS_LINE;
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.x, plot.y, plot.width, plot.height);
  const xLo = xEdges[0]!;
  const xHi = xEdges[xEdges.length - 1]!;
  const yLo = yEdges[0]!;
  const yHi = yEdges[yEdges.length - 1]!;
  for (const v of niceTicks(xLo, xHi, Math.max(3, Math.round(plot.width / 80)))) {
    const { px } = toPixel(v, yLo);
    ctx.beginPath();
    ctx.moveTo(px, plot.y + plot.height);
    ctx.lineTo(px, plot.y + plot.height + 5);
    ctx.stroke();
    text(ctx, formatTick(v), px, plot.y + plot.height + 8, { size: FONT_SIZES.tick, baseline: 'top' });
  }
  for (const v of niceTicks(yLo, yHi, Math.max(3, Math.round(plot.height / 60)))) {
    const { py } = toPixel(xLo, v);
    ctx.beginPath();
    ctx.moveTo(plot.x, py);
    ctx.lineTo(plot.x - 5, py);
    ctx.stroke();
    text(ctx, formatTick(v), plot.x - 8, py, { size: FONT_SIZES.tick, align: 'right' });
  }
  text(ctx, spec.xLabel, plot.x + plot.width / 2, geo.height - 14, { size: FONT_SIZES.axisTitle, baseline: 'bottom' });
  text(ctx, spec.yLabel, 18, plot.y + plot.height / 2, { size: FONT_SIZES.axisTitle, rotate: -Math.PI / 2 });

  // Title and note.
  const notes: string[] = [];
  if (missing > 0) notes.push(`${missing} ${missing === 1 ? 'cell' : 'cells'} NaN/Inf${spec.logColor ? ' or ≤ 0' : ''} (grey)`);

  // Marker.
  if (spec.marker) {
    const m = spec.marker;
    const inside = m.x >= xLo && m.x <= xHi && m.y >= yLo && m.y <= yHi;
    if (!inside) notes.push(`marker '${m.label}' outside the plotted range`);
    else {
      const { px, py } = toPixel(m.x, m.y);
      ctx.save();
      // A white-filled, black-outlined star reads on every viridis colour.
      ctx.beginPath();
      for (let k = 0; k < 10; k++) {
        const r = k % 2 === 0 ? 8 : 3.5;
        const ang = -Math.PI / 2 + (k * Math.PI) / 5;
        const fn = k === 0 ? 'moveTo' : 'lineTo';
        ctx[fn](px + r * Math.cos(ang), py + r * Math.sin(ang));
      }
      ctx.closePath();
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.strokeStyle = '#000000';
      ctx.lineWidth = 1.2;
      ctx.stroke();
      ctx.font = `${FONT_SIZES.note}px ${FONT_FAMILY}`;
      const rightRoom = plot.x + plot.width - px > ctx.measureText(m.label).width + 16;
      ctx.textAlign = rightRoom ? 'left' : 'right';
      ctx.textBaseline = 'middle';
      const tx = rightRoom ? px + 11 : px - 11;
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(0, 0, 0, 0.75)';
      ctx.strokeText(m.label, tx, py);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(m.label, tx, py);
      ctx.restore();
    }
  }

  text(ctx, spec.title, plot.x + plot.width / 2, notes.length > 0 ? 14 : 22, { size: FONT_SIZES.panelTitle, bold: true });
  if (notes.length > 0)
    text(ctx, notes.join('; '), plot.x + plot.width / 2, 32, { size: FONT_SIZES.note, italic: true, color: NOTE_INK });

  // Colour bar: a vector gradient through the viridis stops, bottom (lo) to top (hi).
  const grad = ctx.createLinearGradient(0, colorbar.y + colorbar.height, 0, colorbar.y);
  VIRIDIS_STOPS.forEach((c, k) => grad.addColorStop(k / (VIRIDIS_STOPS.length - 1), c));
  ctx.fillStyle = grad;
  ctx.fillRect(colorbar.x, colorbar.y, colorbar.width, colorbar.height);
  ctx.strokeStyle = AXIS_LINE;
  ctx.lineWidth = 1;
  ctx.strokeRect(colorbar.x, colorbar.y, colorbar.width, colorbar.height);
  const barY = (c: number) => colorbar.y + colorbar.height - (scale.hi > scale.lo ? (c - scale.lo) / (scale.hi - scale.lo) : 0.5) * colorbar.height;
  const tickValues = spec.logColor ? logTicks(10 ** scale.lo, 10 ** scale.hi) : niceTicks(scale.lo, scale.hi, 5);
  ctx.font = `${FONT_SIZES.tick}px ${FONT_FAMILY}`;
  const tickWidth = Math.max(0, ...tickValues.map((v) => ctx.measureText(formatTick(v)).width));
  for (const v of tickValues) {
    const y = barY(spec.logColor ? Math.log10(v) : v);
    ctx.beginPath();
    ctx.moveTo(colorbar.x + colorbar.width, y);
    ctx.lineTo(colorbar.x + colorbar.width + 4, y);
    ctx.stroke();
    text(ctx, formatTick(v), colorbar.x + colorbar.width + 7, y, { size: FONT_SIZES.tick, align: 'left' });
  }
  for (const level of levels) {
    const y = barY(level);
    ctx.strokeStyle = (level - scale.lo) / (scale.hi - scale.lo) > 0.6 ? '#000000' : '#ffffff';
    ctx.beginPath();
    ctx.moveTo(colorbar.x, y);
    ctx.lineTo(colorbar.x + colorbar.width, y);
    ctx.stroke();
  }
  // The label sits just right of the widest tick label, but never off the canvas.
  const labelX = Math.min(geo.width - 12, colorbar.x + colorbar.width + 7 + tickWidth + 16);
  text(ctx, spec.colorbarLabel, labelX, colorbar.y + colorbar.height / 2, { size: FONT_SIZES.axisTitle, rotate: Math.PI / 2 });

  return surface.finish();
}

/**
 * Render and write atomically; the format comes from the extension. Also writes the cells as
 * `<base>.csv` and the caption into the folder's README.md index.
 */
export function saveHeatmap(spec: HeatmapSpec, path: string, options: { caption: string }): void {
  writeFigureFiles(path, renderHeatmap(spec, formatFromPath(path)), heatmapCsv(spec), options.caption);
}
