/**
 * Shared loader for datasets distributed as the four MNIST-style IDX files
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte), each optionally gzipped.
 */
import type { DatasetSplit } from './dataset.ts';
import { requireDataFile } from './files.ts';
import { loadIdxClassification } from './idx.ts';

export const MNIST_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export function loadMnistLike(
  dir: string,
  name: string,
  classNames: string[],
  howToObtain: string,
): DatasetSplit {
  const f = (base: string) => requireDataFile(dir, base, howToObtain);
  // Resolve all four first so a missing file is reported before any large file is parsed.
  const paths = {
    trainImages: f(MNIST_FILE_NAMES.trainImages),
    trainLabels: f(MNIST_FILE_NAMES.trainLabels),
    testImages: f(MNIST_FILE_NAMES.testImages),
    testLabels: f(MNIST_FILE_NAMES.testLabels),
  };
  const opts = { numClasses: classNames.length, classNames };
  return {
    train: loadIdxClassification(paths.trainImages, paths.trainLabels, { ...opts, name: `${name}-train` }),
    test: loadIdxClassification(paths.testImages, paths.testLabels, { ...opts, name: `${name}-test` }),
  };
}
