/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019). At step t = step + 1:
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   m̂ = m/(1−β₁ᵗ),   v̂ = v/(1−β₂ᵗ)
 *   Adam:   θ ← θ − η m̂/(√v̂ + ε)                       (with weight decay λ: g ← g + λθ first)
 *   AdamW:  θ ← θ − η (m̂/(√v̂ + ε) + λθ)                (decoupled weight decay)
 * The bias corrections use the step index from the update context, so a resumed run continues
 * exactly. State: `m`, `v` (one tensor per parameter each).
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** AdamW only: decoupled weight decay λ (default 0.01). Adam takes weight decay via `withWeightDecay`. */
  weightDecay?: number;
  decoupled?: boolean;
}

export function adam(options: AdamOptions = {}): UpdateRule {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const decoupled = options.decoupled ?? false;
  const weightDecay = decoupled ? options.weightDecay ?? 0.01 : 0;
  for (const [name, b] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(b >= 0 && b < 1)) throw new Error(`${name} must be in [0, 1), got ${b}`);
  }
  if (!(epsilon > 0)) throw new Error(`epsilon must be > 0, got ${epsilon}`);
  return {
    name: decoupled ? 'adamw' : 'adam',
    initState: (params) => ({ m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)) }),
    update: (params, grads, state, { step, learningRate }) => tf.tidy(() => {
      const t = step + 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const m = state.m.map((mi, i) => tf.add(tf.mul(mi, beta1), tf.mul(grads[i], 1 - beta1)));
      const v = state.v.map((vi, i) => tf.add(tf.mul(vi, beta2), tf.mul(tf.square(grads[i]), 1 - beta2)));
      const next = params.map((p, i) => {
        let direction = tf.div(tf.div(m[i], c1), tf.add(tf.sqrt(tf.div(v[i], c2)), epsilon));
        if (weightDecay > 0) direction = tf.add(direction, tf.mul(p, weightDecay));
        return tf.sub(p, tf.mul(direction, learningRate));
      });
      return { params: next, state: { m, v } };
    }),
  };
}
