/**
 * Resolve a run config's `data` section to a train/test split: load, subsample, corrupt
 * (Zhang et al. 2017), augment (training images only), standardise — in that order, each step seeded from the run seed and
 * recorded in the dataset's provenance.
 */
import type { DatasetSplit } from '../data/dataset.ts';
import { loadDigits } from '../data/digits.ts';
import { loadFashionMnist } from '../data/fashionMnist.ts';
import { loadMnist } from '../data/mnist.ts';
import { loadCifar10 } from '../data/cifar10.ts';
import { balancedSample } from '../data/subset.ts';
import { corrupt } from '../data/corruptions.ts';
import { standardise } from '../data/standardise.ts';
import { augmentImages } from '../data/augment.ts';
import { createRng } from '../util/rng.ts';
import { derivedSeed } from '../train/batches.ts';
import type { RunConfig } from './runConfig.ts';

function requireDir(dataset: string, dir: string | undefined): string {
  if (!dir) throw new Error(`data.dir is required for dataset '${dataset}': point it at the folder holding the ${dataset} files (nothing is downloaded)`);
  return dir;
}

/**
 * The last file-based dataset read, kept so that a sweep (many runs on one dataset) decodes the
 * files once instead of per run (~5 s for Fashion-MNIST). Every later step copies, so sharing the
 * raw split is safe.
 */
let rawCache: { key: string; split: DatasetSplit } | null = null;

function loadRaw(dataset: RunConfig['data']['dataset'], dir: string | undefined, load: () => DatasetSplit): DatasetSplit {
  const key = `${dataset}\u0000${dir ?? ''}`;
  if (rawCache?.key !== key) rawCache = { key, split: load() };
  return rawCache.split;
}

export function loadDataForRun(config: RunConfig): DatasetSplit {
  const { data, seed } = config;
  let split: DatasetSplit;
  switch (data.dataset) {
    case 'digits': split = loadDigits({ seed, testSize: data.testSize }); break;
    case 'fashion-mnist': split = loadRaw(data.dataset, data.dir, () => loadFashionMnist(data.dir ? { dir: data.dir } : {})); break;
    case 'mnist': split = loadRaw(data.dataset, data.dir, () => loadMnist({ dir: requireDir('mnist', data.dir) })); break;
    case 'cifar10': split = loadRaw(data.dataset, data.dir, () => loadCifar10({ dir: requireDir('cifar10', data.dir) })); break;
  }
  if (data.trainSize !== undefined && data.trainSize < split.train.n) {
    split = { ...split, train: balancedSample(split.train, data.trainSize, createRng(derivedSeed(seed, 'train-subset'))) };
  }
  if (data.testSize !== undefined && data.dataset !== 'digits' && data.testSize < split.test.n) {
    split = { ...split, test: balancedSample(split.test, data.testSize, createRng(derivedSeed(seed, 'test-subset'))) };
  }
  if (data.corruption.kind !== 'true-labels') split = corrupt(split, data.corruption, derivedSeed(seed, 'corruption'));
  if (data.augment) split = { ...split, train: augmentImages(split.train, data.augment, derivedSeed(seed, 'augment')) };
  if (data.standardise) split = standardise(split).split;
  return split;
}
