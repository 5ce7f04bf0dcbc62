/**
 * The margin probe's homogeneity bookkeeping, on networks small enough to evaluate by hand:
 * a measured degree needs both ‖f(θ)‖ and ‖f(3θ)‖ non-zero; a model that declares no degree
 * reports no error and is never verified; the reason for a null margin is worded for the case;
 * and a check that passed is reused for the model (the doc's "checked once"), one that failed is not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { checkHomogeneity, normalizedMargin } from '../../src/probes/margin.ts';

beforeAll(async () => { await setupBackend(); });

/** One input, one hidden ReLU unit, one output, all with biases: f(x) = w1·relu(w0·x + b0) + b1. */
const tiny = () => createMlp({ widths: [1, 1, 1], bias: true });
/** widths [1, 1, 2]: w0 = 1, b0 = 0, W1 = [[1, −1]], b1 as given. */
const paramsOfTwo = (b1: number[]) => [tf.tensor2d([[1]]), tf.tensor1d([0]), tf.tensor2d([[1, -1]]), tf.tensor1d(b1)];
const paramsOf = (w0: number, b0: number, w1: number, b1: number) => [tf.tensor2d([[w0]]), tf.tensor1d([b0]), tf.tensor2d([[w1]]), tf.tensor1d([b1])];

describe('homogeneity check by hand', () => {
  it('no measured degree when f(θ) = 0 but f(3θ) ≠ 0, or f(θ) ≠ 0 but f(3θ) = 0; no error and no verification without a declared degree', () => {
    const model = tiny();
    expect(model.homogeneityDegree).toBeNull();
    const x = tf.tensor2d([[1]]);
    // θ = (1, 1, 1, −2): f(1) = relu(2) − 2 = 0; at 3θ: 3·relu(6) − 6 = 12.
    const zeroThenNot = paramsOf(1, 1, 1, -2);
    expect(model.apply(zeroThenNot, x).dataSync()[0]).toBe(0);
    expect(checkHomogeneity(model, zeroThenNot, x)).toEqual({ declared: null, measured: null, relativeError: null, verified: false });
    // θ = (1, −0.5, 1, −1.5): f(1) = 0.5 − 1.5 = −1; at 3θ: 3·relu(1.5) − 4.5 = 0.
    const notThenZero = paramsOf(1, -0.5, 1, -1.5);
    expect(model.apply(notThenZero.map((p) => tf.mul(p, 3)), x).dataSync()[0]).toBe(0);
    expect(checkHomogeneity(model, notThenZero, x).measured).toBeNull();
    // Both non-zero: θ = (1, 1, 1, 0): f = 2, f(3θ) = 18; log(9)/log(3) = 2.
    const both = checkHomogeneity(model, paramsOf(1, 1, 1, 0), x);
    expect(both.measured).toBeCloseTo(2, 5);
    expect(both.relativeError).toBeNull();
    expect(both.verified).toBe(false);
    // `examples` keeps the first rows only. θ = (1, 1, 1, 1): at x = −5 the hidden unit is off, f = b1 = 1
    // and f(3θ) = 3 (degree 1); at x = 1, f = 3 and f(3θ) = 21. Both rows: log(√450/√10)/log 3 ≈ 1.73.
    const mixed = paramsOf(1, 1, 1, 1);
    const rows = tf.tensor2d([[-5], [1]]);
    expect(checkHomogeneity(model, mixed, rows, { examples: 1 }).measured).toBeCloseTo(1, 5);
    expect(checkHomogeneity(model, mixed, rows).measured).toBeCloseTo(Math.log(Math.sqrt(45)) / Math.log(3), 4);
    tf.dispose([...zeroThenNot, ...notThenZero, ...mixed, rows, x]);
  });

  it('a model with biases: raw-margin quantiles and the reason, worded for a model that is not homogeneous', () => {
    const model = createMlp({ widths: [2, 3], activation: 'linear', bias: true });
    const params = [tf.tensor2d([[1, 0, 2], [0, 3, 1]]), tf.tensor1d([0, 0, 1])];
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    // Logits (1, 0, 3), (0, 3, 2); labels 0, 1: q = 1 − 3 = −2, 3 − 2 = 1.
    const r = normalizedMargin(model, params, x, Int32Array.from([0, 1]));
    expect(r.normalized).toBeNull();
    expect(r.normalizedByLayerProduct).toBeNull();
    expect(r.homogeneityDegree).toBeNull();
    expect(r.homogeneity.verified).toBe(false);
    expect(r.quantilesOf).toBe('unnormalized');
    expect(r.quantiles[0].value).toBeCloseTo(-2, 6);
    expect(r.quantiles.at(-1)!.value).toBeCloseTo(1, 6);
    expect(r.fractionPositive).toBe(0.5);
    expect(r.undefinedReason).toBe('the model (mlp) is not positively homogeneous in its parameters, so min margin / ‖θ‖^L has no meaning');
    tf.dispose([...params, x]);
  });

  it('a verified check is reused for the model; a failed one is not; a defined margin has no reason field', () => {
    // f(x) = relu(w0·x + b0)·W1 + b1 declared of degree 2: f(cθ) = c²·relu(…)·W1 + c·b1, homogeneous exactly when b1 = 0.
    const net = createMlp({ widths: [1, 1, 2], bias: true });
    const x = tf.tensor2d([[1], [2]]);
    const labels = Int32Array.from([0, 1]);
    const homogeneousAt = paramsOfTwo([0, 0]);
    const notAt = paramsOfTwo([0, 1]);
    // b1 = 0: h = (1, 2), logits (1, −1), (2, −2): q = (2, −4), ‖θ‖² = 1 + 0 + 2 + 0 = 3.
    const first = { ...net, homogeneityDegree: 2 };
    const verified = normalizedMargin(first, homogeneousAt, x, labels);
    expect(verified.normalized).toBeCloseTo(-4 / 3, 6);
    expect('undefinedReason' in verified).toBe(false);
    expect(verified.quantilesOf).toBe('normalized');
    // The same model at b1 = (0, 1) keeps the verified check: logits (1, 0), (2, −1), q = (1, −3), ‖θ‖² = 4.
    const reused = normalizedMargin(first, notAt, x, labels);
    expect(reused.homogeneity.verified).toBe(true);
    expect(reused.normalized).toBeCloseTo(-3 / 4, 6);
    // A fresh model object checked first at b1 ≠ 0 fails, and is checked again next time.
    const second = { ...net, homogeneityDegree: 2 };
    const failed = normalizedMargin(second, notAt, x, labels);
    expect(failed.normalized).toBeNull();
    expect(failed.undefinedReason).toMatch(/^the architecture declares degree 2 but f\(cθ\) ≠ c\^2 f\(θ\) numerically/);
    expect(normalizedMargin(second, homogeneousAt, x, labels).normalized).toBeCloseTo(-4 / 3, 6);
    tf.dispose([...homogeneousAt, ...notAt, x]);
  });
});
