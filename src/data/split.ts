/**
 * Seeded, class-stratified train/test split.
 *
 * Each class c with n_c examples contributes t_c test examples, where t_c is the proportional
 * share testSize · n_c / n rounded by the largest-remainder method: every t_c is the floor or
 * the ceiling of its share (so each class is within one example of proportional) and the t_c
 * sum to exactly testSize. Ties in the remainder go to the lower class index (deterministic).
 * Which examples of a class go to test is uniform at random given `rng`. Both halves keep the
 * original row order, so the split is a pure function of (data, testSize, seed).
 */
import { withStep, type Dataset, type DatasetSplit } from './dataset.ts';
import { indicesByClass, takeRows } from './subset.ts';
import { permutation, type Rng } from '../util/rng.ts';

/** Test count per class by largest remainder (see module doc). */
export function stratifiedCounts(classSizes: number[], testSize: number): number[] {
  const n = classSizes.reduce((a, b) => a + b, 0);
  if (!Number.isInteger(testSize) || testSize < 0 || testSize > n) {
    throw new Error(`stratifiedCounts: testSize must be an integer in [0, ${n}], got ${testSize}`);
  }
  const shares = classSizes.map((s) => (n === 0 ? 0 : (testSize * s) / n));
  const counts = shares.map(Math.floor);
  let left = testSize - counts.reduce((a, b) => a + b, 0);
  const order = shares
    .map((s, c) => ({ c, r: s - Math.floor(s) }))
    .sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    counts[c]++;
    left--;
  }
  return counts;
}

export function stratifiedSplit(ds: Dataset, testSize: number, rng: Rng, seed?: number): DatasetSplit {
  const byClass = indicesByClass(ds);
  const counts = stratifiedCounts(byClass.map((r) => r.length), testSize);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  byClass.forEach((rows, c) => {
    const perm = permutation(rows.length, rng);
    for (let j = 0; j < rows.length; j++) (j < counts[c] ? testIdx : trainIdx).push(rows[perm[j]]);
  });
  trainIdx.sort((a, b) => a - b);
  testIdx.sort((a, b) => a - b);
  const step = (part: string) => ({
    op: 'stratified-split',
    ...(seed !== undefined ? { seed } : {}),
    params: { testSize, part },
  });
  const train = takeRows(ds, trainIdx);
  train.provenance = withStep(ds.provenance, step('train'), ds.name);
  const test = takeRows(ds, testIdx);
  test.provenance = withStep(ds.provenance, step('test'), ds.name);
  return { train, test };
}
