/**
 * Margin probe pieces on a linear model f(x) = xW small enough to work by hand: per-example
 * margins across chunk boundaries, quantile interpolation, and the homogeneity check's options.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { checkHomogeneity, exampleMargins, layerNormProduct, normalizedMargin, quantile } from '../../src/probes/margin.ts';

beforeAll(async () => { await setupBackend(); });

// W = [[1, 0, 2], [0, 3, 1]]: logits of x = (a, b) are (a, 3b, 2a + b).
const W = [[1, 0, 2], [0, 3, 1]];
const X = [[1, 0], [0, 1], [1, 1], [2, -1], [0, 0]];
// Logits: (1, 0, 2), (0, 3, 1), (1, 3, 3), (2, −3, 3), (0, 0, 0).
const labels = Int32Array.from([0, 1, 2, 2, 1]);
// q_i = f_y − max_{j≠y} f_j: 1 − 2 = −1, 3 − 1 = 2, 3 − 3 = 0, 3 − 2 = 1, 0 − 0 = 0.
const q = [-1, 2, 0, 1, 0];

describe('margin probe by hand (linear model)', () => {
  it('per-example margins, whatever the chunk size', () => {
    const model = createMlp({ widths: [2, 3], activation: 'linear' });
    const params = [tf.tensor2d(W)];
    const x = tf.tensor2d(X);
    for (const chunk of [undefined, 1, 2, 5, 100]) {
      expect(Array.from(exampleMargins(model, params, x, labels, chunk))).toEqual(q);
    }
    tf.dispose([...params, x]);
  });

  it('quantiles interpolate linearly between order statistics', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5]);
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile(sorted, 1)).toBe(5);
    expect(quantile(sorted, 0.25)).toBe(2);
    expect(quantile(sorted, 0.1)).toBeCloseTo(1.4, 14);
    expect(quantile(sorted, 0.9)).toBeCloseTo(4.6, 14);
    expect(quantile(Float64Array.from([7]), 0.5)).toBe(7);
  });

  it('normalized margin of a degree-1 model: min q / ‖W‖, min q / ‖W‖_F, fraction positive, sorted quantiles', () => {
    const model = createMlp({ widths: [2, 3], activation: 'linear' });
    const params = [tf.tensor2d(W)];
    const x = tf.tensor2d(X);
    const r = normalizedMargin(model, params, x, labels, 2);
    const norm = Math.sqrt(1 + 4 + 9 + 1); // ‖W‖_F = ‖θ‖₂ = √15
    expect(r.homogeneityDegree).toBe(1);
    expect(r.minUnnormalized).toBe(-1);
    expect(r.normalized).toBeCloseTo(-1 / norm, 6);
    expect(r.normalizedByLayerProduct).toBeCloseTo(-1 / norm, 6);
    expect(layerNormProduct(model, params)).toBeCloseTo(norm, 5);
    // Sorted q/‖θ‖ = (−1, 0, 0, 1, 2)/√15; the 0.75 quantile is at position 3 → 1/√15; 0.9 → 1.6/√15.
    const byQ = new Map(r.quantiles.map((e) => [e.q, e.value]));
    expect(byQ.get(0.75)).toBeCloseTo(1 / norm, 6);
    expect(byQ.get(0.9)).toBeCloseTo(1.6 / norm, 6);
    expect(byQ.get(1)).toBeCloseTo(2 / norm, 6);
    expect(r.fractionPositive).toBe(2 / 5); // q = 0 is not a strict margin
    expect(r.undefinedReason).toBeUndefined();
    tf.dispose([...params, x]);
  });

  it('homogeneity check: measured degree, examples, scales and tolerance options; f = 0 has no measured degree', () => {
    const model = createMlp({ widths: [2, 3], activation: 'linear' });
    const x = tf.tensor2d(X);
    const params = [tf.tensor2d(W)];
    const h = checkHomogeneity(model, params, x);
    expect(h.declared).toBe(1);
    expect(h.measured).toBeCloseTo(1, 5);
    expect(h.relativeError).toBeLessThan(1e-6);
    expect(h.verified).toBe(true);
    // Declaring degree 2 for a linear model: f(3θ) = 3f ≠ 9f, error |3 − 9|/9 = 2/3 at c = 3 and
    // |1/3 − 1/9|/(1/9) = 2 at c = 1/3; the worst is 2.
    const liar = { ...model, homogeneityDegree: 2 };
    const bad = checkHomogeneity(liar, params, x);
    expect(bad.relativeError).toBeCloseTo(2, 4);
    expect(bad.verified).toBe(false);
    expect(checkHomogeneity(liar, params, x, { scales: [3] }).relativeError).toBeCloseTo(2 / 3, 4);
    expect(checkHomogeneity(liar, params, x, { tolerance: 3 }).verified).toBe(true);
    expect(checkHomogeneity(liar, params, x, { scales: [2, 0.5] }).measured).toBeCloseTo(1, 5);
    // Only the last example (x = 0) → f = 0: no measured degree, and no error to speak of.
    const zero = checkHomogeneity(model, params, tf.tensor2d([[0, 0]]));
    expect(zero.measured).toBeNull();
    expect(zero.relativeError).toBe(0);
    // examples: 1 keeps the first row only; f(x₁) = (1, 0, 2) is still degree 1.
    expect(checkHomogeneity(model, params, x, { examples: 1 }).measured).toBeCloseTo(1, 5);
    const margins = normalizedMargin(liar, params, x, labels);
    expect(margins.normalized).toBeNull();
    expect(margins.quantilesOf).toBe('unnormalized');
    expect(margins.undefinedReason).toBe('the architecture declares degree 2 but f(cθ) ≠ c^2 f(θ) numerically (relative error 2.00e+0)');
    // Unnormalized quantiles are the raw margins: max q = 2.
    expect(margins.quantiles.at(-1)!.value).toBeCloseTo(2, 6);
    tf.dispose([...params, x]);
  });
});
