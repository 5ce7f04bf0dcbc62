/**
 * checkCollapse on one-input linear classifiers f(x) = xW + b whose logits, spread, loss and
 * gradient are known by hand: both reasons for collapse, the relative (scale-aware) spread
 * threshold on either side of 1e-6·max(1, |mean|), a genuine zero-loss minimum that must not be
 * flagged, and the chance losses ln K and ½(1 − 1/K).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createLinearModel } from '../../src/models/linear.ts';
import { chanceLoss, checkCollapse } from '../../src/probes/collapse.ts';
import { oneHotFloat } from '../../src/train/loss.ts';

const model = createLinearModel({ inputSize: 1, outputs: 2, bias: true });

function data(xs: number[], labels: number[]) {
  const y = Int32Array.from(labels);
  return { x: tf.tensor2d(xs, [xs.length, 1]), oneHot: oneHotFloat(y, 2), labels: y, n: xs.length };
}

/** Largest per-class population std of the logits and max(1, max |mean|), in float64. */
function spreadByHand(xs: number[], w: number[], b: number[]) {
  let spread = 0;
  let scale = 1;
  for (let k = 0; k < 2; k++) {
    const z = xs.map((x) => Math.fround(Math.fround(x * w[k]) + b[k]));
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    spread = Math.max(spread, Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length));
    scale = Math.max(scale, Math.abs(mean));
  }
  return { spread, scale };
}

describe('collapse check by hand', () => {
  beforeAll(async () => { await setupBackend(); });

  it('chance losses: ln K for cross-entropy, ½(1 − 1/K) for the squared loss (the loss of logits 1/K)', () => {
    expect(chanceLoss('cross-entropy', 4)).toBeCloseTo(Math.log(4), 14);
    expect(chanceLoss('cross-entropy', 10)).toBeCloseTo(Math.log(10), 14);
    // ½ Σ_k (1/K − y_k)² = ½[(1 − 1/K)² + (K − 1)/K²]
    for (const K of [2, 4, 10]) expect(chanceLoss('mse', K)).toBeCloseTo(0.5 * ((1 - 1 / K) ** 2 + (K - 1) / K ** 2), 14);
  });

  it('logit spread and scale equal the hand values for chunks that do and do not divide n', () => {
    const xs = [-1.5, -0.5, 0.25, 1, 2, 3, -2, 0.75, 1.25, -0.25];
    const labels = xs.map((_, i) => i % 2);
    const d = data(xs, labels);
    const w = [0.8, -1.3];
    const b = [2.5, -0.5];
    const params = [tf.tensor2d([w], [1, 2]), tf.tensor1d(b)];
    const want = spreadByHand(xs, w, b);
    for (const chunk of [3, 5, 1024]) {
      const c = checkCollapse(model, params, d, 'cross-entropy', chunk);
      expect(c.logitSpread).toBeCloseTo(want.spread, 6);
      expect(c.logitScale).toBeCloseTo(want.scale, 6);
      expect(c.collapsed).toBe(false);
      expect(c.reason).toBeUndefined();
    }
    expect(want.scale).toBeGreaterThan(1); // the mean of logit 0 sets the scale here
    tf.dispose([d.x, d.oneHot, ...params]);
  });

  it('the spread threshold is relative to max(1, |mean logit|)', () => {
    const xs = [-1, 1, -1, 1];
    const d = data(xs, [0, 1, 0, 1]); // labels follow x: the gradient at logits ≈ 0 is not 0
    // Logits 100 ± 3e-5: spread 3e-5 ≤ 1e-6·100, collapsed although 3e-5 > 1e-6.
    const big = [tf.tensor2d([[3e-5, 0]], [1, 2]), tf.tensor1d([100, 0])];
    const cBig = checkCollapse(model, big, d);
    expect(cBig.logitScale).toBeCloseTo(100, 4);
    expect(cBig.logitSpread).toBeGreaterThan(1e-5);
    expect(cBig.collapsed).toBe(true);
    expect(cBig.reason).toBe('outputs-independent-of-input');
    // Logits 0 ± 5e-7: scale 1 (not |mean| = 0), spread 5e-7 ≤ 1e-6: collapsed.
    const small = [tf.tensor2d([[5e-7, 0]], [1, 2]), tf.tensor1d([0, 0])];
    const cSmall = checkCollapse(model, small, d);
    expect(cSmall.logitScale).toBe(1);
    expect(cSmall.collapsed).toBe(true);
    // Logits 0 ± 2e-6: above 1e-6·1, not collapsed on this ground (and the gradient is not 0).
    const above = [tf.tensor2d([[2e-6, 0]], [1, 2]), tf.tensor1d([0, 0])];
    expect(checkCollapse(model, above, d).collapsed).toBe(false);
    // A dead, input-independent net: spread exactly 0.
    const dead = [tf.zeros([1, 2]), tf.tensor1d([0.3, -0.2])];
    const cDead = checkCollapse(model, dead, d);
    expect(cDead.logitSpread).toBe(0);
    expect(cDead.collapsed).toBe(true);
    // The scale is |mean|: logits −100 ± 3e-5 are collapsed like +100 ± 3e-5.
    const negative = [tf.tensor2d([[3e-5, 0]], [1, 2]), tf.tensor1d([-100, 0])];
    const cNegative = checkCollapse(model, negative, d);
    expect(cNegative.logitScale).toBeCloseTo(100, 4);
    expect(cNegative.collapsed).toBe(true);
    // 100 constant logits 100.1: in float64, E[z²] − E[z]² = −3e-11 (round-off), which must read as
    // spread 0, not NaN.
    const many = data(Array.from({ length: 100 }, (_, i) => i / 10 - 5), Array.from({ length: 100 }, (_, i) => i % 2));
    const constant = [tf.zeros([1, 2]), tf.tensor1d([100.1, 0])];
    const cConstant = checkCollapse(model, constant, many);
    expect(cConstant.logitSpread).toBe(0);
    expect(cConstant.collapsed).toBe(true);
    tf.dispose([many.x, many.oneHot, ...negative, ...constant]);
    tf.dispose([d.x, d.oneHot, ...big, ...small, ...above, ...dead]);
  });

  it('a vanishing gradient at a loss above ½·chance is collapse; a zero-loss minimum is not', () => {
    // x = +1 carries labels 0, 0, 1 and x = −1 labels 1, 1, 0: the least-squares fit predicts the
    // label frequencies, f(±1) = (1/2 ± 1/6, 1/2 ∓ 1/6) (W = (1/6, −1/6), b = (1/2, 1/2)); its
    // squared loss ½·mean Σ_k r² = 2/9 ≥ ½·¼ while ∇L = 0, and the logits do depend on x.
    const d = data([1, 1, 1, -1, -1, -1], [0, 0, 1, 1, 1, 0]);
    const fit = [tf.tensor2d([[1 / 6, -1 / 6]], [1, 2]), tf.tensor1d([0.5, 0.5])];
    const c = checkCollapse(model, fit, d, 'mse', 4);
    expect(c.chanceLoss).toBeCloseTo(0.25, 14);
    expect(c.loss).toBeCloseTo(2 / 9, 6);
    expect(c.gradientNorm).toBeLessThan(1e-6);
    expect(c.logitSpread).toBeCloseTo(1 / 6, 6);
    expect(c.collapsed).toBe(true);
    expect(c.reason).toBe('vanishing-gradient');
    // Away from the fit the gradient is not small: not collapsed.
    const off = [tf.tensor2d([[0.5, -0.5]], [1, 2]), tf.tensor1d([0.5, 0.5])];
    const cOff = checkCollapse(model, off, d, 'mse');
    expect(cOff.gradientNorm).toBeGreaterThan(0.1);
    expect(cOff.collapsed).toBe(false);
    // Deterministic labels, fitted exactly (f(+1) = (1, 0), f(−1) = (0, 1)): loss 0, gradient 0.
    const clean = data([1, 1, -1, -1], [0, 0, 1, 1]);
    const exact = checkCollapse(model, off, clean, 'mse');
    expect(exact.loss).toBe(0);
    expect(exact.gradientNorm).toBe(0);
    expect(exact.collapsed).toBe(false);
    tf.dispose([d.x, d.oneHot, clean.x, clean.oneHot, ...fit, ...off]);
  });
});
