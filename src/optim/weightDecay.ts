/**
 * Explicit weight decay, to contrast explicit with implicit regularisation: the wrapped rule
 * sees the gradient of L(θ) + (λ/2)‖θ‖², i.e. g + λθ. With plain GD this is
 * θ ← (1 − ηλ)θ − ηg, whose fixed point on least squares is the ridge solution for λ.
 * (AdamW's *decoupled* decay is built into `adam({ decoupled: true })` instead.)
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';

export function withWeightDecay(rule: UpdateRule, lambda: number): UpdateRule {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`weight decay must be a finite number ≥ 0, got ${lambda}`);
  if (lambda === 0) return rule;
  return {
    name: `${rule.name}+wd`,
    initState: (params) => rule.initState(params),
    update: (params, grads, state, context) => {
      const decayed = tf.tidy(() => grads.map((g, i) => tf.add(g, tf.mul(params[i], lambda))));
      try {
        return rule.update(params, decayed, state, context);
      } finally {
        tf.dispose(decayed);
      }
    },
  };
}
