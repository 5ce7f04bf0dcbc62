/**
 * A training objective L(θ) = (1/n) Σ_i ℓ_i(θ) evaluated in data chunks, so that memory stays
 * bounded whatever n is (60,000 MNIST examples included): for chunks C_1…C_m of sizes n_c,
 *   L = Σ_c (n_c/n) L_c,   ∇L = Σ_c (n_c/n) ∇L_c,   Hv = Σ_c (n_c/n) H_c v,
 * with L_c the mean loss over chunk c. Each chunk's value, gradient or HVP is computed on the
 * backend and accumulated in float64, so results do not depend on the chunk size beyond float32
 * round-off inside a chunk (tested to 1e-5 relative).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { classificationLossOf, type ClassificationLossKind } from '../train/loss.ts';
import type { TensorData } from '../train/tensorData.ts';
import { gradientOf, hessianVectorProduct, hessianVectorProductFiniteDifference, type LossFunction } from './hvp.ts';
import { flatten, layoutOf, unflatten, withScope, type HessianOperator, type HvpMethod } from './operator.ts';

export const defaultChunkSize = 1024;

export interface Objective {
  /** Number of examples the loss averages over. */
  readonly n: number;
  readonly chunkSize: number;
  /** Mean loss over examples [start, start+size) as a differentiable scalar. */
  chunkLoss(params: tf.Tensor[], start: number, size: number): tf.Scalar;
}

export function chunks(n: number, chunkSize: number): { start: number; size: number }[] {
  if (!(Number.isInteger(chunkSize) && chunkSize > 0)) throw new Error(`chunk size must be a positive integer, got ${chunkSize}`);
  const out: { start: number; size: number }[] = [];
  for (let start = 0; start < n; start += chunkSize) out.push({ start, size: Math.min(chunkSize, n - start) });
  return out;
}

/** Mean loss (softmax cross-entropy by default, or the squared loss) of a classifier over `data`, chunked. */
export function classificationObjective(model: Model, data: TensorData, chunkSize = defaultChunkSize, loss: ClassificationLossKind = 'cross-entropy'): Objective {
  const lossOf = classificationLossOf(loss);
  return {
    n: data.n,
    chunkSize,
    chunkLoss: (params, start, size) => tf.tidy(() => {
      const whole = start === 0 && size === data.n;
      const x = whole ? data.x : data.x.slice(start, size);
      const y = whole ? data.oneHot : data.oneHot.slice(start, size);
      return lossOf(model.apply(params, x), y);
    }),
  };
}

/** An unchunked loss function as an objective (one chunk). */
export function lossFunctionObjective(loss: LossFunction): Objective {
  return { n: 1, chunkSize: 1, chunkLoss: (params) => loss(params) };
}

/** L(θ), accumulated in float64 over chunks. */
export function objectiveLoss(objective: Objective, params: tf.Tensor[]): number {
  let total = 0;
  for (const { start, size } of chunks(objective.n, objective.chunkSize)) {
    const value = withScope(() => objective.chunkLoss(params, start, size).dataSync()[0]);
    total += (size / objective.n) * value;
  }
  return total;
}

/** L(θ) and ∇L(θ) (flat, float64), accumulated over chunks. */
export function objectiveGradient(objective: Objective, params: tf.Tensor[]): { loss: number; gradient: Float64Array } {
  const layout = layoutOf(params);
  const gradient = new Float64Array(layout.total);
  let loss = 0;
  for (const { start, size } of chunks(objective.n, objective.chunkSize)) {
    const w = size / objective.n;
    const { value, grads } = withScope(() => {
      const { value, grads } = gradientOf((p) => objective.chunkLoss(p, start, size), params);
      return { value: value.dataSync()[0], grads: flatten(grads) };
    });
    loss += w * value;
    for (let i = 0; i < gradient.length; i++) gradient[i] += w * grads[i];
  }
  return { loss, gradient };
}

export interface HessianOptions {
  /** 'exact' (reverse-over-reverse, default) or 'finite-difference' (smooth models only). */
  method?: 'exact' | 'finite-difference';
  /** Step of the central difference (finite-difference only). */
  epsilon?: number;
}

/** The Hessian of the objective at `params` as an operator on flat vectors. */
export function objectiveHessian(objective: Objective, params: tf.Tensor[], options: HessianOptions = {}): HessianOperator {
  const method: HvpMethod = options.method ?? 'exact';
  const layout = layoutOf(params);
  const parts = chunks(objective.n, objective.chunkSize);
  let count = 0;
  return {
    dimension: layout.total,
    method,
    get matvecs() { return count; },
    apply(x) {
      if (x.length !== layout.total) throw new Error(`HVP: vector has ${x.length} entries, the model has ${layout.total} parameters`);
      count++;
      const out = new Float64Array(layout.total);
      const v = unflatten(x, layout);
      try {
        for (const { start, size } of parts) {
          const w = size / objective.n;
          const hv = withScope(() => {
            const loss: LossFunction = (p) => objective.chunkLoss(p, start, size);
            return flatten(method === 'exact'
              ? hessianVectorProduct(loss, params, v)
              : hessianVectorProductFiniteDifference(loss, params, v, options.epsilon));
          });
          for (let i = 0; i < out.length; i++) out[i] += w * hv[i];
        }
      } finally {
        tf.dispose(v);
      }
      return out;
    },
  };
}

/** ‖∇L(θ)‖² — the implicit-gradient-regularisation term of Barrett & Dherin (2021). */
export function gradientNormSquared(objective: Objective, params: tf.Tensor[]): number {
  const { gradient } = objectiveGradient(objective, params);
  let s = 0;
  for (let i = 0; i < gradient.length; i++) s += gradient[i] * gradient[i];
  return s;
}
