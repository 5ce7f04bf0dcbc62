/**
 * Has a classifier collapsed? A network whose ReLUs have all died (or whose logits saturated to
 * a constant) sits at a loss near that of a constant predictor with a Hessian of zero: without
 * this check such a run looks like the *flattest* solution of a sweep.
 *
 * A run is `collapsed` when either
 *  - its outputs no longer depend on the input: the largest per-class standard deviation of the
 *    logits over the training examples, max_k std_i z_ik, is at most 1e-6 · max(1, max_k |mean_i z_ik|)
 *    (dead bias-free ReLU nets give exactly 0); or
 *  - its gradient vanishes at a loss far from 0: ‖∇L‖₂ ≤ 1e-6 while L ≥ ½·L_chance, where
 *    L_chance is the loss of the uniform prediction on balanced classes (ln K for cross-entropy,
 *    logits 1/K for the squared loss: ½(1 − 1/K)). A genuine minimum of the training loss has
 *    L ≪ L_chance.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import type { TensorData } from '../train/tensorData.ts';
import type { ClassificationLossKind } from '../train/loss.ts';
import { classificationObjective, objectiveGradient } from './objective.ts';

export const collapseThresholds = { relativeLogitSpread: 1e-6, gradientNorm: 1e-6, lossFractionOfChance: 0.5 } as const;

export interface CollapseCheck {
  collapsed: boolean;
  /** Why, when collapsed. */
  reason?: 'outputs-independent-of-input' | 'vanishing-gradient';
  /** max_k std_i z_ik over the examples. */
  logitSpread: number;
  /** max(1, max_k |mean_i z_ik|), the scale the spread is compared with. */
  logitScale: number;
  gradientNorm: number;
  loss: number;
  chanceLoss: number;
}

export function chanceLoss(loss: ClassificationLossKind, classes: number): number {
  return loss === 'mse' ? 0.5 * (1 - 1 / classes) : Math.log(classes);
}

export function checkCollapse(model: Model, params: tf.Tensor[], data: TensorData, loss: ClassificationLossKind = 'cross-entropy', chunkSize = 1024): CollapseCheck {
  const classes = data.oneHot.shape[1];
  const sum = new Float64Array(classes);
  const sumSq = new Float64Array(classes);
  for (let start = 0; start < data.n; start += chunkSize) {
    const size = Math.min(chunkSize, data.n - start);
    const z = tf.tidy(() => model.apply(params, data.x.slice(start, size)).dataSync());
    for (let i = 0; i < size; i++) {
      for (let k = 0; k < classes; k++) { const v = z[i * classes + k]; sum[k] += v; sumSq[k] += v * v; }
    }
  }
  let spread = 0;
  let scale = 1;
  for (let k = 0; k < classes; k++) {
    const mean = sum[k] / data.n;
    spread = Math.max(spread, Math.sqrt(Math.max(sumSq[k] / data.n - mean * mean, 0)));
    scale = Math.max(scale, Math.abs(mean));
  }
  const { loss: value, gradient } = objectiveGradient(classificationObjective(model, data, chunkSize, loss), params);
  const gradientNorm = Math.sqrt(gradient.reduce((s, g) => s + g * g, 0));
  const chance = chanceLoss(loss, classes);
  const base = { logitSpread: spread, logitScale: scale, gradientNorm, loss: value, chanceLoss: chance };
  // The spread is computed as E[z²] − E[z]² in float64 from float32 logits: its floor is ~1e-7·scale.
  if (spread <= collapseThresholds.relativeLogitSpread * scale) return { collapsed: true, reason: 'outputs-independent-of-input', ...base };
  if (gradientNorm <= collapseThresholds.gradientNorm && value >= collapseThresholds.lossFractionOfChance * chance) return { collapsed: true, reason: 'vanishing-gradient', ...base };
  return { collapsed: false, ...base };
}
