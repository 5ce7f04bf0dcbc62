/**
 * parameterMovement on hand-made tensors whose norms are known in closed form: integer entries,
 * layers spread over several tensors, a layer whose θ₀ is zero (relative movement undefined),
 * and tensor names with more than one '/' (only the last part is dropped).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import type { ParamSpec } from '../../src/models/types.ts';
import { parameterMovement } from '../../src/probes/parameterMovement.ts';

describe('parameter movement by hand', () => {
  beforeAll(async () => { await setupBackend(); });

  it('absolute, relative and per-layer values equal the hand sums; a zero layer has relative null', () => {
    const specs: ParamSpec[] = [
      { name: 'block0/conv1/kernel', shape: [2, 2], layer: 0 },
      { name: 'block0/conv1/bias', shape: [2], layer: 0 },
      { name: 'head/kernel', shape: [3], layer: 1 },
    ];
    // θ₀: layer 0 has ‖·‖² = 1+4+4+0 + 4+0 = 13 (kernel [[1,2],[2,0]], bias [2,0]); layer 1 is zero.
    const init = [tf.tensor2d([[1, 2], [2, 0]]), tf.tensor1d([2, 0]), tf.zeros([3])];
    // θ − θ₀: layer 0 moves by [[1,0],[0,2]] and [0,0] (‖·‖² = 5), layer 1 by [2,1,2] (‖·‖² = 9).
    const params = [tf.tensor2d([[2, 2], [2, 2]]), tf.tensor1d([2, 0]), tf.tensor1d([2, 1, 2])];
    const m = parameterMovement(specs, params, init);
    expect(m.absolute).toBeCloseTo(Math.sqrt(14), 12);
    expect(m.initialNorm).toBeCloseTo(Math.sqrt(13), 12);
    expect(m.relative!).toBeCloseTo(Math.sqrt(14 / 13), 12);
    expect(m.perLayer).toHaveLength(2);
    expect(m.perLayer[0].name).toBe('block0/conv1');
    expect(m.perLayer[0].layer).toBe(0);
    expect(m.perLayer[0].absolute).toBeCloseTo(Math.sqrt(5), 12);
    expect(m.perLayer[0].relative!).toBeCloseTo(Math.sqrt(5 / 13), 12);
    expect(m.perLayer[1].name).toBe('head');
    expect(m.perLayer[1].layer).toBe(1);
    expect(m.perLayer[1].absolute).toBe(3);
    expect(m.perLayer[1].relative).toBeNull();
    // Nothing moved from zero: relative null overall as well.
    const zero = [tf.zeros([2, 2]), tf.zeros([2]), tf.zeros([3])];
    const still = parameterMovement(specs, zero, zero);
    expect(still.absolute).toBe(0);
    expect(still.relative).toBeNull();
    tf.dispose([...init, ...params, ...zero]);
  });

  it('refuses mismatched parameter, initial and spec lists', () => {
    const specs: ParamSpec[] = [{ name: 'a/kernel', shape: [2], layer: 0 }];
    const t = tf.ones([2]);
    expect(() => parameterMovement(specs, [t, t], [t])).toThrow(/2 parameter tensors, 1 initial tensors, 1 specs/);
    expect(() => parameterMovement(specs, [t], [t, t])).toThrow(/1 parameter tensors, 2 initial tensors/);
    expect(() => parameterMovement([...specs, ...specs], [t], [t])).toThrow(/2 specs/);
    tf.dispose(t);
  });
});
