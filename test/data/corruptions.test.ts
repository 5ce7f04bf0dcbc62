import { sameArray } from './helpers.ts';
import { describe, expect, it } from 'vitest';
import { corrupt, type CorruptionSpec } from '../../src/data/corruptions.ts';
import { loadDigits } from '../../src/data/digits.ts';
import type { Dataset, DatasetSplit } from '../../src/data/dataset.ts';
import { channelStats } from '../../src/data/standardise.ts';
import { createRng } from '../../src/util/rng.ts';

const digits = loadDigits({ seed: 3 });

function cloneSplit(s: DatasetSplit): DatasetSplit {
  const c = (d: Dataset): Dataset => ({ ...d, x: d.x.slice(), y: d.y.slice() });
  return { train: c(s.train), test: c(s.test) };
}

/** n images of featureShape, every value in the whole split distinct: value = global index. */
function distinctSplit(nTrain: number, nTest: number, featureShape: number[]): DatasetSplit {
  const d = featureShape.reduce((a, b) => a * b, 1);
  const make = (n: number, offset: number, name: string): Dataset => ({
    name,
    x: Float32Array.from({ length: n * d }, (_, i) => offset + i),
    y: Int32Array.from({ length: n }, (_, i) => i % 3),
    n,
    featureShape,
    numClasses: 3,
  });
  return { train: make(nTrain, 0, 'tr'), test: make(nTest, nTrain * d, 'te') };
}

/** For each image, the permutation π with x'[j] = x[π[j]], recovered by locating values. */
function recoverPerms(orig: Dataset, corrupted: Dataset): number[][] {
  const d = orig.x.length / orig.n;
  const perms: number[][] = [];
  for (let i = 0; i < orig.n; i++) {
    const base = orig.x[i * d]; // values of image i are base .. base + d − 1
    perms.push(Array.from(corrupted.x.subarray(i * d, (i + 1) * d), (v) => v - base));
  }
  return perms;
}

function isPermutation(pi: number[]): boolean {
  const seen = new Set(pi);
  return pi.length === seen.size && pi.every((v) => Number.isInteger(v) && v >= 0 && v < pi.length);
}

function labelCorruptionChecks(before: DatasetSplit, out: DatasetSplit): number {
  // Images untouched (train and test), test labels untouched.
  expect(sameArray(out.train.x, before.train.x)).toBe(true);
  expect(sameArray(out.test.x, before.test.x)).toBe(true);
  expect(sameArray(out.test.y, before.test.y)).toBe(true);
  let changed = 0;
  for (let i = 0; i < before.train.n; i++) {
    expect(out.train.y[i]).toBeGreaterThanOrEqual(0);
    expect(out.train.y[i]).toBeLessThan(before.train.numClasses);
    if (out.train.y[i] !== before.train.y[i]) changed++;
  }
  return changed;
}

describe('label corruptions (Zhang et al. 2017)', () => {
  // A large label-only dataset so 3σ is a tight band, plus the real digits.
  const K = 10;
  const big: DatasetSplit = (() => {
    const rng = createRng(99);
    const n = 20000;
    const mk = (m: number): Dataset => ({
      name: 'big', x: new Float32Array(m), y: Int32Array.from({ length: m }, () => rng.int(K)), n: m, featureShape: [1], numClasses: K,
    });
    return { train: mk(n), test: mk(1000) };
  })();

  for (const p of [0.2, 0.5, 1]) {
    for (const [label, split] of [['digits', digits], ['synthetic n=20000', big]] as const) {
      it(`p = ${p} on ${label}: changed fraction within 3σ of p(1 − 1/K)`, () => {
        const before = cloneSplit(split);
        const spec: CorruptionSpec = p === 1 ? { kind: 'random-labels' } : { kind: 'partial-labels', p };
        const out = corrupt(split, spec, 17);
        const changed = labelCorruptionChecks(before, out);
        const n = split.train.n;
        const q = p * (1 - 1 / K);
        const sd = Math.sqrt(n * q * (1 - q));
        expect(Math.abs(changed - n * q)).toBeLessThanOrEqual(3 * sd);
        // inputs untouched
        expect(sameArray(split.train.y, before.train.y)).toBe(true);
        expect(sameArray(split.train.x, before.train.x)).toBe(true);
      });
    }
  }

  it('partial-labels with p = 1 equals random-labels; p = 0 changes nothing', () => {
    const a = corrupt(digits, { kind: 'partial-labels', p: 1 }, 5);
    const b = corrupt(digits, { kind: 'random-labels' }, 5);
    expect(sameArray(a.train.y, b.train.y)).toBe(true);
    expect(sameArray(corrupt(digits, { kind: 'partial-labels', p: 0 }, 5).train.y, digits.train.y)).toBe(true);
  });

  it('random labels are uniform over classes', () => {
    const out = corrupt(big, { kind: 'random-labels' }, 8);
    const counts = new Array(K).fill(0);
    out.train.y.forEach((c) => counts[c]++);
    const n = big.train.n;
    const sd = Math.sqrt((n * (1 / K) * (1 - 1 / K)));
    counts.forEach((c) => expect(Math.abs(c - n / K)).toBeLessThanOrEqual(4 * sd));
  });

  it('true-labels is an identical copy', () => {
    const out = corrupt(digits, { kind: 'true-labels' }, 1);
    expect(sameArray(out.train.x, digits.train.x)).toBe(true);
    expect(sameArray(out.train.y, digits.train.y)).toBe(true);
    expect(out.train.x === digits.train.x).toBe(false); // a copy, not the same array
  });

  it('rejects a bad p or kind', () => {
    expect(() => corrupt(digits, { kind: 'partial-labels', p: 1.5 }, 1)).toThrow(/p in \[0, 1\]/);
    expect(() => corrupt(digits, { kind: 'noise' } as unknown as CorruptionSpec, 1)).toThrow(/unknown corruption kind "noise"/);
  });
});

describe('pixel corruptions (Zhang et al. 2017)', () => {
  const split = distinctSplit(30, 10, [4, 4, 2]);

  it('shuffled pixels: one permutation, the same for every train and test image', () => {
    const before = cloneSplit(split);
    const out = corrupt(split, { kind: 'shuffled-pixels' }, 11);
    const perms = [...recoverPerms(split.train, out.train), ...recoverPerms(split.test, out.test)];
    expect(isPermutation(perms[0])).toBe(true);
    expect(perms[0]).not.toEqual(perms[0].map((_, j) => j)); // not the identity
    for (const pi of perms) expect(pi).toEqual(perms[0]);
    expect(sameArray(out.train.y, before.train.y)).toBe(true);
    expect(sameArray(out.test.y, before.test.y)).toBe(true);
    expect(sameArray(split.train.x, before.train.x)).toBe(true); // input untouched
  });

  it('random pixels: a different permutation per image, each image keeps its values', () => {
    const out = corrupt(split, { kind: 'random-pixels' }, 11);
    const perms = [...recoverPerms(split.train, out.train), ...recoverPerms(split.test, out.test)];
    for (const pi of perms) expect(isPermutation(pi)).toBe(true); // ⇒ same multiset of values
    expect(new Set(perms.map((p) => p.join(','))).size).toBe(perms.length);
    expect(sameArray(out.test.y, split.test.y)).toBe(true);
    expect(sameArray(out.train.y, split.train.y)).toBe(true);
  });

  it('random pixels on digits preserve each image multiset (with repeated values)', () => {
    const out = corrupt(digits, { kind: 'random-pixels' }, 2);
    for (let i = 0; i < 50; i++) {
      const a = Array.from(digits.train.x.subarray(i * 64, (i + 1) * 64)).sort();
      const b = Array.from(out.train.x.subarray(i * 64, (i + 1) * 64)).sort();
      expect(b).toEqual(a);
    }
  });

  it('gaussian: per-channel training mean and variance matched to 1%, test too', () => {
    // 3 channels with distinct statistics; 10^6 values per channel so 1% is many standard errors.
    const rng = createRng(4);
    const n = 10000;
    const shape = [10, 10, 3];
    const d = 300;
    const x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = [0.2, 0.5, 0.8][i % 3] + [0.1, 0.3, 0.05][i % 3] * (rng.next() - 0.5);
    const train: Dataset = { name: 'g', x, y: new Int32Array(n), n, featureShape: shape, numClasses: 1 };
    const test: Dataset = { ...train, name: 'gt', x: new Float32Array(2000 * d), y: new Int32Array(2000), n: 2000 };
    const out = corrupt({ train, test }, { kind: 'gaussian' }, 6);
    const want = channelStats(train);
    for (const got of [channelStats(out.train), channelStats(out.test)]) {
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(got.mean[c] - want.mean[c]) / want.mean[c]).toBeLessThan(0.01);
        expect(Math.abs(got.std[c] ** 2 - want.std[c] ** 2) / want.std[c] ** 2).toBeLessThan(0.01);
      }
    }
  });

  it('gaussian on digits: training mean and variance matched, images really replaced, labels kept', () => {
    const out = corrupt(digits, { kind: 'gaussian' }, 6);
    const want = channelStats(digits.train);
    const got = channelStats(out.train);
    // 83,200 values: 1% is ~2 standard errors here; the 10^6-sample test above is the tight one.
    expect(Math.abs(got.mean[0] - want.mean[0]) / want.mean[0]).toBeLessThan(0.01);
    expect(Math.abs(got.std[0] ** 2 - want.std[0] ** 2) / want.std[0] ** 2).toBeLessThan(0.02);
    const distinct = new Set(out.train.x.subarray(0, 1000)).size;
    expect(distinct).toBeGreaterThan(990); // continuous values, not the 17 pixel levels
    expect(sameArray(out.train.y, digits.train.y)).toBe(true);
    expect(sameArray(out.test.y, digits.test.y)).toBe(true);
  });
});

describe('reproducibility and provenance', () => {
  const specs: CorruptionSpec[] = [
    { kind: 'partial-labels', p: 0.3 },
    { kind: 'random-labels' },
    { kind: 'shuffled-pixels' },
    { kind: 'random-pixels' },
    { kind: 'gaussian' },
  ];
  for (const spec of specs) {
    it(`${spec.kind}: same seed → same result, different seed → different`, () => {
      const a = corrupt(digits, spec, 21);
      const b = corrupt(digits, spec, 21);
      const c = corrupt(digits, spec, 22);
      expect(sameArray(b.train.x, a.train.x)).toBe(true);
      expect(sameArray(b.train.y, a.train.y)).toBe(true);
      expect(sameArray(b.test.x, a.test.x)).toBe(true);
      const differs = spec.kind.endsWith('labels')
        ? c.train.y.some((v, i) => v !== a.train.y[i])
        : c.train.x.some((v, i) => v !== a.train.x[i]);
      expect(differs).toBe(true);
      expect(a.train.provenance?.steps.at(-1)).toEqual({ op: 'corrupt', seed: 21, params: spec });
      expect(a.test.provenance?.steps.at(-1)).toEqual({ op: 'corrupt', seed: 21, params: spec });
      expect(digits.train.provenance?.steps.length).toBe(1); // input's provenance not mutated
    });
  }
});
