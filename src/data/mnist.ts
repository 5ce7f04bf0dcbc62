/**
 * MNIST (LeCun, Cortes & Burges): 60,000 train + 10,000 test 28×28 greyscale digits. Not
 * bundled and never downloaded by this toolkit: the user supplies a folder with the four
 * standard IDX files (each optionally gzipped).
 */
import type { DatasetSplit } from './dataset.ts';
import { loadMnistLike } from './mnistLike.ts';

export interface MnistOptions {
  /** Folder with train-/t10k- images/labels IDX files (each optionally .gz). */
  dir: string;
}

/** MNIST as featureShape [28, 28, 1], pixels in [0, 1]. */
export function loadMnist(opts: MnistOptions): DatasetSplit {
  return loadMnistLike(
    opts.dir,
    'mnist',
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    'MNIST is not bundled and nothing is downloaded at run time: obtain the four IDX files ' +
      '(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz) ' +
      'from http://yann.lecun.com/exdb/mnist/ or a mirror, put them in one folder and pass it as { dir }.',
  );
}
