import { describe, expect, it } from 'vitest';
import { balancedSample, firstN } from '../../src/data/subset.ts';
import { loadDigits } from '../../src/data/digits.ts';
import { standardise, channelStats } from '../../src/data/standardise.ts';
import { stratifiedCounts } from '../../src/data/split.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { createRng } from '../../src/util/rng.ts';
import { sameArray } from './helpers.ts';

const { train, test } = loadDigits({ seed: 0 });

describe('balancedSample', () => {
  it('has exactly n/K examples per class, rows copied intact', () => {
    const s = balancedSample(train, 200, createRng(1));
    expect(s.n).toBe(200);
    const counts = new Array(10).fill(0);
    s.y.forEach((c) => counts[c]++);
    expect(counts).toEqual(new Array(10).fill(20));
    // every sampled row exists in the source with the same label
    const rows = new Map<string, number>();
    for (let i = 0; i < train.n; i++) rows.set(train.x.subarray(i * 64, (i + 1) * 64).join(','), train.y[i]);
    for (let i = 0; i < s.n; i++) expect(rows.get(s.x.subarray(i * 64, (i + 1) * 64).join(','))).toBe(s.y[i]);
  });

  it('is seeded, and errors on an impossible request', () => {
    expect(sameArray(balancedSample(train, 100, createRng(5)).x, balancedSample(train, 100, createRng(5)).x)).toBe(true);
    expect(sameArray(balancedSample(train, 100, createRng(5)).x, balancedSample(train, 100, createRng(6)).x)).toBe(false);
    expect(() => balancedSample(train, 105, createRng(1))).toThrow(/multiple of numClasses = 10/);
    expect(() => balancedSample(train, 10 * 200, createRng(1))).toThrow(/class \d of digits has \d+ examples, 200 needed/);
  });
});

describe('firstN', () => {
  it('takes the first rows', () => {
    const f = firstN(train, 7);
    expect(f.n).toBe(7);
    expect(sameArray(f.x, train.x.slice(0, 7 * 64))).toBe(true);
    expect(sameArray(f.y, train.y.slice(0, 7))).toBe(true);
    expect(() => firstN(train, train.n + 1)).toThrow(/firstN/);
  });
});

describe('stratifiedCounts', () => {
  it('sums to testSize, each within one of proportional', () => {
    const sizes = [5, 7, 11, 1, 0];
    for (const t of [0, 3, 10, 24]) {
      const c = stratifiedCounts(sizes, t);
      expect(c.reduce((a, b) => a + b, 0)).toBe(t);
      c.forEach((v, k) => expect(Math.abs(v - (t * sizes[k]) / 24)).toBeLessThan(1));
    }
  });
});

describe('standardise', () => {
  it('train has zero mean / unit std per channel; test uses train statistics', () => {
    const { split, stats } = standardise({ train, test });
    const s = channelStats(split.train);
    expect(s.mean[0]).toBeCloseTo(0, 5);
    expect(s.std[0]).toBeCloseTo(1, 5);
    expect(stats.mean[0]).toBeCloseTo(channelStats(train).mean[0], 10);
    expect(split.test.x[5]).toBeCloseTo((test.x[5] - stats.mean[0]) / stats.std[0], 5);
  });

  it('per channel on HWC data; constant channel is only centred', () => {
    const x = new Float32Array(4 * 3);
    for (let i = 0; i < 4; i++) x.set([i, 10 + 2 * i, 7], i * 3);
    const ds: Dataset = { name: 'c', x, y: new Int32Array(4), n: 4, featureShape: [1, 1, 3], numClasses: 1 };
    const { split, stats } = standardise({ train: ds, test: ds });
    expect(stats.mean).toEqual([1.5, 13, 7]);
    expect(stats.std[1]).toBeCloseTo(2 * Math.sqrt(1.25), 10);
    expect(stats.std[2]).toBe(0);
    expect(Array.from(split.train.x.filter((_, i) => i % 3 === 2))).toEqual([0, 0, 0, 0]);
    const c1 = Array.from(split.train.x.filter((_, i) => i % 3 === 1));
    expect(c1.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(c1.reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 5);
    expect(ds.x[0]).toBe(0); // input untouched
  });
});
