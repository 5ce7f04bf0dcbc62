/**
 * Implicit gradient regularisation (Barrett & Dherin 2021): by backward error analysis, GD with
 * step η follows, to O(η²) per unit time, the gradient flow of the modified loss
 *   L̃(θ) = L(θ) + (η/4)·‖∇L(θ)‖²,
 * whose gradient is ∇L̃ = ∇L + (η/4)·∇‖∇L‖² = ∇L + (η/2)·H∇L, with H the Hessian of L. The
 * Hessian-vector product H∇L is exact (reverse-over-reverse, Pearlmutter 1994), not a
 * difference of gradients.
 */
import type * as tf from '@tensorflow/tfjs';
import { objectiveGradient, objectiveHessian, type Objective } from './objective.ts';

/** L̃ = L + (η/4)‖∇L‖², in float64. */
export function modifiedLoss(objective: Objective, params: tf.Tensor[], eta: number): number {
  const { loss, gradient } = objectiveGradient(objective, params);
  let sq = 0;
  for (let i = 0; i < gradient.length; i++) sq += gradient[i] * gradient[i];
  return loss + (eta / 4) * sq;
}

/** ∇L̃ = ∇L + (η/2)·H∇L (flat, float64), with L and ∇L. */
export function modifiedLossGradient(objective: Objective, params: tf.Tensor[], eta: number): { loss: number; gradient: Float64Array; modifiedGradient: Float64Array } {
  const { loss, gradient } = objectiveGradient(objective, params);
  const hg = objectiveHessian(objective, params).apply(gradient);
  const modifiedGradient = new Float64Array(gradient.length);
  for (let i = 0; i < gradient.length; i++) modifiedGradient[i] = gradient[i] + (eta / 2) * hg[i];
  return { loss, gradient, modifiedGradient };
}
