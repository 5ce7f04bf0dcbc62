/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017; Zalando, MIT licence): 60,000 train + 10,000
 * test 28×28 greyscale images of 10 clothing classes — MNIST's format with a harder task, which
 * makes the gap between fitting and generalising visible. Read from the local IDX files that
 * Debian's `dataset-fashion-mnist` package installs; nothing is downloaded.
 */
import type { DatasetSplit } from './dataset.ts';
import { loadMnistLike } from './mnistLike.ts';

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
  'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export interface FashionMnistOptions {
  /** Folder with train-/t10k- images/labels IDX files (each optionally .gz). */
  dir?: string;
}

/** Fashion-MNIST as featureShape [28, 28, 1], pixels in [0, 1]. */
export function loadFashionMnist(opts: FashionMnistOptions = {}): DatasetSplit {
  const dir = opts.dir ?? FASHION_MNIST_DEFAULT_DIR;
  return loadMnistLike(
    dir,
    'fashion-mnist',
    FASHION_MNIST_CLASSES,
    'Fashion-MNIST is not downloaded at run time: install it with `apt-get install dataset-fashion-mnist` ' +
      `(puts the files in ${FASHION_MNIST_DEFAULT_DIR}), or pass { dir } pointing at a folder holding ` +
      'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz), ' +
      'e.g. from https://github.com/zalandoresearch/fashion-mnist.',
  );
}
