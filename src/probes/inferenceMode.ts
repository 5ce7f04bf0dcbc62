/**
 * Probes see a model with batch normalisation in *inference mode*: each BN layer normalises with
 * the population statistics of the training set at the current θ (PreciseBN, computed exactly
 * in chunks), held fixed while the probe differentiates — as PyHessian does with model.eval().
 * In training mode the loss of an example would depend on which chunk it was evaluated with, so
 * losses, margins and Hessians would change with the chunk size.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { disposeBatchNormStatistics, hasBatchNormInference } from '../models/batchNormState.ts';

export type ProbeNormalisation = 'none' | 'batch-inference';

export interface ProbedModel {
  model: Model;
  normalisation: ProbeNormalisation;
  /**
   * `model.apply(params, statisticsData)` when the statistics pass produced it as a by-product
   * (batch norm, statistics data in one chunk), else null; owned by this object.
   */
  statisticsDataLogits: tf.Tensor2D | null;
  dispose(): void;
}

/** The model the probes should evaluate; `statisticsData` is normally the training inputs. */
export function modelForProbes(model: Model, params: tf.Tensor[], statisticsData: tf.Tensor): ProbedModel {
  if (!hasBatchNormInference(model) || model.batchNormLayers === 0) {
    return { model, normalisation: 'none', statisticsDataLogits: null, dispose: () => {} };
  }
  const { stats, logits } = model.estimateBatchNormStatisticsWithLogits(params, statisticsData);
  return {
    model: { ...model, apply: (p: tf.Tensor[], x: tf.Tensor) => model.applyInference(p, stats, x) },
    normalisation: 'batch-inference',
    statisticsDataLogits: logits,
    dispose: () => {
      disposeBatchNormStatistics(stats);
      logits?.dispose();
    },
  };
}
