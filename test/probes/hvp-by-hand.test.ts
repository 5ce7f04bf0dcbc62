/**
 * Gradients and Hessian-vector products of a cubic worked by hand, L(a, b, c) = a₁²a₂ + 3a₂b with a
 * parameter c the loss never touches: ∇L = (2a₁a₂, a₁² + 3b, 3a₂, 0) and
 * H = [[2a₂, 2a₁, 0], [2a₁, 0, 3], [0, 3, 0]] on (a₁, a₂, b), zero on c.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { dotProduct, gradientOf, hessianVectorProduct, hessianVectorProductFiniteDifference, type LossFunction } from '../../src/probes/hvp.ts';

beforeAll(async () => { await setupBackend(); });

const loss: LossFunction = ([a, b]) => tf.tidy(() => {
  const [a1, a2] = tf.split(a, 2);
  return tf.add(tf.sum(tf.mul(tf.square(a1), a2)), tf.sum(tf.mul(3, tf.mul(a2, b)))) as tf.Scalar;
});

describe('hvp.ts by hand', () => {
  it('gradientOf: value, gradient, and zeros for an untouched parameter', () => {
    const params = [tf.tensor1d([2, 5]), tf.tensor1d([7]), tf.tensor2d([[1, 2]])];
    const { value, grads } = gradientOf(loss, params);
    expect(value.dataSync()[0]).toBeCloseTo(4 * 5 + 3 * 5 * 7, 4); // 20 + 105
    expect(Array.from(grads[0].dataSync())).toEqual([20, 4 + 21]);
    expect(Array.from(grads[1].dataSync())).toEqual([15]);
    expect(grads[2].shape).toEqual([1, 2]);
    expect(Array.from(grads[2].dataSync())).toEqual([0, 0]);
    tf.dispose([value, ...grads, ...params]);
  });

  it('exact and finite-difference Hv agree with the hand Hessian; Hv of an untouched parameter is 0', () => {
    const params = [tf.tensor1d([2, 5]), tf.tensor1d([7]), tf.tensor2d([[1, 2]])];
    const v = [tf.tensor1d([1, -1]), tf.tensor1d([2]), tf.tensor2d([[3, 4]])];
    // H·(1, −1, 2) at a = (2, 5): (2·5·1 − 2·2, 2·2·1 + 3·2, 3·(−1)) = (6, 10, −3).
    const want = [[6, 10], [-3], [0, 0]];
    const before = tf.memory().numTensors;
    const exact = hessianVectorProduct(loss, params, v);
    expect(exact.map((t) => Array.from(t.dataSync()))).toEqual(want);
    expect(exact[2].shape).toEqual([1, 2]);
    // The gradient of a cubic is quadratic in θ, and a central difference is exact on quadratics,
    // so for every ε the finite-difference Hv equals Hv up to float32 round-off (≈ 1e-7·|∇L|/ε).
    const fd = hessianVectorProductFiniteDifference(loss, params, v);
    fd.forEach((t, i) => Array.from(t.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(want[i][j], 1)));
    const coarse = hessianVectorProductFiniteDifference(loss, params, v, 0.5);
    coarse.forEach((t, i) => Array.from(t.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(want[i][j], 4)));
    expect(tf.memory().numTensors).toBe(before + 9); // three results of three tensors each, nothing else
    tf.dispose([...exact, ...fd, ...coarse, ...params, ...v]);
  });

  it('dotProduct sums over all tensors', () => {
    const a = [tf.tensor1d([1, 2]), tf.tensor2d([[3]])];
    const b = [tf.tensor1d([4, -5]), tf.tensor2d([[6]])];
    expect(dotProduct(a, b)).toBe(4 - 10 + 18);
    tf.dispose([...a, ...b]);
  });

  it('a loss that ignores every parameter, and a linear loss (zero Hessian), give zeros rather than an error', () => {
    const params = [tf.tensor1d([1, 2])];
    const v = [tf.tensor1d([3, 4])];
    const constant: LossFunction = () => tf.scalar(5);
    const { value, grads } = gradientOf(constant, params);
    expect(value.dataSync()[0]).toBe(5);
    expect(Array.from(grads[0].dataSync())).toEqual([0, 0]);
    expect(Array.from(hessianVectorProduct(constant, params, v)[0].dataSync()).every((x) => x === 0)).toBe(true);
    // L = 2θ₁ − θ₂: ∇L is constant, so Hv = 0.
    const linear: LossFunction = ([t]) => tf.sum(tf.mul(tf.tensor1d([2, -1]), t)) as tf.Scalar;
    expect(Array.from(hessianVectorProduct(linear, params, v)[0].dataSync()).every((x) => x === 0)).toBe(true); // ±0
    tf.dispose([value, ...grads, ...params, ...v]);
  });
});
