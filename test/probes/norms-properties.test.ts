/**
 * Power iteration's stopping rule is relative (|σ_k − σ_{k−1}| ≤ tol·σ_k), so scaling the matrix
 * by s scales σ by s and leaves the iteration count unchanged; and the relative distance from an
 * all-zero initialisation is infinite (or undefined 0/0 reported as infinite, not NaN). A
 * caller's random stream gives the start vector: n normal draws, no more.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { distanceFromInit, spectralNormOfMatrix } from '../../src/probes/norms.ts';
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

  it('distance from an all-zero θ₀: relative is Infinity, also at θ = θ₀ = 0', () => {
    const zero = [tf.tensor1d([0, 0])];
    const moved = [tf.tensor1d([3, 4])];
    expect(distanceFromInit(moved, zero)).toEqual({ l2: 5, relative: Infinity });
    expect(distanceFromInit(zero, zero)).toEqual({ l2: 0, relative: Infinity });
    tf.dispose([...zero, ...moved]);
  });
});
