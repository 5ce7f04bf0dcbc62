/**
 * Heavy-ball momentum (Polyak 1964) and Nesterov's accelerated gradient, in the "velocity
 * accumulates gradients" form used by PyTorch's SGD:
 *   heavy ball:  v ← βv + g,   θ ← θ − η v
 *   Nesterov:    v ← βv + g,   θ ← θ − η (g + βv)      (look-ahead rewritten at the current point)
 * with v₀ = 0. State: `velocity` (one tensor per parameter).
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';
import { scaledAdd } from '../backend/native/scaledAdd.ts';

export interface MomentumOptions {
  /** β ∈ [0, 1), default 0.9. */
  momentum?: number;
  nesterov?: boolean;
}

export function momentumDescent(options: MomentumOptions = {}): UpdateRule {
  const beta = options.momentum ?? 0.9;
  const nesterov = options.nesterov ?? false;
  if (!(beta >= 0 && beta < 1)) throw new Error(`momentum must be in [0, 1), got ${beta}`);
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    initState: (params) => ({ velocity: params.map((p) => tf.zerosLike(p)) }),
    update: (params, grads, state, { learningRate }) => tf.tidy(() => {
      // scaledAdd(x, y, α) = x + α·y, fused on `native` and bit-identical to the Mul + Add elsewhere.
      const velocity = state.velocity.map((v, i) => scaledAdd(grads[i], v, beta));
      const next = params.map((p, i) => {
        const direction = nesterov ? scaledAdd(grads[i], velocity[i], beta) : velocity[i];
        return scaledAdd(p, direction, -learningRate);
      });
      return { params: next, state: { velocity } };
    }),
  };
}
