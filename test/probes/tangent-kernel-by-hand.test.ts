/**
 * Tangent kernel and linearisation details checked by hand: the number of backward passes
 * (counted block by block), refused output indices and mismatched kernels, a parameter the model
 * does not use (its gradient is null: zero Jacobian columns, zero JVP contribution), a model
 * whose outputs do not depend on the parameters at all (J = 0), and linearised outputs that are
 * the plain forward passes f(θ), f(θ₀) whatever the chunk size.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createLinearModel } from '../../src/models/linear.ts';
import { createMlp } from '../../src/models/mlp.ts';
import type { Model } from '../../src/models/types.ts';
import { jacobianVectorProduct, linearisationDistance, linearisedOutputs } from '../../src/probes/linearisation.ts';
import { jacobianRows, kernelTargetAlignment, relativeKernelChange, tangentKernel, type KernelMatrix } from '../../src/probes/tangentKernel.ts';
import { createRng } from '../../src/util/rng.ts';
import { relativeError, seededValues } from '../helpers/float64.ts';

/** `base` with an extra parameter tensor it never reads. */
function withUnusedParam(base: Model): Model {
  return { ...base, paramSpecs: [...base.paramSpecs, { name: 'unused/kernel', shape: [2], layer: 9 }], apply: (params, x) => base.apply(params.slice(0, -1), x) };
}

describe('tangent kernel by hand', () => {
  beforeAll(async () => { await setupBackend(); });

  it('counts one backward pass per (example, output) row it forms: symmetric blocks reuse rows, cross blocks recompute', () => {
    const model = createMlp({ widths: [4, 5, 3] });
    const params = model.init(createRng(1));
    const x = tf.tensor2d(Float32Array.from(seededValues(10 * 4, 2)), [10, 4]);
    // One chunk: 10 examples × 3 outputs.
    expect(tangentKernel(model, params, x).backwardPasses).toBe(30);
    expect(tangentKernel(model, params, x, undefined, { outputs: 'full' }).backwardPasses).toBe(30);
    expect(tangentKernel(model, params, x, undefined, { outputs: 2 }).backwardPasses).toBe(10);
    // Chunks of 4, 4, 2: block row a forms its own rows and those of every later chunk b > a:
    // (4 + 4 + 2) + (4 + 2) + 2 = 18 examples, × 3 outputs.
    expect(tangentKernel(model, params, x, undefined, { chunkSize: 4 }).backwardPasses).toBe(54);
    // Cross kernel 4 × 6 in chunks of 3: A = (3, 1), B = (3, 3); every block row forms its own
    // rows and all of B: 3 + 6 + 1 + 6 = 16 examples.
    const xa = x.slice(0, 4);
    const xb = x.slice(4, 6);
    expect(tangentKernel(model, params, xa, xb, { chunkSize: 3, outputs: 0 }).backwardPasses).toBe(16);
    expect(tangentKernel(model, params, xa, xb, { chunkSize: 3 }).backwardPasses).toBe(48);
    tf.dispose([x, xa, xb, ...params]);
  });

  it('refuses output indices outside 0..K−1 and non-integers; kernel change and alignment refuse mismatched shapes', () => {
    const model = createLinearModel({ inputSize: 2, outputs: 3, init: { kind: 'gaussian' } });
    const params = model.init(createRng(2));
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    for (const bad of [3, -1, 1.5]) expect(() => tangentKernel(model, params, x, undefined, { outputs: bad })).toThrow(`logit index in 0..2, got ${bad}`);
    // Logit 2 of f = xW is the Gram matrix XXᵀ: [[5, 1], [1, 10]].
    expect(Array.from(tangentKernel(model, params, x, undefined, { outputs: 2 }).values)).toEqual([5, 1, 1, 10]);
    const k = (rows: number, cols: number): KernelMatrix => ({ values: new Float64Array(rows * cols).fill(1), rows, cols, outputs: 'trace', backwardPasses: 0 });
    expect(() => relativeKernelChange(k(2, 2), k(3, 3))).toThrow('kernel change: 2×2 vs 3×3');
    expect(() => kernelTargetAlignment(k(2, 3), [0, 1])).toThrow(/n × n kernel with n labels, got 2×3 and 2 labels/);
    expect(() => kernelTargetAlignment(k(2, 2), [0, 1, 1])).toThrow(/got 2×2 and 3 labels/);
    expect(kernelTargetAlignment(k(2, 2), [0, 1])).toBeCloseTo(2 / Math.sqrt(4 * 2), 14); // ⟨1, I⟩ / (‖1‖‖I‖)
    tf.dispose([x, ...params]);
  });

  it('a parameter the model never reads adds nothing to the kernel or to J₀δ', () => {
    const base = createMlp({ widths: [3, 4, 2] });
    const model = withUnusedParam(base);
    const params = [...base.init(createRng(3)), tf.tensor1d([0.5, -2])];
    const x = tf.tensor2d(Float32Array.from(seededValues(5 * 3, 4)), [5, 3]);
    const want = tangentKernel(base, params.slice(0, -1), x, undefined, { outputs: 'full' });
    expect(relativeError(tangentKernel(model, params, x, undefined, { outputs: 'full', chunkSize: 2 }).values, want.values)).toBeLessThan(1e-6);
    const delta = params.map((p) => tf.onesLike(p));
    const jvp = jacobianVectorProduct(model, params, x, delta);
    const jvpBase = jacobianVectorProduct(base, params.slice(0, -1), x, delta.slice(0, -1));
    expect(relativeError(jvp.dataSync(), jvpBase.dataSync())).toBeLessThan(1e-6);
    // f(x) = x·1 (no parameter at all): J = 0, so J₀δ = 0 and f_lin = f₀.
    const constant: Model = { ...base, outputSize: 3, apply: (_params, xs) => tf.tidy(() => tf.matMul(xs as tf.Tensor2D, tf.ones([3, 3]))) };
    const zero = jacobianVectorProduct(constant, params, x, delta);
    expect(zero.shape).toEqual([5, 3]);
    expect(Array.from(zero.dataSync())).toEqual(new Array(15).fill(0));
    // …and its tangent kernel is 0 (every gradient is absent, which is not an error here).
    expect(Array.from(tangentKernel(constant, params, x, undefined, { outputs: 'full' }).values)).toEqual(new Array(15 * 15).fill(0));
    tf.dispose([x, jvp, jvpBase, zero, ...params, ...delta]);
  });
});

describe('jacobianRows', () => {
  beforeAll(async () => { await setupBackend(); });

  it('are the gradients of each logit (f = xW: row (i, k) is x_i in column block k) and leave no tensor behind', () => {
    const model = createLinearModel({ inputSize: 2, outputs: 2, init: { kind: 'gaussian' } });
    const params = model.init(createRng(8));
    const x = tf.tensor2d([[1, 2], [3, -1], [0.5, 4]]);
    const before = tf.memory().numTensors;
    const rows = jacobianRows(model, params, x, 1, 2, [1, 0]);
    expect(tf.memory().numTensors).toBe(before + 1);
    // W is [2, 2] row-major: ∂f_k/∂W[a, k'] = x_a [k = k'].
    expect(Array.from(rows.dataSync())).toEqual([0, 3, 0, -1, 3, 0, -1, 0, 0, 0.5, 0, 4, 0.5, 0, 4, 0]);
    rows.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...params]);
  });
});

describe('linearised outputs by hand', () => {
  beforeAll(async () => { await setupBackend(); });

  it('current and initial are the forward passes f(θ), f(θ₀) for chunks that do and do not divide n; f − f_lin needs a change to be relative', () => {
    const model = createMlp({ widths: [3, 6, 2], activation: 'tanh' });
    const init = model.init(createRng(5));
    const params = init.map((t, i) => tf.add(t, tf.tensor(Float32Array.from(seededValues(t.size, 60 + i, 0.2)), t.shape)));
    const n = 11;
    const x = tf.tensor2d(Float32Array.from(seededValues(n * 3, 6)), [n, 3]);
    const fNow = model.apply(params, x);
    const fInit = model.apply(init, x);
    for (const chunk of [4, 11, 64]) {
      const out = linearisedOutputs(model, params, init, x, chunk);
      expect(out.n).toBe(n);
      expect(out.outputs).toBe(2);
      expect(relativeError(out.current, fNow.dataSync())).toBeLessThan(1e-6);
      expect(relativeError(out.initial, fInit.dataSync())).toBeLessThan(1e-6);
    }
    // f = x W₁ W₂: f_lin(θ) = f₀ + x(δ₁ W₂⁰ + W₁⁰ δ₂) at θ₀ (not at θ, where the Jacobian differs).
    const bilinear = createMlp({ widths: [3, 4, 2], activation: 'linear' });
    const b0 = bilinear.init(createRng(7));
    const b1 = b0.map((t, i) => tf.add(t, tf.tensor(Float32Array.from(seededValues(t.size, 70 + i, 0.5)), t.shape)));
    const [w1, w2] = b0.map((t) => Float64Array.from(t.dataSync()));
    const [d1, d2] = b1.map((t, i) => Float64Array.from(t.dataSync()).map((v, j) => v - [w1, w2][i][j]));
    const xs = Float64Array.from(x.dataSync());
    const want = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) for (let k = 0; k < 2; k++) for (let j = 0; j < 4; j++) {
      let z0 = 0;
      let dz = 0;
      for (let c = 0; c < 3; c++) { z0 += xs[i * 3 + c] * w1[c * 4 + j]; dz += xs[i * 3 + c] * d1[c * 4 + j]; }
      want[i * 2 + k] += z0 * w2[j * 2 + k] + dz * w2[j * 2 + k] + z0 * d2[j * 2 + k];
    }
    expect(relativeError(linearisedOutputs(bilinear, b1, b0, x, 4).linearised, want)).toBeLessThan(1e-5);
    tf.dispose([...b0, ...b1]);
    // θ = θ₀: f = f₀ = f_lin, rms 0 and no relative value.
    const still = linearisationDistance(linearisedOutputs(model, init, init, x, 4));
    expect(still.rms).toBe(0);
    expect(still.relative).toBeNull();
    // By hand on two examples, two outputs: miss (1, 0), (0, 2); change (2, 0), (0, 1).
    const hand = linearisationDistance({ current: Float64Array.from([3, 1, 1, 4]), linearised: Float64Array.from([2, 1, 1, 2]), initial: Float64Array.from([1, 1, 1, 3]), n: 2, outputs: 2 });
    expect(hand.rms).toBeCloseTo(Math.sqrt(5 / 2), 14);
    expect(hand.relative!).toBeCloseTo(1, 14);
    tf.dispose([x, fNow, fInit, ...init, ...params]);
  });
});
