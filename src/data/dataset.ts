/**
 * A labelled classification or regression dataset held in plain typed arrays (not tensors),
 * so that loading, corruption and subsetting need no TF.js memory management.
 *
 * `x` is row-major with `n` rows of `featureShape` (e.g. [8, 8, 1] for digits, [32, 32, 3]
 * for CIFAR-10, [d] for tabular data); a model flattens or reshapes as it needs.
 */
export interface Dataset {
  name: string;
  x: Float32Array;
  /** Class index per example (classification) — or regression targets in `targets`. */
  y: Int32Array;
  n: number;
  featureShape: number[];
  numClasses: number;
  /** Regression targets, present for regression data (then `y` is unused zeros). */
  targets?: Float32Array;
}

export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
}

export function featureSize(ds: Pick<Dataset, 'featureShape'>): number {
  return ds.featureShape.reduce((a, b) => a * b, 1);
}
