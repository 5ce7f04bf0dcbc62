/**
 * Row subsets of a Dataset: the first n rows, or a seeded class-balanced sample.
 *
 * Small training sets are the norm in implicit-bias experiments (so a network can interpolate
 * and the interesting question is *which* interpolant it finds); a balanced sample removes
 * class imbalance as a confound when comparing optimisers or corruptions.
 */
import { featureSize, withStep, type Dataset } from './dataset.ts';
import { permutation, type Rng } from '../util/rng.ts';

/**
 * A new Dataset holding rows `indices` of `ds`, in that order (copies; `ds` is untouched).
 * Provenance is carried over; callers append their own step.
 */
export function takeRows(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const d = featureSize(ds);
  const m = indices.length;
  const x = new Float32Array(m * d);
  const y = new Int32Array(m);
  const targets = ds.targets ? new Float32Array(m) : undefined;
  for (let r = 0; r < m; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new Error(`${ds.name}: row index ${i} out of range [0, ${ds.n})`);
    }
    x.set(ds.x.subarray(i * d, (i + 1) * d), r * d);
    y[r] = ds.y[i];
    if (targets) targets[r] = ds.targets![i];
  }
  const out: Dataset = { ...ds, x, y, n: m, featureShape: [...ds.featureShape] };
  if (targets) out.targets = targets;
  else delete out.targets;
  return out;
}

/** The first `n` rows (no randomness; useful for quick smoke runs). */
export function firstN(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 0 || n > ds.n) {
    throw new Error(`firstN: n must be an integer in [0, ${ds.n}] for ${ds.name}, got ${n}`);
  }
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const out = takeRows(ds, idx);
  out.provenance = withStep(ds.provenance, { op: 'first-n', params: { n } }, ds.name);
  return out;
}

/** Row indices of each class, in dataset order. */
export function indicesByClass(ds: Dataset): number[][] {
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.n; i++) {
    const c = ds.y[i];
    if (c < 0 || c >= ds.numClasses) throw new Error(`${ds.name}: label ${c} at row ${i} outside [0, ${ds.numClasses})`);
    byClass[c].push(i);
  }
  return byClass;
}

/**
 * Exactly n / numClasses examples of every class, chosen uniformly without replacement
 * (seeded by `rng`). The chosen rows keep their original relative order. Throws if n is not a
 * multiple of numClasses or if some class has fewer examples than required.
 */
export function balancedSample(ds: Dataset, n: number, rng: Rng): Dataset {
  const k = ds.numClasses;
  if (!Number.isInteger(n) || n < 0 || n % k !== 0) {
    throw new Error(`balancedSample: n = ${n} must be a non-negative multiple of numClasses = ${k} for ${ds.name}`);
  }
  const perClass = n / k;
  const chosen: number[] = [];
  indicesByClass(ds).forEach((rows, c) => {
    if (rows.length < perClass) {
      throw new Error(`balancedSample: class ${c} of ${ds.name} has ${rows.length} examples, ${perClass} needed`);
    }
    const perm = permutation(rows.length, rng);
    for (let j = 0; j < perClass; j++) chosen.push(rows[perm[j]]);
  });
  chosen.sort((a, b) => a - b);
  const out = takeRows(ds, chosen);
  out.provenance = withStep(ds.provenance, { op: 'balanced-sample', params: { n, perClass } }, ds.name);
  return out;
}
