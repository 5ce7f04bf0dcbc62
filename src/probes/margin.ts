/**
 * Classification margins. For example i with label y_i the (unnormalized) margin is
 *   q_i(θ) = f_{y_i}(x_i; θ) − max_{j≠y_i} f_j(x_i; θ),
 * and for a model positively homogeneous of degree L the normalized margin is
 *   γ(θ) = min_i q_i(θ) / ‖θ‖₂^L,
 * invariant to θ → cθ (c > 0). Lyu & Li (2020, Thm 4.1) show gradient flow on a separable dataset makes a smoothed version
 * of γ non-decreasing once the training loss is small enough.
 *
 * γ is invariant to θ → cθ but *not* to rescaling one layer by c and another by 1/c (that keeps
 * f but changes ‖θ‖₂). The layer-product normalization
 *   γ_Π(θ) = min_i q_i(θ) / Π_l ‖W_l‖_F
 * is invariant to both (each layer's factor cancels its own norm), so it is reported too; for
 * balanced layers (which gradient flow preserves, Du et al. 2018) the two differ by the constant
 * L^{L/2}.
 *
 * The degree L comes from the architecture (`Model.homogeneityDegree`) and is checked
 * numerically at the current parameters: f(cθ) = c^L f(θ) for c ∈ {3, 1/3} on up to 64
 * examples, to 1e-4 relative. A model that declares no degree, or fails the check, gets
 * `normalized: null` with the reason — never a number that means nothing.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { l2Norm, parameterNorms } from './norms.ts';
import { withScope } from './operator.ts';

/** Π_l ‖W_l‖_F over the model's layers (tensors grouped by ParamSpec.layer). */
export function layerNormProduct(model: Model, params: tf.Tensor[]): number {
  const perTensor = parameterNorms(params).perLayerFrobenius;
  const squaredByLayer = new Map<number, number>();
  model.paramSpecs.forEach((spec, i) => squaredByLayer.set(spec.layer, (squaredByLayer.get(spec.layer) ?? 0) + perTensor[i] ** 2));
  return [...squaredByLayer.values()].reduce((prod, sq) => prod * Math.sqrt(sq), 1);
}

export interface HomogeneityCheck {
  /** Degree declared by the architecture (null: not homogeneous). */
  declared: number | null;
  /** log(‖f(cθ)‖/‖f(θ)‖)/log c at c = 3 (null if f(θ) = 0 on the examples). */
  measured: number | null;
  /** max over c of ‖f(cθ) − c^L f(θ)‖ / ‖c^L f(θ)‖ for the declared L (null if none declared). */
  relativeError: number | null;
  /** True when a degree is declared and the check passes. */
  verified: boolean;
}

export const homogeneityTolerance = 1e-4;

/** Check f(cθ) = c^L f(θ) numerically on (up to) the first 64 rows of x. */
export function checkHomogeneity(model: Model, params: tf.Tensor[], x: tf.Tensor, options: { scales?: number[]; tolerance?: number; examples?: number } = {}): HomogeneityCheck {
  const { scales = [3, 1 / 3], tolerance = homogeneityTolerance, examples = 64 } = options;
  const declared = model.homogeneityDegree;
  return withScope((): HomogeneityCheck => {
    const xs = x.slice(0, Math.min(examples, x.shape[0]));
    const f0 = model.apply(params, xs);
    const n0 = tf.norm(f0).dataSync()[0];
    const outputs = scales.map((c) => model.apply(params.map((p) => tf.mul(p, c)), xs));
    const n3 = tf.norm(outputs[0]).dataSync()[0];
    const measured = n0 > 0 && n3 > 0 ? Math.log(n3 / n0) / Math.log(scales[0]) : null;
    if (declared === null) return { declared, measured, relativeError: null, verified: false };
    let worst = 0;
    scales.forEach((c, k) => {
      const want = tf.mul(f0, c ** declared);
      const err = tf.norm(tf.sub(outputs[k], want)).dataSync()[0];
      const den = tf.norm(want).dataSync()[0];
      worst = Math.max(worst, den > 0 ? err / den : err);
    });
    return { declared, measured, relativeError: worst, verified: worst <= tolerance };
  });
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
  /** Whether the quantiles are of normalized (q_i/‖θ‖^L) or raw margins q_i. */
  quantilesOf: 'normalized' | 'unnormalized';
  homogeneity: HomogeneityCheck;
  /** Why `normalized` is null, when it is. */
  undefinedReason?: string;
  /** Fraction of examples with q_i > 0 (correctly classified with a strict margin). */
  fractionPositive: number;
}

/** Per-example margins q_i in chunks (memory stays bounded on large datasets). */
export function exampleMargins(model: Model, params: tf.Tensor[], x: tf.Tensor, labels: Int32Array, chunkSize = 2048): Float64Array {
  const n = x.shape[0];
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    const logits = tf.tidy(() => model.apply(params, x.slice(start, size)).dataSync());
    writeMargins(logits as Float32Array, model.outputSize, labels, start, out);
  }
  return out;
}

/** out[start + i] = q_i for the rows of `logits` ([rows, k], row i labelled labels[start + i]). */
export function writeMargins(logits: Float32Array, k: number, labels: Int32Array, start: number, out: Float64Array): void {
  const rows = logits.length / k;
  for (let i = 0; i < rows; i++) {
    const y = labels[start + i];
    let best = -Infinity;
    for (let j = 0; j < k; j++) if (j !== y) best = Math.max(best, logits[i * k + j]);
    out[start + i] = logits[i * k + y] - best;
  }
}

export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const defaultMarginQuantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

/**
 * Homogeneity is a property of the architecture: once f(cθ) = c^L f(θ) has been verified for a
 * model it holds at every θ, so a run's margin probes check it once, not at every probe.
 */
const verifiedHomogeneity = new WeakMap<Model, HomogeneityCheck>();

/**
 * `margins`: the per-example q_i when the caller already has them (evaluateClassifierWithMargins
 * computes them from the logits of the loss evaluation); otherwise they are computed here.
 */
export function normalizedMargin(model: Model, params: tf.Tensor[], x: tf.Tensor, labels: Int32Array, chunkSize?: number, margins: Float64Array = exampleMargins(model, params, x, labels, chunkSize)): MarginResult {
  const homogeneity = verifiedHomogeneity.get(model) ?? checkHomogeneity(model, params, x);
  if (homogeneity.verified) verifiedHomogeneity.set(model, homogeneity);
  const degree = homogeneity.verified ? homogeneity.declared : null;
  const scale = degree === null ? 1 : l2Norm(params) ** degree;
  const sorted = Float64Array.from(margins, (m) => m / scale).sort();
  const minUnnormalized = margins.reduce((a, b) => Math.min(a, b), Infinity);
  const undefinedReason = homogeneity.declared === null
    ? `the model (${model.architecture.kind}) is not positively homogeneous in its parameters, so min margin / ‖θ‖^L has no meaning`
    : !homogeneity.verified
      ? `the architecture declares degree ${homogeneity.declared} but f(cθ) ≠ c^${homogeneity.declared} f(θ) numerically (relative error ${homogeneity.relativeError?.toExponential(2)})`
      : undefined;
  return {
    minUnnormalized,
    normalized: degree === null ? null : sorted[0],
    homogeneityDegree: degree,
    normalizedByLayerProduct: degree === null ? null : minUnnormalized / layerNormProduct(model, params),
    quantiles: defaultMarginQuantiles.map((q) => ({ q, value: quantile(sorted, q) })),
    quantilesOf: degree === null ? 'unnormalized' : 'normalized',
    homogeneity,
    ...(undefinedReason ? { undefinedReason } : {}),
    fractionPositive: margins.reduce((s, m) => s + (m > 0 ? 1 : 0), 0) / Math.max(margins.length, 1),
  };
}
