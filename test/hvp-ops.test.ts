/**
 * Exact (reverse-over-reverse) HVPs against an independent float64 second difference, op by op,
 * and proof that stock TF.js 4.22 (engine fix removed) fails the same checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, installTapeOrderFix, uninstallTapeOrderFix, secondOrderSelfTest } from '../src/backend/index.ts';
import { hessianVectorProduct } from '../src/probes/hvp.ts';
import { hessianVectorProductFloat64, logSumExp64, matVec, relativeError, seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';

interface OpCase {
  name: string;
  dim: number;
  /** Point at which to evaluate; defaults to seeded values in [-1, 1]. */
  theta?: Float64Array;
  tfLoss: (theta: tf.Tensor1D) => tf.Scalar;
  float64Loss: (theta: Float64Array) => number;
  /** Stock TF.js 4.22 is known to get this case wrong (or throw). */
  stockFails: boolean;
}

const m = 4;
const n = 6;
const A = seededValues(m * n, 11);
const c = seededValues(m, 12);
const tfA = () => tf.tensor2d(Array.from(A), [m, n]);
const tfC = () => tf.tensor1d(Array.from(c));
const affine = (theta: tf.Tensor1D) => tf.matMul(tfA(), theta.reshape([n, 1])).reshape([m]);
const affine64 = (theta: Float64Array) => matVec(A, theta, m, n);
const positive = Float64Array.from(seededValues(n, 13), (x) => 1.5 + x);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

const cases: OpCase[] = [
  { name: 'Exp', dim: n, stockFails: true,
    tfLoss: (t) => tf.sum(tf.mul(tfC(), tf.exp(affine(t)))),
    float64Loss: (t) => affine64(t).reduce((s, z, i) => s + c[i] * Math.exp(z), 0) },
  { name: 'Log', dim: n, theta: positive, stockFails: false,
    tfLoss: (t) => tf.sum(tf.log(tf.mul(t, t.reverse()))),
    float64Loss: (t) => t.reduce((s, ti, i) => s + Math.log(ti * t[n - 1 - i]), 0) },
  { name: 'Tanh', dim: n, stockFails: true,
    tfLoss: (t) => tf.sum(tf.mul(tfC(), tf.tanh(affine(t)))),
    float64Loss: (t) => affine64(t).reduce((s, z, i) => s + c[i] * Math.tanh(z), 0) },
  { name: 'Sigmoid', dim: n, stockFails: true,
    tfLoss: (t) => tf.sum(tf.mul(tfC(), tf.sigmoid(affine(t)))),
    float64Loss: (t) => affine64(t).reduce((s, z, i) => s + c[i] * sigmoid(z), 0) },
  { name: 'Relu', dim: n, stockFails: false,
    tfLoss: (t) => tf.sum(tf.square(tf.relu(affine(t)))),
    float64Loss: (t) => affine64(t).reduce((s, z) => s + Math.max(z, 0) ** 2, 0) },
  { name: 'MatMul', dim: n, stockFails: false,
    // θ reshaped to 2×3 and 3×2 halves: a bilinear form with a non-trivial Hessian.
    tfLoss: (t) => {
      const left = t.slice(0, 6).reshape([2, 3]) as tf.Tensor2D;
      const prod = tf.matMul(left, left, false, true);
      return tf.sum(tf.square(prod)) as tf.Scalar;
    },
    float64Loss: (t) => {
      let s = 0;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
        let d = 0;
        for (let k = 0; k < 3; k++) d += t[i * 3 + k] * t[j * 3 + k];
        s += d * d;
      }
      return s;
    } },
  { name: 'Sum and Mean', dim: n, stockFails: false,
    tfLoss: (t) => tf.mul(tf.sum(tf.square(t)), tf.mean(t)) as tf.Scalar,
    float64Loss: (t) => t.reduce((s, x) => s + x * x, 0) * (t.reduce((s, x) => s + x, 0) / n) },
  // Max saves its output too, but the lost term multiplies the derivative of an equality mask,
  // which is zero almost everywhere — so stock TF.js happens to be right here.
  { name: 'Max', dim: n, stockFails: false,
    tfLoss: (t) => tf.square(tf.max(affine(t))) as tf.Scalar,
    float64Loss: (t) => Math.max(...affine64(t)) ** 2 },
  { name: 'logSumExp', dim: n, stockFails: true,
    tfLoss: (t) => tf.logSumExp(affine(t)),
    float64Loss: (t) => logSumExp64(affine64(t)) },
  { name: 'Softmax', dim: n, stockFails: true,
    tfLoss: (t) => tf.sum(tf.mul(tfC(), tf.softmax(affine(t)))),
    float64Loss: (t) => {
      const z = affine64(t);
      const lse = logSumExp64(z);
      return z.reduce((s, zi, i) => s + c[i] * Math.exp(zi - lse), 0);
    } },
];

function exactHvp(opCase: OpCase, theta: Float64Array, v: Float64Array): Float64Array | Error {
  try {
    const values = tf.tidy(() => {
      const param = tf.tensor1d(Array.from(theta));
      const direction = tf.tensor1d(Array.from(v));
      const [hv] = hessianVectorProduct((p) => opCase.tfLoss(p[0] as tf.Tensor1D), [param], [direction]);
      return hv.dataSync() as Float32Array;
    });
    return Float64Array.from(values);
  } catch (error) {
    return error as Error;
  }
}


// The default backend (native when its addon is built, as on CI) and, when native took that
// place, wasm as well, so both stay covered.
const backends: (string | undefined)[] = nativeAvailable('exact HVP tests on native') ? ['native', 'wasm'] : [undefined];
for (const backend of backends) {
  describe(`exact HVP per op against a float64 second difference${backend ? ` on ${backend}` : ''}`, () => {
    beforeAll(async () => { await setupBackend(backend); });

    for (const opCase of cases) {
      it(`${opCase.name}: relative error below 1e-4`, () => {
        const theta = opCase.theta ?? seededValues(opCase.dim, 21);
        const v = seededValues(opCase.dim, 22);
        const reference = hessianVectorProductFloat64(opCase.float64Loss, theta, v);
        const got = exactHvp(opCase, theta, v);
        expect(got).not.toBeInstanceOf(Error);
        expect(relativeError(got as Float64Array, reference)).toBeLessThan(1e-4);
      });
    }

    it('stock TF.js 4.22 (tape-order fix removed) fails the same test for ops that save their output', () => {
      uninstallTapeOrderFix();
      try {
        for (const opCase of cases.filter((x) => x.stockFails)) {
          const theta = opCase.theta ?? seededValues(opCase.dim, 21);
          const v = seededValues(opCase.dim, 22);
          const reference = hessianVectorProductFloat64(opCase.float64Loss, theta, v);
          const got = exactHvp(opCase, theta, v);
          const failed = got instanceof Error || relativeError(got, reference) > 1e-2;
          expect(failed, `${opCase.name} unexpectedly passes without the fix`).toBe(true);
        }
      } finally {
        installTapeOrderFix();
      }
    });

    it('the start-up self-test passes with the fix (d²/dx² eˣ at 0.5 = 1.6487…) and fails without it', () => {
      const fixed = secondOrderSelfTest();
      expect(fixed.passed, fixed.details.join('\n')).toBe(true);
      expect(fixed.details[0]).toContain('1.6487');
      uninstallTapeOrderFix();
      try {
        expect(secondOrderSelfTest().passed).toBe(false);
      } finally {
        installTapeOrderFix();
      }
    });
  });
}
