/**
 * Steepest descent with respect to a norm ‖·‖ on the whole parameter vector (Boyd &
 * Vandenberghe §9.4; Gunasekar et al. 2018):
 *   Δ_nsd = argmin { ⟨g, u⟩ : ‖u‖ ≤ 1 },      θ ← θ + η ‖g‖_* Δ_nsd     (unnormalized, default)
 *                                             θ ← θ + η Δ_nsd           (normalized: true)
 * with ‖·‖_* the dual norm (q = p/(p−1)). Closed forms:
 *   p = 2:   Δ_nsd = −g/‖g‖₂             → GD; normalized → normalized GD
 *   p = ∞:   Δ_nsd = −sign(g)            → ‖g‖₁·sign-GD; normalized → sign-GD (signSGD)
 *   p = 1:   Δ_nsd = −sign(g_i) e_i, i = argmax |g_i|  → greedy (Gauss–Southwell) coordinate
 *            descent θ_i ← θ_i − η g_i; normalized → a fixed-length step ±η on that coordinate
 *   1 < p < ∞: Δ_nsd = −sign(g)|g|^{q−1}/‖g‖_q^{q−1}
 * Ties in the ℓ1 case go to the first coordinate of largest |g_i| (parameter-list order).
 * A zero gradient gives a zero step. Stateless.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';
import { flatten, indicator, lpNorm, unflatten } from './flat.ts';

export type SteepestNorm = number; // p ≥ 1, or Infinity

export interface SteepestDescentOptions {
  /** p ≥ 1 or Infinity. */
  norm: SteepestNorm;
  normalized?: boolean;
  name?: string;
}

/** The step direction η-free: ‖g‖_* Δ_nsd (or Δ_nsd when normalized), as a flat vector. */
export function steepestDirection(g: tf.Tensor1D, p: number, normalized: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    if (p === 2) {
      if (!normalized) return tf.neg(g);
      return tf.neg(tf.div(g, tf.maximum(lpNorm(g, 2), 1e-30)));
    }
    if (p === Infinity) {
      const s = tf.neg(tf.sign(g));
      return normalized ? s : tf.mul(s, lpNorm(g, 1));
    }
    if (p === 1) {
      const mask = indicator(g.size, tf.argMax(tf.abs(g)));
      return tf.neg(tf.mul(mask, normalized ? tf.sign(g) : g));
    }
    const q = p / (p - 1);
    const gq = tf.maximum(lpNorm(g, q), 1e-30);
    // Δ_nsd = −sign(g)(|g|/‖g‖_q)^{q−1};  ‖g‖_q Δ_nsd for the unnormalized step.
    const unit = tf.neg(tf.mul(tf.sign(g), tf.pow(tf.div(tf.abs(g), gq), q - 1)));
    return (normalized ? unit : tf.mul(unit, gq)) as tf.Tensor1D;
  }) as tf.Tensor1D;
}

export function steepestDescent(options: SteepestDescentOptions): UpdateRule {
  const { norm: p, normalized = false } = options;
  if (!(p >= 1)) throw new Error(`steepest descent: norm p must be ≥ 1 or Infinity, got ${p}`);
  const pName = p === Infinity ? 'inf' : String(p);
  return {
    name: options.name ?? `steepest-descent-l${pName}${normalized ? '-normalized' : ''}`,
    initState: () => ({}),
    update: (params, grads, state, { learningRate }) => ({
      params: tf.tidy(() => {
        const step = tf.mul(steepestDirection(flatten(grads), p, normalized), learningRate);
        return unflatten(step, params).map((d, i) => tf.add(params[i], d));
      }),
      state,
    }),
  };
}

/** sign-GD (signSGD, Bernstein et al. 2018): θ ← θ − η sign(g), i.e. normalized ℓ∞ steepest descent. */
export function signDescent(): UpdateRule {
  return steepestDescent({ norm: Infinity, normalized: true, name: 'sign-gd' });
}

/** Normalized GD: θ ← θ − η g/‖g‖₂ (‖g‖₂ over all parameters). */
export function normalizedGradientDescent(): UpdateRule {
  return steepestDescent({ norm: 2, normalized: true, name: 'normalized-gd' });
}
