/**
 * Plain gradient descent, θ ← θ − η ∇L(θ). Full-batch GD and minibatch SGD share this rule; what
 * differs is which examples the gradient is taken over, which the training loop decides.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';

export function gradientDescent(): UpdateRule {
  return {
    name: 'gd',
    initState: () => ({}),
    update: (params, grads, state, { learningRate }) => ({
      params: tf.tidy(() => params.map((p, i) => tf.sub(p, tf.mul(grads[i], learningRate)))),
      state,
    }),
  };
}
