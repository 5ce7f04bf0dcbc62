/**
 * Per-channel standardisation: x ← (x − μ_c) / σ_c, with μ_c and σ_c computed on the *training*
 * set only and applied to both train and test (using test statistics would leak test
 * information into preprocessing).
 *
 * The channel of an element is its index along the last featureShape dimension: colour
 * channels for HWC images ([32, 32, 3] → 3 channels), a single channel for greyscale images
 * ([28, 28, 1]), and individual features for tabular data ([d] → d channels).
 *
 * σ_c is the population standard deviation (divide by N), accumulated in float64 with two
 * passes for accuracy. A constant channel (σ_c = 0) is only centred (divided by 1), so no NaN
 * or ∞ ever reaches a model.
 */
import { withStep, type Dataset, type DatasetSplit } from './dataset.ts';

export interface ChannelStats {
  mean: number[];
  std: number[];
}

function channels(ds: Dataset): number {
  return ds.featureShape[ds.featureShape.length - 1] ?? 1;
}

/** Mean and population standard deviation of each channel over all rows and positions. */
export function channelStats(ds: Dataset): ChannelStats {
  const c = channels(ds);
  const sum = new Float64Array(c);
  const count = new Float64Array(c);
  for (let i = 0; i < ds.x.length; i++) {
    sum[i % c] += ds.x[i];
    count[i % c]++;
  }
  const mean = Array.from(sum, (s, k) => (count[k] > 0 ? s / count[k] : 0));
  const sq = new Float64Array(c);
  for (let i = 0; i < ds.x.length; i++) {
    const d = ds.x[i] - mean[i % c];
    sq[i % c] += d * d;
  }
  const std = Array.from(sq, (s, k) => (count[k] > 0 ? Math.sqrt(s / count[k]) : 0));
  return { mean, std };
}

/** A standardised copy of `ds` using given statistics (σ = 0 treated as 1). */
export function applyStandardisation(ds: Dataset, stats: ChannelStats): Dataset {
  const c = channels(ds);
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new Error(`${ds.name}: stats have ${stats.mean.length} channels, dataset has ${c}`);
  }
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    x[i] = (ds.x[i] - stats.mean[k]) / (stats.std[k] > 0 ? stats.std[k] : 1);
  }
  return {
    ...ds,
    x,
    provenance: withStep(ds.provenance, { op: 'standardise', params: { mean: stats.mean, std: stats.std } }, ds.name),
  };
}

/** Standardises train and test with the training set's per-channel statistics. */
export function standardise(split: DatasetSplit): { split: DatasetSplit; stats: ChannelStats } {
  const stats = channelStats(split.train);
  return {
    split: { train: applyStandardisation(split.train, stats), test: applyStandardisation(split.test, stats) },
    stats,
  };
}
