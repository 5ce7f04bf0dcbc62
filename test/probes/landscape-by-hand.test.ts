/**
 * Loss-landscape slices (Li et al. 2018) checked by hand: filter normalisation on a conv-shaped
 * kernel, biases and scalars (zero by default, normalised as a whole on request), slices of a
 * quadratic along given directions (closed form, including which axis is α and which is β),
 * grid defaults, and the figure specs built from a slice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import type { Objective } from '../../src/probes/objective.ts';
import { filterNormalizedDirection, landscapeHeatmap, landscapeLineFigure, lossLandscape1d, lossLandscape2d, type Landscape2d } from '../../src/probes/landscape.ts';
import { createRng } from '../../src/util/rng.ts';

/** L(θ) = ½Σ a_i(θ_i − c_i)² over the first parameter tensor. */
const quadratic = (a: number[], c: number[]): Objective => ({
  n: 1,
  chunkSize: 1,
  chunkLoss: (ps) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(tf.sub(ps[0].reshape([-1]), tf.tensor1d(c)))))) as tf.Scalar),
});
const q = (a: number[], c: number[], x: number[]) => 0.5 * x.reduce((s, xi, i) => s + a[i] * (xi - c[i]) ** 2, 0);

describe('filterNormalizedDirection by hand', () => {
  beforeAll(async () => { await setupBackend(); });

  it('a conv kernel [2, 2, 1, 3]: filter j is every 3rd entry from j, and its norm equals that of θ; a zero filter gets a zero direction', () => {
    const values = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? 0 : (i + 1) * (i % 2 ? -1 : 1) * 0.1));
    const kernel = tf.tensor(values, [2, 2, 1, 3]);
    const d = filterNormalizedDirection([kernel], createRng(1));
    for (let j = 0; j < 3; j++) {
      const idx = [0, 1, 2, 3].map((k) => k * 3 + j);
      const dn = Math.hypot(...idx.map((i) => d[i]));
      const tn = Math.hypot(...idx.map((i) => values[i]));
      expect(dn).toBeCloseTo(tn, 6);
    }
    expect([2, 5, 8, 11].map((i) => Math.abs(d[i]))).toEqual([0, 0, 0, 0]);
    expect(d.every((x) => Number.isFinite(x))).toBe(true);
    tf.dispose(kernel);
  });

  it('biases and scalars: zero by default; with includeBiases, normalised as a whole tensor to ‖θ_t‖', () => {
    const kernel = tf.tensor2d([[1, 2], [3, 4]]);
    const bias = tf.tensor1d([3, 4, 0]);
    const scalar = tf.scalar(-2);
    const zero = tf.tensor1d([0, 0]);
    const def = filterNormalizedDirection([kernel, bias, scalar, zero], createRng(2));
    expect(Array.from(def.slice(4))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Math.hypot(def[0], def[2])).toBeCloseTo(Math.hypot(1, 3), 6);
    const withB = filterNormalizedDirection([kernel, bias, scalar, zero], createRng(2), { includeBiases: true });
    expect(Math.hypot(...withB.slice(4, 7))).toBeCloseTo(5, 6); // ‖(3, 4, 0)‖
    expect(withB[6]).not.toBe(0); // the whole tensor is rescaled, not entry by entry
    expect(Math.abs(withB[7])).toBeCloseTo(2, 6); // a scalar gets ±|θ|
    expect(Array.from(withB.slice(8), Math.abs)).toEqual([0, 0]); // ‖θ_t‖ = 0
    tf.dispose([kernel, bias, scalar, zero]);
  });
});

describe('slices of a quadratic along given directions', () => {
  beforeAll(async () => { await setupBackend(); });
  const a = [2, 1, 4];
  const c = [1, 0, -1];
  const theta = [0.5, 1, 0];
  const d1 = Float64Array.from([1, 0, 0]);
  const d2 = Float64Array.from([0, 1, 1]);
  const at = (al: number, be: number) => q(a, c, theta.map((t, i) => t + al * d1[i] + be * d2[i]));

  it('1-D: L(θ + αδ) on the default grid of 21 points in [−1, 1], and on a custom range', () => {
    const params = [tf.tensor1d(theta)];
    const s = lossLandscape1d(quadratic(a, c), params, { rng: createRng(3), direction: d1 });
    expect(s.alphas.length).toBe(21);
    expect(s.alphas[0]).toBe(-1);
    expect(s.alphas[20]).toBe(1);
    expect(s.alphas[10]).toBeCloseTo(0, 15);
    s.alphas.forEach((al, i) => expect(s.losses[i]).toBeCloseTo(at(al, 0), 5));
    expect(s.baseLoss).toBeCloseTo(at(0, 0), 6);
    expect(s.direction).toBe(d1);
    const r = lossLandscape1d(quadratic(a, c), params, { rng: createRng(3), direction: d2, range: [0, 2], points: 3 });
    expect(r.alphas).toEqual([0, 1, 2]);
    r.alphas.forEach((be, i) => expect(r.losses[i]).toBeCloseTo(at(0, be), 5));
    // θ itself is unchanged by the slice
    expect(Array.from(params[0].dataSync())).toEqual(theta);
    tf.dispose(params);
  });

  it('2-D: losses[i][j] = L(θ + α_j δ + β_i η) on the default 11 × 11 grid', () => {
    const params = [tf.tensor1d(theta)];
    const s = lossLandscape2d(quadratic(a, c), params, { rng: createRng(4), directions: [d1, d2] });
    expect(s.alphas.length).toBe(11);
    expect(s.betas).toEqual(s.alphas);
    expect(s.alphas[0]).toBe(-1);
    expect(s.alphas[10]).toBe(1);
    expect(s.losses.length).toBe(11);
    s.losses.forEach((row, i) => { expect(row.length).toBe(11); row.forEach((v, j) => expect(v).toBeCloseTo(at(s.alphas[j], s.betas[i]), 5)); });
    expect(s.baseLoss).toBeCloseTo(at(0, 0), 6);
    expect(s.directions).toEqual([d1, d2]);
    tf.dispose(params);
  });

  it('leaves no tensors behind (every shifted parameter set is disposed)', () => {
    const params = [tf.tensor1d(theta)];
    const before = tf.memory().numTensors;
    lossLandscape1d(quadratic(a, c), params, { rng: createRng(8), direction: d1, points: 4 });
    lossLandscape2d(quadratic(a, c), params, { rng: createRng(8), directions: [d1, d2], points: 3 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params);
  });

  it('fewer than 2 points per axis is refused', () => {
    const params = [tf.tensor1d(theta)];
    expect(() => lossLandscape1d(quadratic(a, c), params, { rng: createRng(5), direction: d1, points: 1 })).toThrow(/^a landscape needs at least 2 points per axis, got 1$/);
    expect(lossLandscape1d(quadratic(a, c), params, { rng: createRng(5), direction: d1, points: 2 }).alphas).toEqual([-1, 1]);
    tf.dispose(params);
  });

  it('without given directions: filter-normalised random ones (1-D and both 2-D directions distinct)', () => {
    const kernel = [tf.tensor2d([[0.5, -1], [2, 0.25]])];
    const obj: Objective = { n: 1, chunkSize: 1, chunkLoss: (ps) => tf.tidy(() => tf.sum(tf.square(ps[0])) as tf.Scalar) };
    const s1 = lossLandscape1d(obj, kernel, { rng: createRng(6), points: 3 });
    expect(Array.from(s1.direction)).toEqual(Array.from(filterNormalizedDirection(kernel, createRng(6))));
    const s2 = lossLandscape2d(obj, kernel, { rng: createRng(7), points: 3 });
    const rng = createRng(7);
    const first = filterNormalizedDirection(kernel, rng);
    const second = filterNormalizedDirection(kernel, rng);
    expect(Array.from(s2.directions[0])).toEqual(Array.from(first));
    expect(Array.from(s2.directions[1])).toEqual(Array.from(second));
    expect(Array.from(first)).not.toEqual(Array.from(second));
    tf.dispose(kernel);
  });
});

describe('figure specs of a slice', () => {
  it('the line figure plots the losses against α', () => {
    const slice = { alphas: [-1, 0, 1], losses: [2, 1, 3], direction: new Float64Array(1), baseLoss: 1 };
    const fig = landscapeLineFigure(slice);
    expect(fig.title).toMatch(/filter-normalized direction/);
    expect(landscapeLineFigure(slice, 'T').title).toBe('T');
    expect(fig.panels.length).toBe(1);
    expect(fig.panels[0].series[0].x).toEqual([-1, 0, 1]);
    expect(fig.panels[0].series[0].y).toEqual([2, 1, 3]);
    expect(fig.panels[0].xLabel).toMatch(/^α/);
    expect(fig.panels[0].yLabel).toMatch(/nats/);
    expect(fig.panels[0].series[0].label).toMatch(/αδ/);
    expect(fig.panels[0].title).toMatch(/1-D/);
    expect(fig.panels[0].yScale).toBe('auto');
  });

  it('the heatmap: α across, β up, θ marked at the origin, log colour only when every loss is positive', () => {
    const slice: Landscape2d = { alphas: [-1, 1], betas: [-1, 1], losses: [[1, 2], [3, 4]], directions: [new Float64Array(1), new Float64Array(1)], baseLoss: 1 };
    const h = landscapeHeatmap(slice);
    expect(h.title).toMatch(/2-D slice/);
    expect(landscapeHeatmap(slice, 'T').title).toBe('T');
    expect(h.xs).toEqual([-1, 1]);
    expect(h.ys).toEqual([-1, 1]);
    expect(h.values).toEqual([[1, 2], [3, 4]]);
    expect(h.xLabel).toMatch(/^α/);
    expect(h.yLabel).toMatch(/^β/);
    expect(h.colorbarLabel).toMatch(/loss/);
    expect(h.marker).toEqual({ x: 0, y: 0, label: 'θ' });
    expect(h.contours).toBe(10);
    expect(h.logColor).toBe(true);
    expect(landscapeHeatmap({ ...slice, losses: [[1, 2], [0, 4]] }).logColor).toBe(false);
    expect(landscapeHeatmap({ ...slice, losses: [[1, -2], [3, 4]] }).logColor).toBe(false);
  });
});
