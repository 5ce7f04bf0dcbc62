/**
 * Parameter norms on tensors small enough to work by hand: ℓ1/ℓ2/ℓ∞, per-layer Frobenius and
 * spectral norms and their products, power iteration's stopping rule, path norms summed over
 * paths, and the distance from initialisation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { distanceFromInit, l2Norm, layerNorms, parameterNorms, pathNorm, spectralNorm, spectralNormOfMatrix } from '../../src/probes/norms.ts';

beforeAll(async () => { await setupBackend(); });

describe('norms by hand', () => {
  it('ℓ2, ℓ1, ℓ∞ and per-tensor Frobenius norms', () => {
    const params = [tf.tensor2d([[3, -4]]), tf.tensor1d([-12])];
    const r = parameterNorms(params);
    expect(r.l2).toBeCloseTo(13, 5);
    expect(r.l1).toBeCloseTo(19, 5);
    expect(r.linf).toBeCloseTo(12, 5);
    expect(r.perLayerFrobenius.map((v) => +v.toFixed(5))).toEqual([5, 12]);
    expect(l2Norm(params)).toBeCloseTo(13, 5);
    // ℓ∞ is a max over tensors, not the last tensor's: (−12) first, then 3, −4.
    expect(parameterNorms([tf.tensor1d([-12]), tf.tensor1d([3, -4])]).linf).toBeCloseTo(12, 5);
    tf.dispose(params);
  });

  it('power iteration: a rank-one matrix converges at the third iterate; a zero matrix gives 0; maxIterations and tol are honoured', () => {
    // [[1, 2], [2, 4]] = u uᵀ with u = (1, 2): σ = ‖u‖² = 5. Iterate 1 measures ‖Av‖ at the random
    // start, iterate 2 at the exact singular vector (σ = 5), iterate 3 sees no change and stops.
    const rankOne = spectralNormOfMatrix([1, 2, 2, 4], 2, 2);
    expect(rankOne.value).toBeCloseTo(5, 12);
    expect(rankOne.iterations).toBe(3);
    expect(rankOne.converged).toBe(true);
    const zero = spectralNormOfMatrix([0, 0, 0, 0, 0, 0], 2, 3);
    expect(zero).toEqual({ value: 0, iterations: 2, converged: true });
    // diag(3, 2.9): the ratio 0.93 per step is slow; one iteration cannot claim convergence.
    const slow = [3, 0, 0, 2.9];
    const one = spectralNormOfMatrix(slow, 2, 2, { maxIterations: 1 });
    expect(one.converged).toBe(false);
    expect(one.iterations).toBe(1);
    const loose = spectralNormOfMatrix(slow, 2, 2, { tol: 1e-3 });
    const tight = spectralNormOfMatrix(slow, 2, 2, { tol: 1e-12 });
    expect(loose.converged && tight.converged).toBe(true);
    expect(loose.iterations).toBeLessThan(tight.iterations);
    expect(tight.value).toBeCloseTo(3, 9);
    // ‖Av‖ for a unit v lies between the singular values 2.9 and 3.
    expect(loose.value).toBeGreaterThan(2.9);
    expect(loose.value).toBeLessThan(3);
    // Tall (3 × 2) and wide (2 × 3) forms of the same matrix: σ of [[0, 2], [0, 0], [1, 0]] is 2.
    expect(spectralNormOfMatrix([0, 2, 0, 0, 1, 0], 3, 2).value).toBeCloseTo(2, 9);
    expect(spectralNormOfMatrix([0, 0, 1, 2, 0, 0], 2, 3).value).toBeCloseTo(2, 9);
    // A conv kernel [1, 1, 2, 2] is the 2 × 2 matrix of its last two axes.
    const conv = tf.tensor4d([0, 2, 1, 0], [1, 1, 2, 2]);
    expect(spectralNorm(conv).value).toBeCloseTo(2, 5);
    conv.dispose();
  });

  it('layer norms group tensors by layer in layer order; biases have no spectral norm and leave the product alone', () => {
    // Declared out of order: layer 1's kernel first.
    const model = { paramSpecs: [
      { name: 'l1/kernel', shape: [2, 1], layer: 1 },
      { name: 'l0/kernel', shape: [2, 2], layer: 0 },
      { name: 'l0/bias', shape: [2], layer: 0 },
      { name: 'l2/bias', shape: [1], layer: 2 },
    ] };
    const params = [tf.tensor2d([[3], [4]]), tf.tensor2d([[2, 0], [0, 1]]), tf.tensor1d([2, 2]), tf.tensor1d([6])];
    const r = layerNorms(model, params);
    expect(r.layers.map((l) => [l.layer, l.names])).toEqual([[0, ['l0/kernel', 'l0/bias']], [1, ['l1/kernel']], [2, ['l2/bias']]]);
    // Layer 0: √(4 + 1 + 4 + 4) = √13, σ = 2; layer 1: 5 and 5; layer 2: 6, none.
    expect(r.perLayerFrobenius[0]).toBeCloseTo(Math.sqrt(13), 5);
    expect(r.perLayerFrobenius[1]).toBeCloseTo(5, 5);
    expect(r.perLayerFrobenius[2]).toBeCloseTo(6, 5);
    expect(r.perLayerSpectral[0]).toBeCloseTo(2, 5);
    expect(r.perLayerSpectral[1]).toBeCloseTo(5, 5);
    expect(r.perLayerSpectral[2]).toBeNull();
    expect(r.productSpectral).toBeCloseTo(10, 4);
    expect(r.productFrobenius).toBeCloseTo(Math.sqrt(13) * 5 * 6, 4);
    expect(r.layers[0].spectral).toBeCloseTo(2, 5);
    expect(r.layers[0].frobenius).toBeCloseTo(Math.sqrt(13), 5);
    tf.dispose(params);
  });

  it('path norm: sums over paths for q = 1 and q = 2; null for non-chains; names a shape mismatch', () => {
    const chain = { architecture: { kind: 'mlp', bias: false }, paramSpecs: [{ name: 'a', shape: [2, 2], layer: 0 }, { name: 'b', shape: [2, 1], layer: 1 }] };
    const W = [tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [-1]])];
    // Paths i → h → o: |W0[i,h]|^q |W1[h]|^q; q = 1: (1 + 3) + (2 + 4) = 10; q = 2: (1 + 9) + (4 + 16) = 30.
    expect(pathNorm(chain, W, 1)).toBeCloseTo(10, 5);
    expect(pathNorm(chain, W)).toBeCloseTo(Math.sqrt(30), 5);
    // An input unit whose weights are all zero contributes no paths.
    const Z = [tf.tensor2d([[0, 0], [3, 4]]), tf.tensor2d([[1], [-1]])];
    expect(pathNorm(chain, Z, 1)).toBeCloseTo(7, 5);
    expect(pathNorm({ ...chain, architecture: { kind: 'cnn', bias: false } }, W)).toBeNull();
    expect(pathNorm({ ...chain, architecture: { kind: 'mlp', bias: true } }, W)).toBeNull();
    expect(pathNorm({ ...chain, architecture: { kind: 'mlp' } }, W)).toBeNull();
    expect(pathNorm({ ...chain, paramSpecs: [chain.paramSpecs[0], { name: 'b', shape: [2], layer: 1 }] }, W)).toBeNull();
    const bad = [tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1], [1]])];
    expect(() => pathNorm(chain, bad)).toThrow(/^pathNorm: layer input size 3 does not match 2$/);
    tf.dispose([...W, ...Z, ...bad]);
  });

  it('distance from initialisation, absolute and relative', () => {
    const init = [tf.tensor1d([1, 1]), tf.tensor1d([0])];
    const moved = [tf.tensor1d([4, 1]), tf.tensor1d([4])];
    const d = distanceFromInit(moved, init);
    expect(d.l2).toBeCloseTo(5, 5);
    expect(d.relative).toBeCloseTo(5 / Math.SQRT2, 5);
    const zero = [tf.tensor1d([0, 0]), tf.tensor1d([0])];
    expect(distanceFromInit(moved, zero)).toEqual({ l2: expect.closeTo(Math.sqrt(33), 5), relative: Infinity });
    tf.dispose([...init, ...moved, ...zero]);
  });
});
