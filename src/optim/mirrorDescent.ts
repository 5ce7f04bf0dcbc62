/**
 * Mirror descent with a potential ψ (Nemirovski & Yudin 1983; Beck & Teboulle 2003):
 *   ∇ψ(θ_{t+1}) = ∇ψ(θ_t) − η g_t,     i.e.  θ_{t+1} = ∇ψ*(∇ψ(θ_t) − η g_t).
 * On an interpolating loss it converges to the Bregman projection of θ₀ onto the interpolants,
 * argmin_{Xθ=y} D_ψ(θ, θ₀) (Gunasekar et al. 2018) — see src/reference/mirror.ts.
 *
 * Potentials:
 *   entropy  ψ(θ) = Σ θ_i log θ_i − θ_i on θ > 0:    θ ← θ ⊙ exp(−η g)   (exponentiated gradient,
 *            unnormalised). Needs strictly positive parameters; checked when the state is made.
 *   eg-pm    the signed EG± form: θ = w⁺ − w⁻ with w⁺ ← w⁺e^{−ηg}, w⁻ ← w⁻e^{+ηg} (Kivinen &
 *            Warmuth 1997). The product w⁺⊙w⁻ never changes, so with w⁺w⁻ = β² the pair is
 *            w± = βe^{±z}, θ = 2β sinh z, and the rule is mirror descent with the hyperbolic
 *            entropy ψ_β(θ) = Σ θ_i arcsinh(θ_i/2β) − √(θ_i² + 4β²)   (Ghai et al. 2020):
 *            θ ← 2β sinh(arcsinh(θ/2β) − η g). Any real θ; β = `scale` > 0. Small β behaves like
 *            an ℓ1 geometry, large β like ℓ2 (the diagonal-network picture, Woodworth et al. 2020,
 *            with β = α²).
 *   p-norm   ψ(θ) = ½‖θ‖_p², 1 < p ≤ 2, on the whole parameter vector:
 *            ∇ψ(θ) = sign(θ)|θ|^{p−1}‖θ‖_p^{2−p},  ∇ψ*(z) = sign(z)|z|^{q−1}‖z‖_q^{2−q}, q = p/(p−1).
 *            p = 2 is plain GD.
 * Stateless: ∇ψ(θ_t) is recomputed from θ_t, so params alone determine the run.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';
import { flatten, lpNorm, unflatten } from './flat.ts';

export type Potential =
  | { kind: 'entropy' }
  | { kind: 'eg-pm'; scale?: number }
  | { kind: 'p-norm'; p: number };

/** Which parameter values a potential is defined on. */
export function potentialDomain(potential: Potential): 'positive' | 'real' {
  return potential.kind === 'entropy' ? 'positive' : 'real';
}

/** ∇(½‖·‖_r²) on a flat vector: sign(v)|v|^{r−1}‖v‖_r^{2−r}. */
function halfSquaredNormGradient(v: tf.Tensor, r: number): tf.Tensor {
  return tf.tidy(() => {
    if (r === 2) return v.clone();
    const norm = lpNorm(v, r);
    const a = tf.abs(v);
    // (|v|/‖v‖)^{r−1}·‖v‖ — scaled so that no power under- or overflows; 0 at v = 0.
    const safe = tf.maximum(norm, 1e-30);
    return tf.mul(tf.mul(tf.sign(v), tf.pow(tf.div(a, safe), r - 1)), norm);
  });
}

export function mirrorDescent(potential: Potential): UpdateRule {
  switch (potential.kind) {
    case 'entropy':
      return {
        name: 'mirror-descent-entropy',
        initState: (params) => {
          params.forEach((p, k) => {
            const values = p.dataSync();
            const bad = values.findIndex((v) => !(v > 0));
            if (bad >= 0) {
              throw new Error(`optimizer.potential: the negative-entropy potential (exponentiated gradient) is defined only for parameters > 0, ` +
                `but parameter tensor ${k} has entry ${bad} = ${values[bad]}; start from a positive point or use the signed 'eg-pm' potential`);
            }
          });
          return {};
        },
        update: (params, grads, state, { learningRate }) => ({
          params: tf.tidy(() => params.map((p, i) => tf.mul(p, tf.exp(tf.mul(grads[i], -learningRate))))),
          state,
        }),
      };
    case 'eg-pm': {
      const beta = potential.scale ?? 1;
      if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`optimizer.potential.scale: must be a finite number > 0, got ${beta}`);
      return {
        name: 'mirror-descent-eg-pm',
        initState: () => ({}),
        update: (params, grads, state, { learningRate }) => ({
          params: tf.tidy(() => params.map((p, i) => tf.mul(tf.sinh(tf.sub(tf.asinh(tf.div(p, 2 * beta)), tf.mul(grads[i], learningRate))), 2 * beta))),
          state,
        }),
      };
    }
    case 'p-norm': {
      const p = potential.p;
      if (!(p > 1 && p <= 2)) throw new Error(`optimizer.potential.p: must be in (1, 2], got ${p}`);
      const q = p / (p - 1);
      return {
        name: `mirror-descent-p${p}`,
        initState: () => ({}),
        update: (params, grads, state, { learningRate }) => ({
          params: tf.tidy(() => {
            const z = tf.sub(halfSquaredNormGradient(flatten(params), p), tf.mul(flatten(grads), learningRate));
            return unflatten(halfSquaredNormGradient(z, q), params);
          }),
          state,
        }),
      };
    }
  }
}
