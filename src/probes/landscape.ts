/**
 * Loss-landscape slices along filter-normalised random directions (Li, Xu, Taylor, Studer &
 * Goldstein 2018, "Visualizing the loss landscape of neural nets"):
 *   1-D: L(θ + αδ),   2-D: L(θ + αδ + βη),
 * with δ, η Gaussian directions rescaled filter by filter, d_f ← d_f / ‖d_f‖ · ‖θ_f‖, so that the
 * plot is comparable across networks whose layers have different scales (and is invariant to the
 * rescalings ReLU nets allow). A *filter* is one output unit: the slice [..., j] of a kernel over
 * its last axis (a column of a dense kernel [d_in, d_out], one output channel of a conv kernel
 * [kh, kw, c_in, c_out]). 1-D tensors (biases, normalisation parameters) get a zero direction by
 * default, as in Li et al. ("ignore biasbn"); with `includeBiases` they are normalised as a whole.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Figure } from '../report/figure.ts';
import type { HeatmapSpec } from '../report/heatmap.ts';
import { objectiveLoss, type Objective } from './objective.ts';
import { flatten, layoutOf, unflatten } from './operator.ts';

/** A filter-normalised Gaussian direction (flat, in parameter order). */
export function filterNormalizedDirection(params: tf.Tensor[], rng: Rng, options: { includeBiases?: boolean } = {}): Float64Array {
  const layout = layoutOf(params);
  const theta = flatten(params);
  const d = new Float64Array(layout.total);
  layout.shapes.forEach((shape, t) => {
    const off = layout.offsets[t];
    const size = layout.sizes[t];
    const draw = () => { for (let i = 0; i < size; i++) d[off + i] = rng.normal(); };
    if (shape.length <= 1) {
      if (!options.includeBiases) return;
      draw();
      let dn = 0;
      let tn = 0;
      for (let i = 0; i < size; i++) { dn += d[off + i] ** 2; tn += theta[off + i] ** 2; }
      const f = dn > 0 ? Math.sqrt(tn / dn) : 0;
      for (let i = 0; i < size; i++) d[off + i] *= f;
      return;
    }
    draw();
    const filters = shape[shape.length - 1];
    const dn = new Float64Array(filters);
    const tn = new Float64Array(filters);
    for (let i = 0; i < size; i++) { dn[i % filters] += d[off + i] ** 2; tn[i % filters] += theta[off + i] ** 2; }
    for (let i = 0; i < size; i++) {
      const f = i % filters;
      d[off + i] *= dn[f] > 0 ? Math.sqrt(tn[f] / dn[f]) : 0;
    }
  });
  return d;
}

export interface Landscape1d { alphas: number[]; losses: number[]; direction: Float64Array; baseLoss: number }
export interface Landscape2d { alphas: number[]; betas: number[]; /** losses[i][j] at (alphas[j], betas[i]) */ losses: number[][]; directions: [Float64Array, Float64Array]; baseLoss: number }

export interface LandscapeOptions {
  /** Coefficient range (default [−1, 1]). */
  range?: [number, number];
  /** Grid points per axis (default 21 for 1-D, 11 for 2-D). */
  points?: number;
  rng: Rng;
  includeBiases?: boolean;
}

function grid(range: [number, number], points: number): number[] {
  if (points < 2) throw new Error(`a landscape needs at least 2 points per axis, got ${points}`);
  return Array.from({ length: points }, (_, i) => range[0] + ((range[1] - range[0]) * i) / (points - 1));
}

function lossAt(objective: Objective, theta: Float64Array, layout: ReturnType<typeof layoutOf>, dirs: Float64Array[], coefs: number[]): number {
  const x = theta.slice();
  dirs.forEach((d, k) => { for (let i = 0; i < x.length; i++) x[i] += coefs[k] * d[i]; });
  const ps = unflatten(x, layout);
  try { return objectiveLoss(objective, ps); } finally { tf.dispose(ps); }
}

export function lossLandscape1d(objective: Objective, params: tf.Tensor[], options: LandscapeOptions & { direction?: Float64Array }): Landscape1d {
  const layout = layoutOf(params);
  const theta = flatten(params);
  const direction = options.direction ?? filterNormalizedDirection(params, options.rng, options);
  const alphas = grid(options.range ?? [-1, 1], options.points ?? 21);
  return { alphas, losses: alphas.map((a) => lossAt(objective, theta, layout, [direction], [a])), direction, baseLoss: objectiveLoss(objective, params) };
}

export function lossLandscape2d(objective: Objective, params: tf.Tensor[], options: LandscapeOptions & { directions?: [Float64Array, Float64Array] }): Landscape2d {
  const layout = layoutOf(params);
  const theta = flatten(params);
  const directions = options.directions ?? [filterNormalizedDirection(params, options.rng, options), filterNormalizedDirection(params, options.rng, options)];
  const axis = grid(options.range ?? [-1, 1], options.points ?? 11);
  const losses = axis.map((b) => axis.map((a) => lossAt(objective, theta, layout, directions, [a, b])));
  return { alphas: axis, betas: axis, losses, directions, baseLoss: objectiveLoss(objective, params) };
}

/** Line plot of a 1-D slice (for `saveFigure`). */
export function landscapeLineFigure(slice: Landscape1d, title = 'Loss along a filter-normalized direction'): Figure {
  return {
    title,
    panels: [{
      title: '1-D slice L(θ + αδ)',
      xLabel: 'α (filter-normalized direction δ)',
      yLabel: 'mean cross-entropy (nats)',
      yScale: 'auto',
      series: [{ label: 'L(θ + αδ)', x: slice.alphas, y: slice.losses }],
    }],
    columns: 1,
  };
}

/** Contour heatmap of a 2-D slice (for `saveHeatmap` / `renderHeatmap`), minimum marked at (0, 0). */
export function landscapeHeatmap(slice: Landscape2d, title = 'Loss on a filter-normalized 2-D slice'): HeatmapSpec {
  const all = slice.losses.flat();
  return {
    title,
    xLabel: 'α (direction δ)',
    yLabel: 'β (direction η)',
    xs: slice.alphas,
    ys: slice.betas,
    values: slice.losses,
    colorbarLabel: 'loss (nats)',
    logColor: all.every((v) => v > 0),
    contours: 10,
    marker: { x: 0, y: 0, label: 'θ' },
  };
}
