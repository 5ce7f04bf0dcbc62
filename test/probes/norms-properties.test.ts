/**
 * Power iteration's stopping rule is relative (|σ_k − σ_{k−1}| ≤ tol·σ_k), so scaling the matrix
 * by s scales σ by s and leaves the iteration count unchanged; and the relative distance from an
 * all-zero initialisation is infinite (or undefined 0/0 reported as infinite, not NaN). A
 * caller's random stream gives the start vector: n normal draws, no more.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { distanceFromInit, parameterNorms, pathNorm, spectralNormOfMatrix } from '../../src/probes/norms.ts';
import { createRng } from '../../src/util/rng.ts';

beforeAll(async () => { await setupBackend(); });

describe('norms under scaling', () => {
  it('the power iteration count is the same for A, 1000·A and A/1000; σ scales with the matrix', () => {
    // diag(3, 2.9): convergence ratio 0.93 per step, so the tolerance decides the count.
    const a = [3, 0, 0, 2.9];
    const base = spectralNormOfMatrix(a, 2, 2, { tol: 1e-6, rng: createRng(4) });
    expect(base.converged).toBe(true);
    expect(base.iterations).toBeGreaterThan(5);
    for (const s of [1000, 1e-3]) {
      const scaled = spectralNormOfMatrix(a.map((v) => v * s), 2, 2, { tol: 1e-6, rng: createRng(4) });
      expect(scaled.iterations).toBe(base.iterations);
      expect(scaled.value / s).toBeCloseTo(base.value, 9);
    }
  });

  it('one iteration already measures ‖Av‖ for a unit v: between the smallest and the largest singular value', () => {
    const one = spectralNormOfMatrix([3, 0, 0, 2.9], 2, 2, { maxIterations: 1 });
    expect(one.iterations).toBe(1);
    expect(one.converged).toBe(false);
    expect(one.value).toBeGreaterThanOrEqual(2.9 - 1e-12);
    expect(one.value).toBeLessThanOrEqual(3 + 1e-12);
  });

  it('the start vector takes exactly n normal draws from a given stream', () => {
    const used = createRng(21);
    spectralNormOfMatrix([1, 2, 3, 4, 5, 6], 2, 3, { rng: used });
    const fresh = createRng(21);
    for (let j = 0; j < 3; j++) fresh.normal();
    expect(used.normal()).toBe(fresh.normal());
  });

  it('path norm of a single bias-free layer is the entrywise ℓ_q norm of W; of three layers, the sum over paths', () => {
    const one = { architecture: { kind: 'mlp', bias: false }, paramSpecs: [{ name: 'w', shape: [2, 2], layer: 0 }] };
    const W = [tf.tensor2d([[1, -2], [3, 0]])];
    expect(pathNorm(one, W, 1)).toBeCloseTo(6, 5);
    expect(pathNorm(one, W)).toBeCloseTo(Math.sqrt(14), 5);
    // Three layers 2J, J, 3J (J the 2 × 2 matrix of ones), q = 1: 1ᵀ(2J)(J)(3J)1 = 6·1ᵀJ³1 = 6·1ᵀ(4J)1 = 6·16 = 96.
    const three = { architecture: { kind: 'mlp', bias: false }, paramSpecs: [0, 1, 2].map((l) => ({ name: `w${l}`, shape: [2, 2], layer: l })) };
    const J = [[1, 1], [1, 1]];
    const Ws = [2, 1, 3].map((c) => tf.tensor2d(J.map((r) => r.map((v) => c * v))));
    expect(pathNorm(three, Ws, 1)).toBeCloseTo(96, 4);
    tf.dispose([...W, ...Ws]);
  });

  it('ℓ∞ is the largest |entry| within a tensor too, not only across tensors', () => {
    const t = [tf.tensor1d([1, -5, 2])];
    expect(parameterNorms(t).linf).toBe(5);
    tf.dispose(t);
  });

  it('distance from an all-zero θ₀: relative is Infinity, also at θ = θ₀ = 0', () => {
    const zero = [tf.tensor1d([0, 0])];
    const moved = [tf.tensor1d([3, 4])];
    expect(distanceFromInit(moved, zero)).toEqual({ l2: 5, relative: Infinity });
    expect(distanceFromInit(zero, zero)).toEqual({ l2: 0, relative: Infinity });
    tf.dispose([...zero, ...moved]);
  });
});
