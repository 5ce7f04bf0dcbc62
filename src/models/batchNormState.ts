/**
 * Batch normalisation in a pure-function model.
 *
 * Training mode is `model.apply(params, x)`: every batch-norm layer normalises with the mean and
 * variance of the batch it is given, so the training loss is a function of (θ, batch) only — no
 * hidden state changes when a probe, an HVP or a margin evaluates the model. The probes that call
 * `apply` on a whole dataset (in chunks of up to 2,048) therefore use that chunk's statistics.
 *
 * Inference mode is explicit: `estimateBatchNormStatistics(params, x)` returns the *population*
 * statistics of every batch-norm layer over x (normally the training set) — exact, not a running
 * average: layer l's statistics are accumulated over all chunks with the layers before it already
 * normalised by their population statistics ("PreciseBN", Wu & Johnson 2021). They are
 * non-trainable state: a deterministic function of θ and the training data, so they are not part
 * of the parameter vector (no gradient, no weight decay) and are not stored in the checkpoint but
 * recomputed from it. `applyInference(params, stats, x)` is the forward pass with those fixed
 * statistics; the Zhang et al. reproduction reports test accuracy of batch-norm models this way.
 */
import * as tf from '@tensorflow/tfjs';
import { channelMoments } from './layers.ts';

export interface BatchNormStatistics { mean: tf.Tensor1D; variance: tf.Tensor1D }

export interface BatchNormInference {
  batchNormLayers: number;
  estimateBatchNormStatistics(params: tf.Tensor[], x: tf.Tensor, chunkSize?: number): BatchNormStatistics[];
  /**
   * The same statistics and, when x fits one chunk, the inference-mode logits of x from the same
   * pass (null otherwise): every layer normalised its input by the very statistics it stored, so
   * they equal applyInference(params, stats, x) — a probe of the training set then needs no
   * second forward pass over it.
   */
  estimateBatchNormStatisticsWithLogits(params: tf.Tensor[], x: tf.Tensor, chunkSize?: number): { stats: BatchNormStatistics[]; logits: tf.Tensor2D | null };
  applyInference(params: tf.Tensor[], stats: BatchNormStatistics[], x: tf.Tensor): tf.Tensor2D;
}

/**
 * `forward(params, x, stats, upTo, fill)`: with `upTo` = l, return the input of batch-norm layer
 * l, normalising the layers before it with stats[0..l−1]; without `upTo`, the logits. With
 * `fill`, a layer whose entry of `stats` is missing computes it from its input (batchStatistics,
 * kept outside any tidy scope), stores it there and normalises with it.
 */
export type BatchNormForward = (params: tf.Tensor[], x: tf.Tensor, stats: BatchNormStatistics[] | undefined, upTo?: number, fill?: boolean) => tf.Tensor;

/** Per-channel population statistics from summed moments (float64 sums, then float32). */
function statisticsFromMoments(sum: Float64Array, sumSquares: Float64Array, count: number): BatchNormStatistics {
  const mean = Float32Array.from(sum, (s) => s / count);
  const variance = Float32Array.from(sumSquares, (q, c) => Math.max(q / count - (sum[c] / count) ** 2, 0));
  return { mean: tf.keep(tf.tensor1d(mean)), variance: tf.keep(tf.tensor1d(variance)) };
}

/** The statistics of one batch-norm layer's input over all of `input` (a `fill` step of forward). */
export function batchStatistics(input: tf.Tensor): BatchNormStatistics {
  const m = channelMoments(input);
  return statisticsFromMoments(m.sum, m.sumSquares, m.count);
}

export function batchNormInference(layers: number, forward: BatchNormForward): BatchNormInference {
  return {
    batchNormLayers: layers,
    estimateBatchNormStatistics(params, x, chunkSize = 2048) {
      const { stats, logits } = estimateWithLogits(params, x, chunkSize);
      logits?.dispose();
      return stats;
    },
    estimateBatchNormStatisticsWithLogits: (params, x, chunkSize = 2048) => estimateWithLogits(params, x, chunkSize),
    applyInference: (params, stats, x) => tf.tidy(() => forward(params, x, stats) as tf.Tensor2D),
  };

  function estimateWithLogits(params: tf.Tensor[], x: tf.Tensor, chunkSize: number): { stats: BatchNormStatistics[]; logits: tf.Tensor2D | null } {
    const stats: BatchNormStatistics[] = [];
    const n = x.shape[0];
    if (n <= chunkSize) {
      // One chunk: a single forward pass that fills each layer's statistics as it reaches it
      // gives the same numbers (the same ops on the same values) as one pass per layer, which
      // costs L(L+1)/2 partial forward passes for L layers.
      const logits = tf.tidy(() => forward(params, x, stats, undefined, true) as tf.Tensor2D);
      if (stats.length !== layers) {
        logits.dispose();
        throw new Error(`batch-norm statistics: the forward pass filled ${stats.length} of ${layers} layers`);
      }
      return { stats, logits };
    }
    for (let l = 0; l < layers; l++) {
      let sum: Float64Array | null = null;
      let sumSquares: Float64Array | null = null;
      let count = 0;
      for (let start = 0; start < n; start += chunkSize) {
        const size = Math.min(chunkSize, n - start);
        const input = tf.tidy(() => forward(params, x.slice(start, size), stats, l));
        const m = channelMoments(input);
        input.dispose();
        if (!sum || !sumSquares) { sum = m.sum; sumSquares = m.sumSquares; } else {
          for (let c = 0; c < sum.length; c++) { sum[c] += m.sum[c]; sumSquares[c] += m.sumSquares[c]; }
        }
        count += m.count;
      }
      stats.push(statisticsFromMoments(sum!, sumSquares!, count));
    }
    return { stats, logits: null };
  }
}

export function hasBatchNormInference(model: object): model is BatchNormInference {
  return typeof (model as Partial<BatchNormInference>).estimateBatchNormStatistics === 'function';
}

export function disposeBatchNormStatistics(stats: BatchNormStatistics[]): void {
  for (const s of stats) tf.dispose([s.mean, s.variance]);
}
