/**
 * The chunked objective on an affine model z = xW + b small enough to work by hand. With the
 * augmented inputs x̃ = (x, 1) and Θ = [W; b] (which is also the flat parameter order: W row-major,
 * then b), the squared loss L = (1/2n)‖X̃Θ − Y‖² has, in float64,
 *   ∇L = (1/n) X̃ᵀ(X̃Θ − Y),   H·V = (1/n) X̃ᵀX̃ V   (H = (X̃ᵀX̃/n) ⊗ I_k),
 * and the cross-entropy is recomputed from the logits X̃Θ. Every chunk size (dividing n or not,
 * larger than n) must give these values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { chunks, classificationObjective, gradientNormSquared, lossFunctionObjective, objectiveGradient, objectiveHessian, objectiveLoss } from '../../src/probes/objective.ts';
import { toTensorData } from '../../src/train/tensorData.ts';
import { crossEntropy64 } from '../helpers/mlp64.ts';

beforeAll(async () => { await setupBackend(); });

const d = 2;
const k = 3;
const X = [[1, 0], [0, 1], [1, 1], [2, -1], [0.5, 0]];
const labels = Int32Array.from([0, 1, 2, 2, 1]);
const n = X.length;
const W = [[0.5, -1, 2], [1, 0.25, -0.5]];
const b = [0.1, -0.2, 0.3];
const Xa = X.map((row) => [...row, 1]); // x̃ = (x, 1)
const Theta = [...W, b]; // [d + 1, k]
const logits = Xa.map((row) => Array.from({ length: k }, (_, j) => row.reduce((s, v, r) => s + v * Theta[r][j], 0)));
const residual = logits.map((z, i) => z.map((v, j) => v - (labels[i] === j ? 1 : 0)));
const squaredLoss = residual.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0) / (2 * n);
/** (1/n) X̃ᵀ M for an [n, k] matrix M, flattened row-major ([d + 1, k]). */
const xaT = (M: number[][]): number[] => Array.from({ length: (d + 1) * k }, (_, idx) => {
  const [r, j] = [Math.floor(idx / k), idx % k];
  return Xa.reduce((s, row, i) => s + row[r] * M[i][j], 0) / n;
});
const squaredGradient = xaT(residual);
/** H·V = (1/n) X̃ᵀ X̃ V for a flat V of shape [d + 1, k]. */
const hessianTimes = (v: ArrayLike<number>): number[] => xaT(Xa.map((row) => Array.from({ length: k }, (_, j) => row.reduce((s, x, r) => s + x * v[r * k + j], 0))));

function setup() {
  const model = createMlp({ widths: [d, k], activation: 'linear', bias: true });
  const data = toTensorData({ name: 'hand', n, featureShape: [d], numClasses: k, x: Float32Array.from(X.flat()), y: labels });
  const params = [tf.tensor2d(W), tf.tensor1d(b)];
  return { model, data, params, dispose: () => tf.dispose([...params, data.x, data.oneHot]) };
}

const close = (got: number, want: number, tol = 1e-5) => expect(Math.abs(got - want)).toBeLessThan(tol * Math.max(1, Math.abs(want)));
const closeAll = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  Array.from(want).forEach((w, i) => close(got[i], w, tol));
};

describe('objective by hand (affine model, squared and cross-entropy loss)', () => {
  it('chunks cover [0, n) in order, the last one short; a chunk size that is not a positive integer is named', () => {
    expect(chunks(5, 2)).toEqual([{ start: 0, size: 2 }, { start: 2, size: 2 }, { start: 4, size: 1 }]);
    expect(chunks(4, 2)).toEqual([{ start: 0, size: 2 }, { start: 2, size: 2 }]);
    expect(chunks(3, 8)).toEqual([{ start: 0, size: 3 }]);
    expect(chunks(0, 4)).toEqual([]);
    for (const bad of [0, -2, 1.5, Number.NaN]) expect(() => chunks(5, bad)).toThrow(`chunk size must be a positive integer, got ${bad}`);
    expect(chunks(1, 1)).toEqual([{ start: 0, size: 1 }]);
  });

  it('loss, gradient, ‖∇L‖² and H·v equal the closed forms for every chunk size', () => {
    const { model, data, params, dispose } = setup();
    const ce = crossEntropy64(logits.flat(), labels, k).loss;
    const v = Float64Array.from({ length: (d + 1) * k }, (_, i) => ((i * 7) % 5) - 2 + 0.5 * (i % 2));
    const hv = hessianTimes(v);
    const g2 = squaredGradient.reduce((s, g) => s + g * g, 0);
    for (const chunk of [1, 2, 3, n, 7]) {
      const squared = classificationObjective(model, data, chunk, 'mse');
      expect(squared.n).toBe(n);
      expect(squared.chunkSize).toBe(chunk);
      close(objectiveLoss(squared, params), squaredLoss);
      const g = objectiveGradient(squared, params);
      close(g.loss, squaredLoss);
      closeAll(g.gradient, squaredGradient);
      close(gradientNormSquared(squared, params), g2);
      const op = objectiveHessian(squared, params);
      expect(op.dimension).toBe((d + 1) * k);
      expect(op.method).toBe('exact');
      closeAll(op.apply(v), hv);
      // The quadratic's central difference is exact whatever the step.
      closeAll(objectiveHessian(squared, params, { method: 'finite-difference' }).apply(v), hv, 1e-3);
      // Cross-entropy is the default loss.
      close(objectiveLoss(classificationObjective(model, data, chunk), params), ce);
    }
    dispose();
  });

  it('H·v counts its products, names a vector of the wrong length, and leaks no tensor', () => {
    const { model, data, params, dispose } = setup();
    const op = objectiveHessian(classificationObjective(model, data, 2, 'mse'), params);
    expect(op.matvecs).toBe(0);
    const v = new Float64Array((d + 1) * k).fill(1);
    const before = tf.memory().numTensors;
    op.apply(v);
    op.apply(v);
    expect(tf.memory().numTensors).toBe(before);
    expect(op.matvecs).toBe(2);
    expect(() => op.apply(new Float64Array(4))).toThrow('HVP: vector has 4 entries, the model has 9 parameters');
    dispose();
  });

  it('finite-difference HVP of the cross-entropy honours its step: a small step agrees with the exact product, a large one does not', () => {
    const { model, data, params, dispose } = setup();
    const ce = classificationObjective(model, data, 2);
    const v = Float64Array.from({ length: (d + 1) * k }, (_, i) => (i % 3) - 1);
    const exact = objectiveHessian(ce, params).apply(v);
    const fd = objectiveHessian(ce, params, { method: 'finite-difference', epsilon: 1e-2 });
    expect(fd.method).toBe('finite-difference');
    const small = fd.apply(v);
    const large = objectiveHessian(ce, params, { method: 'finite-difference', epsilon: 3 }).apply(v);
    const rel = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x, i) => s + (x - exact[i]) ** 2, 0) / exact.reduce((s, x) => s + x * x, 0));
    expect(rel(small)).toBeLessThan(1e-2);
    // The loss's gradient saturates over a step of 3·v, so the difference quotient is far off.
    expect(rel(large)).toBeGreaterThan(0.1);
    dispose();
  });

  it('a plain loss function is a one-chunk objective', () => {
    const { params, dispose } = setup();
    // L(W, b) = Σ W² + 3 Σ b: value 6.5625 + 0.6 = 7.1625, gradient (2W, 3), Hessian diag(2, …, 2, 0, 0, 0).
    const objective = lossFunctionObjective((p) => tf.add(tf.sum(tf.square(p[0])), tf.mul(3, tf.sum(p[1]))) as tf.Scalar);
    expect([objective.n, objective.chunkSize]).toEqual([1, 1]);
    close(objectiveLoss(objective, params), 7.1625);
    closeAll(objectiveGradient(objective, params).gradient, [...W.flat().map((w) => 2 * w), 3, 3, 3]);
    closeAll(objectiveHessian(objective, params).apply(new Float64Array(9).fill(1)), [2, 2, 2, 2, 2, 2, 0, 0, 0]);
    dispose();
  });
});
