/**
 * The gradient-noise scale on a seeded subset of examples: least squares, whose per-example
 * gradients r_i·x_i are written down by hand in float64, on the subset the documented seeded
 * permutation picks (the first m of permutation(n, rng), rng = createRng(0) when none is given),
 * the default size 64, and the refusal of fewer than two examples.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { gradientNoiseScale } from '../../src/probes/gradientNoise.ts';
import type { Objective } from '../../src/probes/objective.ts';
import { createRng, permutation } from '../../src/util/rng.ts';
import { seededValues } from '../helpers/float64.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function leastSquares(n: number, p: number) {
  const X = seededValues(n * p, 1);
  const y = seededValues(n, 2);
  const theta = seededValues(p, 3);
  const objective: Objective = {
    n, chunkSize: 16,
    chunkLoss: (ps, start, size) => tf.tidy(() => {
      const xs = tf.tensor2d(Array.from(X.subarray(start * p, (start + size) * p)), [size, p]);
      const r = tf.sub(tf.matMul(xs, ps[0].reshape([p, 1])).reshape([size]), tf.tensor1d(Array.from(y.subarray(start, start + size))));
      return tf.mul(0.5, tf.mean(tf.square(r))) as tf.Scalar;
    }),
  };
  const perExample = (i: number) => {
    let r = -y[i];
    for (let j = 0; j < p; j++) r += X[i * p + j] * theta[j];
    return Array.from({ length: p }, (_, j) => r * X[i * p + j]);
  };
  // Unbiased tr(Σ) over the listed examples: Σ_i ‖g_i − ḡ‖² / (m − 1).
  const traceCovariance = (indices: ArrayLike<number>) => {
    const g = Array.from(indices, (i) => perExample(i));
    const m = g.length;
    const mean = Array.from({ length: p }, (_, j) => g.reduce((s, gi) => s + gi[j], 0) / m);
    return g.reduce((s, gi) => s + gi.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / (m - 1);
  };
  // ‖∇L‖² of the full objective: ∇L = mean_i g_i over all n examples.
  const gradNormSquared = () => {
    const all = Array.from({ length: n }, (_, i) => perExample(i));
    return Array.from({ length: p }, (_, j) => all.reduce((s, g) => s + g[j], 0) / n).reduce((s, v) => s + v * v, 0);
  };
  return { objective, theta, traceCovariance, gradNormSquared };
}

describe('gradient-noise scale on a subset', () => {
  beforeAll(async () => { await setupBackend(); });

  it('uses the first m examples of the seeded permutation (createRng(0) by default, 64 by default)', () => {
    const n = 80;
    const { objective, theta, traceCovariance, gradNormSquared } = leastSquares(n, 4);
    const params = [tf.tensor1d(Array.from(theta))];
    const subset = (m: number, seed: number) => permutation(n, createRng(seed)).slice(0, m);

    const explicit = gradientNoiseScale(objective, params, { examples: 10, rng: createRng(5) });
    expect(explicit.examples).toBe(10);
    expect(rel(explicit.traceCovariance, traceCovariance(subset(10, 5)))).toBeLessThan(1e-5);
    // The subset really matters here: the first 10 examples give a different value.
    expect(rel(traceCovariance(subset(10, 5)), traceCovariance(Array.from({ length: 10 }, (_, i) => i)))).toBeGreaterThan(1e-2);

    const defaultRng = gradientNoiseScale(objective, params, { examples: 10 });
    expect(rel(defaultRng.traceCovariance, traceCovariance(subset(10, 0)))).toBeLessThan(1e-5);

    const defaults = gradientNoiseScale(objective, params);
    expect(defaults.examples).toBe(64);
    expect(rel(defaults.gradNormSquared, gradNormSquared())).toBeLessThan(1e-5);
    expect(rel(defaults.traceCovariance, traceCovariance(subset(64, 0)))).toBeLessThan(1e-5);
    expect(rel(defaults.simpleNoiseScale, defaults.traceCovariance / defaults.gradNormSquared)).toBeLessThan(1e-12);
    tf.dispose(params);
  });

  it('takes every example of a set smaller than 64 by default; refuses fewer than 2', () => {
    const n = 9;
    const { objective, theta, traceCovariance } = leastSquares(n, 3);
    const params = [tf.tensor1d(Array.from(theta))];
    const r = gradientNoiseScale(objective, params);
    expect(r.examples).toBe(n);
    expect(rel(r.traceCovariance, traceCovariance(Array.from({ length: n }, (_, i) => i)))).toBeLessThan(1e-5);
    expect(() => gradientNoiseScale(objective, params, { examples: 1 })).toThrow(/at least 2 examples, got 1/);
    expect(gradientNoiseScale(objective, params, { examples: 2 }).examples).toBe(2);
    tf.dispose(params);
  });

  it('is never negative when every per-example gradient is the same (tr Σ = 0 exactly)', () => {
    // Identical examples: Σ‖g_i‖² − m‖ḡ‖² is 0 up to float64 round-off, which has either sign when
    // the coordinates differ in magnitude; the estimate must be clamped at 0, not be −1e-9.
    const params = [tf.tensor1d([0.3, -0.2, 0.1, 0.5, 0.9])];
    for (const n of [3, 5, 7, 10]) for (let s = 1; s < 6; s++) {
      const a = Array.from({ length: 5 }, (_, j) => Math.sin(s * 7 + j * 3) * 10 ** (j - 2));
      const objective: Objective = {
        n, chunkSize: n,
        chunkLoss: (ps, _start, size) => tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(tf.matMul(tf.tile(tf.tensor2d([a]), [size, 1]), ps[0].reshape([5, 1])), 0.7)))) as tf.Scalar),
      };
      const r = gradientNoiseScale(objective, params);
      expect(r.traceCovariance, `n = ${n}, s = ${s}`).toBeGreaterThanOrEqual(0);
      expect(r.traceCovariance).toBeLessThan(1e-6 * r.gradNormSquared);
    }
    tf.dispose(params);
  });
});
