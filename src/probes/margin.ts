/**
 * Classification margins. For example i with label y_i the (unnormalized) margin is
 *   q_i(θ) = f_{y_i}(x_i; θ) − max_{j≠y_i} f_j(x_i; θ),
 * and for a model positively homogeneous of degree L the normalized margin is
 *   γ(θ) = min_i q_i(θ) / ‖θ‖₂^L,
 * invariant to θ → cθ (c > 0) and, for bias-free ReLU nets, to rescaling one layer by c and
 * Lyu & Li (2020, Thm 4.1) show gradient flow on a separable dataset makes a smoothed version
 * of γ non-decreasing once the training loss is small enough.
 *
 * γ is invariant to θ → cθ but *not* to rescaling one layer by c and another by 1/c (that keeps
 * f but changes ‖θ‖₂). The layer-product normalization
 *   γ_Π(θ) = min_i q_i(θ) / Π_l ‖W_l‖_F
 * is invariant to both (each layer's factor cancels its own norm), so it is reported too; for
 * balanced layers (which gradient flow preserves, Du et al. 2018) the two differ by the constant
 * L^{L/2}.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { l2Norm, parameterNorms } from './norms.ts';

/** Π_l ‖W_l‖_F over the model's layers (tensors grouped by ParamSpec.layer). */
export function layerNormProduct(model: Model, params: tf.Tensor[]): number {
  const perTensor = parameterNorms(params).perLayerFrobenius;
  const squaredByLayer = new Map<number, number>();
  model.paramSpecs.forEach((spec, i) => squaredByLayer.set(spec.layer, (squaredByLayer.get(spec.layer) ?? 0) + perTensor[i] ** 2));
  return [...squaredByLayer.values()].reduce((prod, sq) => prod * Math.sqrt(sq), 1);
}

export interface MarginResult {
  minUnnormalized: number;
  /** null when the model is not homogeneous: the normalized margin is then undefined. */
  normalized: number | null;
  homogeneityDegree: number | null;
  /** min_i q_i / Π_l ‖W_l‖_F (null when not homogeneous). */
  normalizedByLayerProduct: number | null;
  /** Quantiles of the per-example margin q_i / ‖θ‖^L (or of q_i if not homogeneous). */
  quantiles: { q: number; value: number }[];
}

/** Per-example margins q_i in chunks (memory stays bounded on large datasets). */
export function exampleMargins(model: Model, params: tf.Tensor[], x: tf.Tensor, labels: Int32Array, chunkSize = 2048): Float64Array {
  const n = x.shape[0];
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    const logits = tf.tidy(() => model.apply(params, x.slice(start, size)).dataSync());
    const k = model.outputSize;
    for (let i = 0; i < size; i++) {
      const y = labels[start + i];
      let best = -Infinity;
      for (let j = 0; j < k; j++) if (j !== y) best = Math.max(best, logits[i * k + j]);
      out[start + i] = logits[i * k + y] - best;
    }
  }
  return out;
}

export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const defaultMarginQuantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

export function normalizedMargin(model: Model, params: tf.Tensor[], x: tf.Tensor, labels: Int32Array, chunkSize?: number): MarginResult {
  const margins = exampleMargins(model, params, x, labels, chunkSize);
  const degree = model.homogeneityDegree;
  const scale = degree === null ? 1 : l2Norm(params) ** degree;
  const sorted = Float64Array.from(margins, (m) => m / scale).sort();
  const minUnnormalized = margins.reduce((a, b) => Math.min(a, b), Infinity);
  return {
    minUnnormalized,
    normalized: degree === null ? null : sorted[0],
    homogeneityDegree: degree,
    normalizedByLayerProduct: degree === null ? null : minUnnormalized / layerNormProduct(model, params),
    quantiles: defaultMarginQuantiles.map((q) => ({ q, value: quantile(sorted, q) })),
  };
}
