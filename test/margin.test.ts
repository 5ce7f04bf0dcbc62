/**
 * The normalized margin min_i q_i / ‖θ‖₂^L of a bias-free ReLU MLP is invariant to the
 * symmetries of homogeneous networks; a biased network reports it as undefined.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { exampleMargins, normalizedMargin, writeMargins } from '../src/probes/margin.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';

describe('normalized margin', () => {
  beforeAll(async () => { await setupBackend(); });
  const widths = [6, 10, 8, 4];
  const n = 30;
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 4);

  it('is unchanged when one layer is scaled by c and another by 1/c (layer-product form), and when all parameters are scaled by c (both forms)', () => {
    const model = createMlp({ widths });
    expect(model.homogeneityDegree).toBe(3);
    const x = tf.tensor2d(Array.from(seededValues(n * 6, 41)), [n, 6]);
    const params = model.init(createRng(3));
    const base = normalizedMargin(model, params, x, labels);
    const c = 3.7;
    const layerRescaled = [tf.mul(params[0], c), tf.div(params[1], c), params[2]];
    const allScaled = params.map((t) => tf.mul(t, c));
    const a = normalizedMargin(model, layerRescaled, x, labels);
    const b = normalizedMargin(model, allScaled, x, labels);
    const rel = (u: number, w: number) => Math.abs(u - w) / Math.abs(w);
    // Layer rescaling keeps f, so the unnormalized and the layer-product margins are unchanged…
    expect(rel(a.minUnnormalized, base.minUnnormalized)).toBeLessThan(1e-4);
    expect(rel(a.normalizedByLayerProduct!, base.normalizedByLayerProduct!)).toBeLessThan(1e-4);
    // …while ‖θ‖₂^L changes with it, so the ‖θ‖₂^L form must move (the test can tell them apart).
    expect(rel(a.normalized!, base.normalized!)).toBeGreaterThan(1e-2);
    // Global scaling: both forms are invariant.
    expect(rel(b.normalized!, base.normalized!)).toBeLessThan(1e-4);
    expect(rel(b.normalizedByLayerProduct!, base.normalizedByLayerProduct!)).toBeLessThan(1e-4);
    // And the unnormalized margin does scale as c^L.
    expect(b.minUnnormalized / base.minUnnormalized).toBeCloseTo(c ** 3, 2);
  });

  it('per-example margins equal f_y − max_{j≠y} f_j computed from the logits', () => {
    const model = createMlp({ widths });
    const x = tf.tensor2d(Array.from(seededValues(n * 6, 42)), [n, 6]);
    const params = model.init(createRng(4));
    const logits = model.apply(params, x).arraySync();
    const margins = exampleMargins(model, params, x, labels, 7);
    logits.forEach((row, i) => {
      const others = row.filter((_, j) => j !== labels[i]);
      expect(margins[i]).toBeCloseTo(row[labels[i]] - Math.max(...others), 5);
    });
  });

  it('is undefined (null) for a model with biases', () => {
    const model = createMlp({ widths, bias: true });
    const x = tf.tensor2d(Array.from(seededValues(n * 6, 43)), [n, 6]);
    const result = normalizedMargin(model, model.init(createRng(5)), x, labels);
    expect(model.homogeneityDegree).toBeNull();
    expect(result.normalized).toBeNull();
    expect(Number.isFinite(result.minUnnormalized)).toBe(true);
  });
});

describe('writeMargins', () => {
  it('writes q_i = f_y − max_{j≠y} f_j for exactly the chunk\'s rows at its offset, nothing around them', () => {
    // Two rows of three logits, labelled 2 and 0, written at offset 3 of a buffer of 8.
    const logits = Float32Array.from([1, 4, 2, 5, -1, 3]);
    const labels = Int32Array.from([9, 9, 9, 2, 0, 9, 9, 9]);
    const out = new Float64Array(8).fill(7);
    writeMargins(logits, 3, labels, 3, out);
    expect(Array.from(out)).toEqual([7, 7, 7, 2 - 4, 5 - 3, 7, 7, 7]);
  });
});
