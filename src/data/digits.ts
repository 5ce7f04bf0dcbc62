/**
 * The embedded UCI hand-written digits (1,797 8×8 greyscale images, 10 classes; see
 * data/README.md for source, licence and conversion). Small enough that a network can fit it,
 * random labels and all, in seconds on a CPU — the default dataset for quick experiments.
 */
import { fileURLToPath } from 'node:url';
import type { DatasetSplit } from './dataset.ts';
import { loadIdxClassification } from './idx.ts';
import { stratifiedSplit } from './split.ts';
import { createRng } from '../util/rng.ts';

export const DIGITS_IMAGES_PATH = fileURLToPath(new URL('../../data/digits-images-idx3-ubyte.gz', import.meta.url));
export const DIGITS_LABELS_PATH = fileURLToPath(new URL('../../data/digits-labels-idx1-ubyte.gz', import.meta.url));

export interface DigitsOptions {
  /** Seed of the stratified split. */
  seed: number;
  /** Number of test examples (default 497, leaving 1,300 for training). */
  testSize?: number;
}

/**
 * All 1,797 digits, featureShape [8, 8, 1], pixels in [0, 1] (= count/16), split into train and
 * test by a seeded class-stratified split (see split.ts).
 */
export function loadDigits(opts: DigitsOptions): DatasetSplit {
  const { seed, testSize = 497 } = opts;
  const all = loadIdxClassification(DIGITS_IMAGES_PATH, DIGITS_LABELS_PATH, {
    name: 'digits',
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  });
  return stratifiedSplit(all, testSize, createRng(seed), seed);
}
