/**
 * batchIndices is a pure function of (n, batchSize, step, seed): the permutation it remembers for
 * the epoch in progress never leaks into another run's batches, and each epoch without
 * replacement visits every example exactly once.
 */
import { describe, expect, it } from 'vitest';
import { batchIndices } from '../src/train/batches.ts';

const epochOf = (n: number, batchSize: number, epoch: number, seed: number) => {
  const perEpoch = Math.ceil(n / batchSize);
  return Array.from({ length: perEpoch }, (_, i) => Array.from(batchIndices(n, batchSize, epoch * perEpoch + i, seed, false)));
};

describe('batchIndices', () => {
  it('gives the same batches whether runs are interleaved or not (the cached permutation is per n and seed)', () => {
    const alone = [epochOf(100, 16, 0, 1), epochOf(100, 16, 1, 1), epochOf(57, 10, 0, 1), epochOf(100, 16, 0, 2)];
    const interleaved: number[][][] = [[], [], [], []];
    for (let i = 0; i < 7; i++) {
      interleaved[0].push(Array.from(batchIndices(100, 16, i, 1, false)));
      interleaved[3].push(Array.from(batchIndices(100, 16, i, 2, false)));
      interleaved[1].push(Array.from(batchIndices(100, 16, 7 + i, 1, false)));
      if (i < 6) interleaved[2].push(Array.from(batchIndices(57, 10, i, 1, false)));
    }
    expect(interleaved).toEqual(alone);
  });

  it('covers every example once per epoch, with a short last batch, and epochs differ', () => {
    const e0 = epochOf(57, 10, 0, 3);
    const e1 = epochOf(57, 10, 1, 3);
    expect(e0.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 7]);
    expect(e0.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 57 }, (_, i) => i));
    expect(e1.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 57 }, (_, i) => i));
    expect(e1.flat()).not.toEqual(e0.flat());
  });

  it('a caller mutating its batch does not change later batches', () => {
    const first = batchIndices(40, 8, 0, 5, false);
    const want = Array.from(batchIndices(40, 8, 1, 5, false));
    first.fill(-1);
    expect(Array.from(batchIndices(40, 8, 1, 5, false))).toEqual(want);
    expect(Array.from(batchIndices(40, 8, 0, 5, false))).not.toContain(-1);
  });
});
