/**
 * The randomisation tests of Zhang, Bengio, Hardt, Recht & Vinyals (ICLR 2017), "Understanding
 * deep learning requires rethinking generalization": a network that can fit these corrupted
 * training sets has the capacity to memorise, so its generalisation on true data must come
 * from somewhere other than model capacity — e.g. implicit regularisation by the optimiser.
 *
 * Kinds (K = numClasses):
 * - `true-labels`: no change (the control).
 * - `partial-labels` (p ∈ [0, 1]): each *training* label independently, with probability p, is
 *   replaced by a class drawn uniformly from all K — possibly the old one, so the expected
 *   fraction of labels that actually change is p(1 − 1/K).
 * - `random-labels`: partial labels with p = 1 (every training label uniform at random).
 * - `shuffled-pixels`: one random permutation π of the feature positions (all
 *   featureSize entries, channels included), drawn once and applied to every train *and* test
 *   image: x'[j] = x[π[j]]. Local structure is destroyed but the same for all images, so a
 *   permutation-invariant model is unaffected.
 * - `random-pixels`: an independent permutation per image (train and test); each image keeps
 *   its multiset of values, but position carries no information.
 * - `gaussian`: every feature of every train and test image replaced by an i.i.d. draw from
 *   N(μ_c, σ_c²), where μ_c, σ_c² are the per-channel mean and (population) variance of the
 *   *training* set (channel = last featureShape dim; for greyscale images this is simply the
 *   training set's pixel mean and variance).
 *
 * Labels are kept for the image corruptions (the network must fit noise inputs to the original
 * labels). Test *labels* are never corrupted, so test accuracy keeps measuring generalisation to
 * the true task. Inputs are never mutated: the result is a new split whose datasets carry a
 * provenance step { op: 'corrupt', seed, params: spec }. Train and test use separate forked
 * random streams, so the training corruption does not depend on the test set's size.
 */
import { featureSize, withStep, type Dataset, type DatasetSplit } from './dataset.ts';
import { createRng, permutation, type Rng } from '../util/rng.ts';
import { channelStats } from './standardise.ts';

/** A corruption to apply; a plain TypeScript union (validated by `corrupt`, no schema library). */
export type CorruptionSpec =
  | { kind: 'true-labels' }
  | { kind: 'partial-labels'; p: number }
  | { kind: 'random-labels' }
  | { kind: 'shuffled-pixels' }
  | { kind: 'random-pixels' }
  | { kind: 'gaussian' };

export type CorruptionKind = CorruptionSpec['kind'];

export const CORRUPTION_KINDS: readonly CorruptionKind[] = [
  'true-labels',
  'partial-labels',
  'random-labels',
  'shuffled-pixels',
  'random-pixels',
  'gaussian',
];

function withX(ds: Dataset, x: Float32Array): Dataset {
  return { ...ds, x, y: ds.y.slice(), featureShape: [...ds.featureShape] };
}

function relabel(ds: Dataset, p: number, rng: Rng): Dataset {
  const y = ds.y.slice();
  for (let i = 0; i < y.length; i++) {
    // Draw both numbers for every example so the stream stays aligned across values of p.
    const u = rng.next();
    const c = rng.int(ds.numClasses);
    if (u < p) y[i] = c;
  }
  return { ...ds, x: ds.x.slice(), y, featureShape: [...ds.featureShape] };
}

function permuteFeatures(ds: Dataset, perImage: (rng: Rng) => Int32Array, rng: Rng): Dataset {
  const d = featureSize(ds);
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < ds.n; i++) {
    const pi = perImage(rng);
    const base = i * d;
    for (let j = 0; j < d; j++) x[base + j] = ds.x[base + pi[j]];
  }
  return withX(ds, x);
}

function gaussianImages(ds: Dataset, mean: number[], std: number[], rng: Rng): Dataset {
  const c = mean.length;
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) x[i] = mean[i % c] + std[i % c] * rng.normal();
  return withX(ds, x);
}

function checkSpec(spec: CorruptionSpec): void {
  if (!CORRUPTION_KINDS.includes(spec?.kind)) {
    throw new Error(`corrupt: unknown corruption kind ${JSON.stringify(spec?.kind)} (expected one of ${CORRUPTION_KINDS.join(', ')})`);
  }
  if (spec.kind === 'partial-labels' && !(typeof spec.p === 'number' && spec.p >= 0 && spec.p <= 1)) {
    throw new Error(`corrupt: partial-labels needs p in [0, 1], got ${JSON.stringify(spec.p)}`);
  }
}

/** Applies `spec` to `split` with randomness from `seed`; returns a new split (see module doc). */
export function corrupt(split: DatasetSplit, spec: CorruptionSpec, seed: number): DatasetSplit {
  checkSpec(spec);
  const root = createRng(seed);
  const trainRng = root.fork();
  const testRng = root.fork();
  let train: Dataset;
  let test: Dataset;
  switch (spec.kind) {
    case 'true-labels':
      train = withX(split.train, split.train.x.slice());
      test = withX(split.test, split.test.x.slice());
      break;
    case 'partial-labels':
    case 'random-labels':
      train = relabel(split.train, spec.kind === 'random-labels' ? 1 : spec.p, trainRng);
      test = withX(split.test, split.test.x.slice());
      break;
    case 'shuffled-pixels': {
      const d = featureSize(split.train);
      if (featureSize(split.test) !== d) throw new Error('corrupt: train and test feature sizes differ');
      const pi = permutation(d, trainRng);
      train = permuteFeatures(split.train, () => pi, trainRng);
      test = permuteFeatures(split.test, () => pi, testRng);
      break;
    }
    case 'random-pixels': {
      const d = featureSize(split.train);
      train = permuteFeatures(split.train, (r) => permutation(d, r), trainRng);
      test = permuteFeatures(split.test, (r) => permutation(featureSize(split.test), r), testRng);
      break;
    }
    case 'gaussian': {
      const { mean, std } = channelStats(split.train);
      train = gaussianImages(split.train, mean, std, trainRng);
      test = gaussianImages(split.test, mean, std, testRng);
      break;
    }
  }
  const step = { op: 'corrupt', seed, params: { ...spec } as Record<string, unknown> };
  train.provenance = withStep(split.train.provenance, step, split.train.name);
  test.provenance = withStep(split.test.provenance, step, split.test.name);
  return { train, test };
}
