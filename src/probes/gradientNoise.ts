/**
 * Gradient norm and the SGD gradient-noise scale.
 *
 * ‖∇L‖² is the term gradient descent with step η implicitly penalises (Barrett & Dherin 2021:
 * GD follows the gradient flow of L + (η/4)‖∇L‖²).
 *
 * The simple noise scale of McCandlish, Kaplan, Amodei et al. (2018),
 *   B_simple = tr(Σ) / ‖G‖²,
 * with G = ∇L the full-batch gradient and Σ the covariance of per-example gradients g_i,
 * estimated without bias over m examples as tr(Σ) ≈ (1/(m−1)) Σ_i ‖g_i − ḡ‖². A minibatch of B
 * examples has E‖g_B − G‖² = tr(Σ)/B, so B_simple is the batch size at which gradient noise
 * and signal are comparable. Per-example gradients cost one backward pass each, so they are
 * taken on a seeded subset of `examples` (default 64) examples.
 */

import type * as tf from '@tensorflow/tfjs';
import { createRng, permutation, type Rng } from '../util/rng.ts';
import { gradientOf } from './hvp.ts';
import { objectiveGradient, type Objective } from './objective.ts';
import { flatten, withScope } from './operator.ts';

export interface GradientNoiseResult {
  gradNormSquared: number;
  /** Unbiased estimate of tr(Σ) from per-example gradients. */
  traceCovariance: number;
  simpleNoiseScale: number;
  examples: number;
}

export function gradientNoiseScale(objective: Objective, params: tf.Tensor[], options: { examples?: number; rng?: Rng } = {}): GradientNoiseResult {
  const m = Math.min(options.examples ?? 64, objective.n);
  if (m < 2) throw new Error(`the gradient-noise scale needs at least 2 examples, got ${m}`);
  const { gradient } = objectiveGradient(objective, params);
  const gradNormSquared = gradient.reduce((s, g) => s + g * g, 0);
  const indices = m === objective.n ? Int32Array.from({ length: m }, (_, i) => i) : permutation(objective.n, options.rng ?? createRng(0)).slice(0, m);
  const p = gradient.length;
  const mean = new Float64Array(p);
  const sumSq = { value: 0 };
  for (const i of indices) {
    const g = withScope(() => flatten(gradientOf((ps) => objective.chunkLoss(ps, i, 1), params).grads));
    for (let j = 0; j < p; j++) { mean[j] += g[j]; sumSq.value += g[j] * g[j]; }
  }
  let meanSq = 0;
  for (let j = 0; j < p; j++) { mean[j] /= m; meanSq += mean[j] * mean[j]; }
  // Σ‖g_i − ḡ‖² = Σ‖g_i‖² − m‖ḡ‖².
  const traceCovariance = Math.max(0, (sumSq.value - m * meanSq) / (m - 1));
  return { gradNormSquared, traceCovariance, simpleNoiseScale: traceCovariance / gradNormSquared, examples: m };
}
