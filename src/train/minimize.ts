/**
 * A minimal loop for problems that are not K-class classifiers — regression, logistic
 * regression on ±1 labels, diagonal networks: any scalar objective L(θ; step) minimised by any
 * update rule. (`trainLoop` is the classifier loop with the probe suite; this is its core.)
 *
 *   for t in 0..steps−1:   g_t = ∇L(θ_t; t);   θ_{t+1}, s_{t+1} = rule.update(θ_t, g_t, s_t, η(t))
 *
 * The objective receives the step so a caller can choose a minibatch for it (see batchIndices).
 * Reading the loss back from the backend costs a synchronisation, so the loss is checked for
 * divergence (non-finite or above `divergenceLoss`) only every `checkEvery` steps and at the end.
 * `onRecord(step, params)` is called with θ after `step` updates whenever `recordAt(step)` holds
 * (step 0 = the start); the loop owns the tensors, so copy what you need.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, UpdateRule } from '../optim/types.ts';
import { gradientOf } from '../probes/hvp.ts';

export interface MinimizeOptions {
  objective: (params: tf.Tensor[], step: number) => tf.Scalar;
  rule: UpdateRule;
  /** Starting parameters; the loop takes ownership of them. */
  params: tf.Tensor[];
  /** Default: rule.initState(params). */
  state?: OptimizerState;
  steps: number;
  learningRate: number | ((step: number) => number);
  recordAt?: (step: number) => boolean;
  onRecord?: (step: number, params: tf.Tensor[]) => void;
  checkEvery?: number;
  divergenceLoss?: number;
  onProgress?: (stepsDone: number) => void;
}

export interface MinimizeResult {
  params: tf.Tensor[];
  state: OptimizerState;
  status: 'completed' | 'diverged';
  stepsDone: number;
  /** Objective at the last checked step (before its update). */
  lastLoss: number;
}

function disposeReplaced(previous: tf.Tensor[], next: tf.Tensor[]): void {
  const kept = new Set(next);
  tf.dispose(previous.filter((t) => !kept.has(t)));
}

export function minimize(options: MinimizeOptions): MinimizeResult {
  const { objective, rule, steps } = options;
  const checkEvery = options.checkEvery ?? 100;
  const limit = options.divergenceLoss ?? Infinity;
  const rate = typeof options.learningRate === 'number' ? (() => options.learningRate as number) : options.learningRate;
  let params = options.params;
  let state = options.state ?? rule.initState(params);
  let lastLoss = NaN;
  if (options.recordAt?.(0)) options.onRecord?.(0, params);
  for (let t = 0; t < steps; t++) {
    const { value, grads } = tf.tidy(() => gradientOf((p) => objective(p, t), params));
    if (t % checkEvery === 0 || t === steps - 1) {
      lastLoss = value.dataSync()[0];
      if (!Number.isFinite(lastLoss) || lastLoss > limit) {
        tf.dispose([value, ...grads]);
        return { params, state, status: 'diverged', stepsDone: t, lastLoss };
      }
    }
    value.dispose();
    const next = rule.update(params, grads, state, { step: t, learningRate: rate(t) });
    tf.dispose(grads);
    disposeReplaced(params, next.params);
    for (const slot of Object.keys(state)) disposeReplaced(state[slot], next.state[slot] ?? []);
    params = next.params;
    state = next.state;
    if (options.recordAt?.(t + 1)) options.onRecord?.(t + 1, params);
    options.onProgress?.(t + 1);
  }
  return { params, state, status: 'completed', stepsDone: steps, lastLoss };
}
