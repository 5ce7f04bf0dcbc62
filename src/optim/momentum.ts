/**
 * Heavy-ball momentum (Polyak 1964) in the "velocity accumulates gradients" form of PyTorch's SGD
 * (used by Zhang et al. 2017 with β = 0.9):
 *   g' = g + λθ            (optional coupled weight decay λ, the gradient of L + (λ/2)‖θ‖²)
 *   v ← βv + g',  θ ← θ − η v                     heavy ball
 *   v ← βv + g',  θ ← θ − η (g' + βv)             Nesterov (look-ahead at the current point)
 * with v₀ = 0. State slot: `velocity` (one tensor per parameter), so runs resume exactly.
 * Minimal on purpose: the optimiser suite (branch `optim`) supersedes it on merge.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';

export interface HeavyBallOptions {
  /** β ∈ [0, 1), default 0.9. */
  momentum?: number;
  nesterov?: boolean;
  /** Coupled L2 weight decay λ ≥ 0, default 0. */
  weightDecay?: number;
}

export function heavyBallMomentum(options: HeavyBallOptions = {}): UpdateRule {
  const beta = options.momentum ?? 0.9;
  const nesterov = options.nesterov ?? false;
  const lambda = options.weightDecay ?? 0;
  if (!(beta >= 0 && beta < 1)) throw new Error(`momentum must be in [0, 1), got ${beta}`);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`weight decay must be a finite number ≥ 0, got ${lambda}`);
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    initState: (params) => ({ velocity: params.map((p) => tf.zerosLike(p)) }),
    update: (params, grads, state, { learningRate }) => tf.tidy(() => {
      const g = lambda > 0 ? grads.map((gi, i) => tf.add(gi, tf.mul(params[i], lambda))) : grads;
      const velocity = state.velocity.map((v, i) => tf.add(tf.mul(v, beta), g[i]));
      const next = params.map((p, i) => tf.sub(p, tf.mul(nesterov ? tf.add(g[i], tf.mul(velocity[i], beta)) : velocity[i], learningRate)));
      return { params: next, state: { velocity } };
    }),
  };
}
