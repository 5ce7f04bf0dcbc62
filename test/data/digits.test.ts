import { sameArray } from './helpers.ts';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../../src/data/digits.ts';
import type { Dataset } from '../../src/data/dataset.ts';

const counts = (ds: Dataset) => {
  const c = new Array(ds.numClasses).fill(0);
  ds.y.forEach((v) => c[v]++);
  return c as number[];
};

describe('loadDigits', () => {
  const a = loadDigits({ seed: 1 });

  it('has 1,797 examples of 10 classes, 8×8×1, pixels in [0, 1]', () => {
    expect(a.train.n + a.test.n).toBe(1797);
    expect(a.train.numClasses).toBe(10);
    expect(a.train.featureShape).toEqual([8, 8, 1]);
    expect(a.train.x.length).toBe(a.train.n * 64);
    expect(a.test.x.length).toBe(a.test.n * 64);
    let min = Infinity;
    let max = -Infinity;
    for (const v of [...a.train.x, ...a.test.x]) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const all = counts(a.train).map((c, k) => c + counts(a.test)[k]);
    expect(all).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it('pixel values are the source counts / 16 (first CSV row)', () => {
    // Row 1 of digits.csv: 0,0,5,13,9,1,0,0,… label 0. It lands in train or test depending on the seed.
    const first = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0];
    const ds = loadDigits({ seed: 1, testSize: 0 }).train;
    expect(ds.n).toBe(1797);
    expect(ds.y[0]).toBe(0);
    first.forEach((v, j) => expect(Math.abs(ds.x[j] - v / 16)).toBeLessThanOrEqual(1 / 510 + 1e-7));
  });

  it('default split is 1,300 / 497', () => {
    expect(a.train.n).toBe(1300);
    expect(a.test.n).toBe(497);
  });

  it('same seed gives an identical split, another seed a different one', () => {
    const b = loadDigits({ seed: 1 });
    expect(sameArray(b.test.x, a.test.x)).toBe(true);
    expect(sameArray(b.test.y, a.test.y)).toBe(true);
    expect(sameArray(b.train.x, a.train.x)).toBe(true);
    const c = loadDigits({ seed: 2 });
    expect(sameArray(c.test.x, a.test.x)).toBe(false);
  });

  it('is stratified: each class share of test within one example of proportional', () => {
    for (const seed of [1, 7]) {
      for (const testSize of [497, 300]) {
        const s = loadDigits({ seed, testSize });
        const tr = counts(s.train);
        const te = counts(s.test);
        expect(te.reduce((x, y) => x + y, 0)).toBe(testSize);
        te.forEach((t, k) => expect(Math.abs(t - (testSize * (t + tr[k])) / 1797)).toBeLessThan(1));
      }
    }
  });

  it('records provenance', () => {
    expect(a.test.provenance?.source).toMatch(/digits-images-idx3-ubyte\.gz/);
    expect(a.test.provenance?.steps).toEqual([{ op: 'stratified-split', seed: 1, params: { testSize: 497, part: 'test' } }]);
  });
});
