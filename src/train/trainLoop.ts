/**
 * The training loop: one readable path from parameters to probes.
 *
 *   for t in start..steps−1:
 *     B_t  = batchIndices(seed, t)                       (full set for GD)
 *     g_t  = ∇ L_{B_t}(θ_t)
 *     if L_{B_t}(θ_t) is non-finite or > divergenceLoss → stop, status 'diverged' at step t
 *     θ_{t+1}, s_{t+1} = rule.update(θ_t, g_t, s_t, η(t))
 *     every `probeEvery` steps (and at the end): record probes of θ_{t+1}
 *
 * Probes are taken *after* step t's update and labelled with the number of steps done, so the
 * record at step 0 describes the initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import type { OptimizerState, UpdateRule } from '../optim/types.ts';
import { gradientOf } from '../probes/hvp.ts';
import { runProbes, type ProbeOptions, type ProbeRecord } from '../probes/probeSuite.ts';
import { classificationLossOf } from './loss.ts';
import { batchIndices, derivedSeed } from './batches.ts';
import type { TensorData } from './tensorData.ts';

export interface TrainLoopOptions {
  model: Model;
  rule: UpdateRule;
  data: { train: TensorData; test?: TensorData; curvature: TensorData };
  /** Initial parameters, for the distance-from-initialisation probe (not owned by the loop). */
  init?: tf.Tensor[];
  steps: number;
  /** null = full batch (GD). */
  batchSize: number | null;
  withReplacement: boolean;
  learningRate: (step: number) => number;
  seed: number;
  probeEvery: number;
  /** Curvature probes (trace, eigenvalues) only every this many steps (and at the ends). */
  curvatureEvery?: number;
  probes: Omit<ProbeOptions, 'seed' | 'learningRate'>;
  divergenceLoss: number;
  /** Starting point; the loop takes ownership of these tensors. */
  start: { params: tf.Tensor[]; state: OptimizerState; step: number };
  onProbe?: (record: ProbeRecord) => void;
  onStep?: (step: number, loss: number) => void;
  /** Checked after every probe; true ends training there (status 'completed', stoppedEarly). */
  stopWhen?: (record: ProbeRecord) => boolean;
  checkpointEvery?: number;
  onCheckpoint?: (step: number, params: tf.Tensor[], state: OptimizerState) => void;
}

export interface TrainLoopResult {
  params: tf.Tensor[];
  state: OptimizerState;
  status: 'completed' | 'diverged';
  stepsDone: number;
  divergedAtStep?: number;
  divergedLoss?: number;
  lastProbe?: ProbeRecord;
  /** True when `stopWhen` ended training before `steps`. */
  stoppedEarly?: boolean;
}

function disposeReplaced(previous: tf.Tensor[], next: tf.Tensor[]): void {
  const kept = new Set(next);
  tf.dispose(previous.filter((t) => !kept.has(t)));
}

export function trainLoop(options: TrainLoopOptions): TrainLoopResult {
  const { model, rule, data, steps, batchSize, seed } = options;
  const lossOf = classificationLossOf(options.probes.loss);
  let params = options.start.params;
  let state = options.start.state;
  let lastProbe: ProbeRecord | undefined;
  const probe = (step: number) => {
    // Curvature probes cost tens of training steps per Hessian-vector product, so they may run on
    // a sparser schedule than the cheap ones.
    const curvatureDue = options.curvatureEvery === undefined || step % options.curvatureEvery === 0 || step === 0 || step === steps;
    lastProbe = runProbes(model, params, { ...data, init: options.init }, {
      ...options.probes,
      ...(curvatureDue ? {} : { trace: false as const, eig: false as const }),
      seed: derivedSeed(seed, 'hutchinson', step),
      learningRate: options.learningRate(Math.min(step, Math.max(steps - 1, 0))),
    }, step);
    options.onProbe?.(lastProbe);
  };
  if (options.start.step === 0) probe(0);
  for (let t = options.start.step; t < steps; t++) {
    const indices = batchSize === null ? null : batchIndices(data.train.n, batchSize, t, seed, options.withReplacement);
    const { loss, grads } = tf.tidy(() => {
      let x = data.train.x;
      let y = data.train.oneHot;
      if (indices) {
        const index = tf.tensor1d(indices, 'int32');
        x = tf.gather(x, index);
        y = tf.gather(y, index);
      }
      const { value, grads } = gradientOf((p) => lossOf(model.apply(p, x), y), params);
      return { loss: value, grads };
    });
    const lossValue = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(lossValue) || lossValue > options.divergenceLoss) {
      tf.dispose(grads);
      return { params, state, status: 'diverged', stepsDone: t, divergedAtStep: t, divergedLoss: lossValue, lastProbe };
    }
    const next = rule.update(params, grads, state, { step: t, learningRate: options.learningRate(t) });
    tf.dispose(grads);
    disposeReplaced(params, next.params);
    for (const slot of Object.keys(state)) disposeReplaced(state[slot], next.state[slot] ?? []);
    params = next.params;
    state = next.state;
    options.onStep?.(t + 1, lossValue);
    if ((t + 1) % options.probeEvery === 0 || t + 1 === steps) {
      probe(t + 1);
      if (t + 1 < steps && options.stopWhen?.(lastProbe!)) {
        return { params, state, status: 'completed', stepsDone: t + 1, lastProbe, stoppedEarly: true };
      }
    }
    if (options.checkpointEvery && options.onCheckpoint && (t + 1) % options.checkpointEvery === 0 && t + 1 < steps) {
      options.onCheckpoint(t + 1, params, state);
    }
  }
  return { params, state, status: 'completed', stepsDone: steps, lastProbe };
}
