/**
 * Scales the objective an update rule descends: the wrapped rule sees the gradient of s·L, i.e.
 * s·g. Used for the lazy model's 1/α² loss (Chizat, Oyallon & Bach 2019), where it must act on
 * the loss, not the step size: scale-invariant rules (Adam, sign-GD, normalized GD) would undo a
 * step-size change, and explicit weight decay, applied inside the wrapped rule, must stay
 * unscaled (the rule then sees ∇[s·L + (λ/2)‖θ‖²]).
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';

export function withLossScale(rule: UpdateRule, scale: number): UpdateRule {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`loss scale must be a finite number > 0, got ${scale}`);
  if (scale === 1) return rule;
  return {
    name: `${rule.name}×${scale}L`,
    initState: (params) => rule.initState(params),
    update: (params, grads, state, context) => {
      const scaled = tf.tidy(() => grads.map((g) => tf.mul(g, scale)));
      try {
        return rule.update(params, scaled, state, context);
      } finally {
        tf.dispose(scaled);
      }
    },
  };
}
