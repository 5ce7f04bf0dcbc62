/**
 * The centred, scaled model of Chizat, Oyallon & Bach (2019, "On lazy training in differentiable
 * programming", §2 and §3): for a base model f and its initialisation θ₀,
 *   f_α(x; θ) = α·(f(x; θ) − f(x; θ₀)),   trained on the loss (1/α²)·L(f_α).
 * Centring makes the initial function zero whatever α; the 1/α² loss scale keeps the function-
 * space dynamics at first order independent of α (a GD step moves θ by (η/α)J₀ᵀ∇L and f_α by
 * ηJ₀J₀ᵀ∇L). As α → ∞ training becomes lazy: θ − θ₀ = O(1/α), the model stays within O(1/α) of
 * its linearisation at θ₀, and the trained predictor tends to kernel regression with the initial
 * tangent kernel of f_α (α² times that of f). Small α is the rich, feature-learning side.
 *
 * The model stays a pure function of θ: θ₀ is frozen, non-trainable model state (the base
 * model's `apply` on the stored initial tensors), saved with checkpoints (`initial-params.bin`)
 * so that a checkpoint is a complete description. `init` returns copies of θ₀ — the lazy model's
 * initialisation is its centre. The loss scale is applied by `withLossScale` (src/optim), not
 * here: a model only maps parameters to outputs.
 *
 * Batch-norm bases are rejected: with batch statistics f(x; θ₀) would depend on the batch x is
 * evaluated with, and the centring would not cancel per example.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from './types.ts';
import { hasBatchNormInference } from './batchNormState.ts';

export interface LazyModel extends Model {
  architecture: { kind: 'lazy'; scale: number; base: Model['architecture'] };
  base: Model;
  /** θ₀ (owned by the lazy model). */
  initialParams: tf.Tensor[];
  scale: number;
  dispose(): void;
}

export function isLazyModel(model: Model): model is LazyModel {
  return model.architecture.kind === 'lazy' && Array.isArray((model as LazyModel).initialParams);
}

/** Wraps `base` around θ₀ = `initial` (the lazy model takes ownership of those tensors). */
export function createLazyModel(base: Model, initial: tf.Tensor[], scale: number): LazyModel {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`lazy model: scale α must be a finite number > 0, got ${scale}`);
  if (hasBatchNormInference(base) && base.batchNormLayers > 0) {
    throw new Error('lazy model: a base model with batch normalisation is not supported (f(x; θ₀) would depend on the batch)');
  }
  if (initial.length !== base.paramSpecs.length) throw new Error(`lazy model: ${initial.length} initial tensors, the base model has ${base.paramSpecs.length}`);
  base.paramSpecs.forEach((spec, i) => {
    if (initial[i].shape.join(',') !== spec.shape.join(',')) throw new Error(`lazy model: initial '${spec.name}' has shape [${initial[i].shape}], expected [${spec.shape}]`);
  });
  return {
    architecture: { kind: 'lazy', scale, base: base.architecture },
    paramSpecs: base.paramSpecs,
    homogeneityDegree: null,
    outputSize: base.outputSize,
    base,
    initialParams: initial,
    scale,
    init: () => initial.map((t) => t.clone()),
    apply: (params, x) => tf.tidy(() => {
      // θ₀ is a constant: if a caller passes the centre tensors themselves as θ, differentiating
      // would also flow through f(x; θ₀) and give a zero Jacobian, so use value copies off the tape.
      const centre = initial.map((t, i) => (params[i] === t ? tf.tensor(t.dataSync(), t.shape, t.dtype) : t));
      return tf.mul(scale, tf.sub(base.apply(params, x), base.apply(centre, x))) as tf.Tensor2D;
    }),
    dispose: () => tf.dispose(initial),
  };
}
