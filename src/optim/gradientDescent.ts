/**
 * Plain gradient descent, θ ← θ − η ∇L(θ). Full-batch GD and minibatch SGD share this rule; what
 * differs is which examples the gradient is taken over, which the training loop decides.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';
import { scaledAdd } from '../backend/native/scaledAdd.ts';

export function gradientDescent(): UpdateRule {
  return {
    name: 'gd',
    initState: () => ({}),
    update: (params, grads, state, { learningRate }) => ({
      // θ + (−η)·g: one fused kernel on `native`, bit-identical to tf.sub(θ, tf.mul(g, η)) everywhere.
      params: tf.tidy(() => params.map((p, i) => scaledAdd(p, grads[i], -learningRate))),
      state,
    }),
  };
}
