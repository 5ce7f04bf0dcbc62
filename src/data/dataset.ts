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
  /** Human-readable class names, index-aligned with `y` (e.g. 'T-shirt/top' for Fashion-MNIST 0). */
  classNames?: string[];
  /**
   * Where the examples came from and every seeded transformation applied since, so a result
   * can be traced back to (and regenerated from) its data. Absent for hand-built datasets.
   */
  provenance?: DatasetProvenance;
}

/** One transformation in a dataset's history, e.g. a split, a subsample or a corruption. */
export interface ProvenanceStep {
  /** Short operation name: 'stratified-split', 'balanced-sample', 'corrupt', 'standardise', … */
  op: string;
  /** The seed that makes this step reproducible, if it was random. */
  seed?: number;
  /** Operation parameters (e.g. the corruption spec), JSON-serialisable. */
  params?: Record<string, unknown>;
}

export interface DatasetProvenance {
  /** Origin of the raw examples: file paths, or a generator name. */
  source: string;
  /** Transformations applied to the raw examples, oldest first. */
  steps: ProvenanceStep[];
}

/** A copy of `prev` (or a fresh record for `source`) with `step` appended; never mutates. */
export function withStep(
  prev: DatasetProvenance | undefined,
  step: ProvenanceStep,
  source = 'unknown',
): DatasetProvenance {
  return { source: prev?.source ?? source, steps: [...(prev?.steps ?? []), step] };
}

export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
}

export function featureSize(ds: Pick<Dataset, 'featureShape'>): number {
  return ds.featureShape.reduce((a, b) => a * b, 1);
}
