/**
 * The diagonal linear network (Woodworth et al. 2020): f(x) = ⟨θ, x⟩ with θ = u⊙u − v⊙v,
 * u, v ∈ ℝ^p, initialised u₀ = v₀ = α·1 (so θ₀ = 0). It is 2-homogeneous in (u, v).
 *
 * Gradient flow on the squared loss reaches the interpolant minimising
 *   Q_α(θ) = α² Σ_i q(θ_i/α²),  q(z) = 2 − √(4 + z²) + z·arcsinh(z/2)
 * — mirror flow with the hyperbolic-entropy potential of scale β = α² (see
 * `minHyperbolicEntropyInterpolant` in src/reference): as α → 0 the minimum-ℓ1 interpolant
 * (the "rich" regime), as α → ∞ the minimum-ℓ2 one (the "kernel" regime).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from './types.ts';

export interface DiagonalNetworkOptions {
  inputSize: number;
  /** Initialisation scale α > 0: u₀ = v₀ = α·1. */
  alpha: number;
}

/** θ = u⊙u − v⊙v as a [p] tensor (caller owns it). */
export function diagonalNetworkWeights(params: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.square(params[0]), tf.square(params[1])).reshape([-1]) as tf.Tensor1D);
}

export function createDiagonalNetwork(options: DiagonalNetworkOptions): Model {
  const { inputSize: p, alpha } = options;
  if (!Number.isInteger(p) || p < 1) throw new Error(`diagonal network: inputSize must be a positive integer, got ${p}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`diagonal network: alpha must be a finite number > 0, got ${alpha}`);
  return {
    architecture: { kind: 'diagonal-network', inputSize: p, alpha },
    paramSpecs: [
      { name: 'diagonal/u', shape: [p], layer: 0 },
      { name: 'diagonal/v', shape: [p], layer: 0 },
    ],
    homogeneityDegree: 2,
    outputSize: 1,
    init: () => [tf.fill([p], alpha), tf.fill([p], alpha)],
    apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      return tf.tidy(() => tf.matMul(x.reshape([x.shape[0], p]) as tf.Tensor2D, diagonalNetworkWeights(params).reshape([p, 1]) as tf.Tensor2D));
    },
  };
}
