/**
 * The flat-parameter layout and the Hessian-operator plumbing on matrices small enough to work
 * by hand: offsets, layer blocks, restriction to a block, dense assembly and symmetrisation,
 * the float64 vector helpers and scope disposal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import {
  asymmetry, axpy, denseHessian, denseOperator, dot, flatten, layerBlocks, layoutOf, norm2, orthogonalize,
  restrictOperator, scale, unflatten, withScope,
} from '../../src/probes/operator.ts';

beforeAll(async () => { await setupBackend(); });

describe('flat layout', () => {
  it('sizes, offsets and total; flatten is row-major in order and unflatten inverts it', () => {
    const layout = layoutOf([{ shape: [2, 3] }, { shape: [4] }, { shape: [] }]);
    expect(layout).toEqual({ shapes: [[2, 3], [4], []], sizes: [6, 4, 1], offsets: [0, 6, 10], total: 11 });
    const tensors = [tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([5, 6, 7])];
    const flat = flatten(tensors);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const back = unflatten([7, 6, 5, 4, 3, 2, 1], layoutOf(tensors));
    expect(back.map((t) => t.shape)).toEqual([[2, 2], [3]]);
    expect(back.map((t) => Array.from(t.dataSync()))).toEqual([[7, 6, 5, 4], [3, 2, 1]]);
    tf.dispose([...tensors, ...back]);
  });

  it('layer blocks join a layer\'s contiguous tensors under the layer name, and reject split layers', () => {
    const specs = [
      { name: 'dense0/kernel', shape: [2, 2], layer: 0 },
      { name: 'dense0/bias', shape: [2], layer: 0 },
      { name: 'dense1/kernel', shape: [2, 1], layer: 1 },
    ];
    expect(layerBlocks(specs)).toEqual([
      { name: 'dense0', layer: 0, start: 0, end: 6 },
      { name: 'dense1', layer: 1, start: 6, end: 8 },
    ]);
    expect(() => layerBlocks([specs[0], specs[2], specs[1]])).toThrow(/^layer 0: tensors are not contiguous in paramSpecs$/);
  });
});

describe('operators', () => {
  // H = [[2, 1, 0], [1, 3, 4], [0, 4, 5]].
  const H = [2, 1, 0, 1, 3, 4, 0, 4, 5];

  it('dense operator: products, count, method; checks its size', () => {
    const op = denseOperator(H, 3);
    expect(op.dimension).toBe(3);
    expect(op.method).toBe('dense');
    expect(op.matvecs).toBe(0);
    expect(Array.from(op.apply(Float64Array.from([1, -1, 2])))).toEqual([1, 6, 6]);
    expect(op.matvecs).toBe(1);
    expect(() => denseOperator(H, 2)).toThrow(/^denseOperator: 9 entries, expected 2×2$/);
  });

  it('restriction to a block is that diagonal block, sharing the parent count', () => {
    const op = denseOperator(H, 3);
    const block = restrictOperator(op, { start: 1, end: 3 });
    expect(block.dimension).toBe(2);
    expect(block.method).toBe('dense');
    // [[3, 4], [4, 5]]·(1, 2) = (11, 14).
    expect(Array.from(block.apply(Float64Array.from([1, 2])))).toEqual([11, 14]);
    expect(block.matvecs).toBe(1);
    expect(op.matvecs).toBe(1);
    expect(() => block.apply(Float64Array.from([1, 2, 3]))).toThrow(/^restricted operator: vector has 3 entries, block has 2$/);
  });

  it('dense assembly column by column, symmetrisation, and the asymmetry measure', () => {
    expect(Array.from(denseHessian(denseOperator(H, 3)))).toEqual(H);
    // A = [[1, 2], [4, 1]]: max |A − Aᵀ| = 2, max |A| = 4.
    const A = [1, 2, 4, 1];
    expect(Array.from(denseHessian(denseOperator(A, 2)))).toEqual(A);
    expect(Array.from(denseHessian(denseOperator(A, 2), { symmetrize: true }))).toEqual([1, 3, 3, 1]);
    // 3 × 3, so pairs off the first row are averaged too: (A + Aᵀ)/2.
    const B = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(Array.from(denseHessian(denseOperator(B, 3), { symmetrize: true }))).toEqual([1, 3, 5, 3, 5, 7, 5, 7, 9]);
    expect(asymmetry(A, 2)).toBe(0.5);
    expect(asymmetry([0, 0, 0, 0], 2)).toBe(0);
    expect(asymmetry(H, 3)).toBe(0);
  });

  it('vector helpers and twice-applied Gram–Schmidt', () => {
    expect(dot([1, 2, 3], [4, 5, -6])).toBe(-4);
    expect(norm2([3, 4])).toBe(5);
    const y = Float64Array.from([1, 1]);
    axpy(2, [3, -1], y);
    expect(Array.from(y)).toEqual([7, -1]);
    expect(Array.from(scale(-2, [1, 0.5]))).toEqual([-2, -1]);
    const v = Float64Array.from([3, 4, 5]);
    orthogonalize(v, [Float64Array.from([1, 0, 0]), Float64Array.from([0, 0.6, 0.8])]);
    // Remove e₁ and (0, .6, .8): what is left is along (0, .8, −.6) with coefficient 4·.8 − 5·.6 = 0.2.
    expect(v[0]).toBe(0);
    expect(v[1]).toBeCloseTo(0.16, 14);
    expect(v[2]).toBeCloseTo(-0.12, 14);
  });

  it('withScope returns the value and disposes what it created, also on a throw', () => {
    const before = tf.memory().numTensors;
    expect(withScope(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0])).toBe(6);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => withScope(() => { tf.ones([3]); throw new Error('boom'); })).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });
});
