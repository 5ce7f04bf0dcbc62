/**
 * The training loop: one readable path from parameters to probes.
 *
 *   for t in start..steps−1:
 *     B_t  = batchIndices(seed, t)                       (full set for GD)
 *     g_t  = ∇ L_{B_t}(θ_t)
 *     if L_{B_t}(θ_t) is non-finite or > divergenceLoss → stop, status 'diverged' at step t
 *     θ_{t+1}, s_{t+1} = rule.update(θ_t, g_t, s_t, η(t))
 *     every `probeEvery` steps (and at the end): record probes of θ_{t+1}
 *     every `sharpness.every` steps: record λ_max (Lanczos, warm-started), loss and ‖∇L‖²
 *
 * Probes are taken *after* step t's update and labelled with the number of steps done, so the
 * record at step 0 describes the initialisation. The last record of a run always carries the
 * curvature probes, including when `stopWhen` ends it between two curvature probes. A diverged
 * run gets one more record at the divergence step (cheap probes of θ_t, `diverged: true`), so
 * records and figures show where, and at what loss, it diverged.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import type { OptimizerState, UpdateRule } from '../optim/types.ts';
import { gradientOf } from '../probes/hvp.ts';
import { runProbes, type ProbeOptions, type ProbeRecord } from '../probes/probeSuite.ts';
import { evaluateClassifier } from '../probes/evaluate.ts';
import { modelForProbes } from '../probes/inferenceMode.ts';
import { classificationObjective, objectiveGradient, objectiveHessian } from '../probes/objective.ts';
import { createSharpnessTracker } from '../probes/sharpnessTracker.ts';
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
  /** Test-set evaluation only every this many steps, at curvature probes and at the ends. */
  testEvery?: number;
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
  /**
   * Sharpness tracking: every `every` steps, λ_max of the loss on the curvature data by Lanczos
   * warm-started from the previous top eigenvector, with the training loss and ‖∇L‖². Full
   * probes then take their λ_max from the tracker too (instead of a cold start).
   */
  sharpness?: { every: number; tol?: number; maxIterations?: number };
}

/** Where a run's time went: training steps against sharpness tracking. */
export interface TrainLoopTimings {
  steps: number;
  stepSeconds: number;
  sharpnessMeasurements: number;
  sharpnessSeconds: number;
  sharpnessIterations: number;
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
  timings: TrainLoopTimings;
}

function disposeReplaced(previous: tf.Tensor[], next: tf.Tensor[]): void {
  const kept = new Set(next);
  tf.dispose(previous.filter((t) => !kept.has(t)));
}

export function trainLoop(options: TrainLoopOptions): TrainLoopResult {
  const steps = trainLoopSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Where the loop stands after a step: what a caller needs to checkpoint and stop there. */
export interface TrainLoopPosition { step: number; params: tf.Tensor[]; state: OptimizerState }

/**
 * The same loop, pausing after every step: a caller that drives it can yield to the event loop
 * (so signals are seen) and stop between steps — `return()` it and the position's tensors are the
 * caller's to save and dispose.
 */
export function* trainLoopSteps(options: TrainLoopOptions): Generator<TrainLoopPosition, TrainLoopResult, void> {
  const { model, rule, data, steps, batchSize, seed } = options;
  const lossOf = classificationLossOf(options.probes.loss);
  let params = options.start.params;
  let state = options.start.state;
  let lastProbe: ProbeRecord | undefined;
  const timings: TrainLoopTimings = { steps: 0, stepSeconds: 0, sharpnessMeasurements: 0, sharpnessSeconds: 0, sharpnessIterations: 0 };
  const tracking = options.sharpness;
  const tracker = tracking ? createSharpnessTracker({ seed: derivedSeed(seed, 'sharpness'), tol: tracking.tol, maxIterations: tracking.maxIterations }) : null;
  const learningRateAtProbe = (step: number) => options.learningRate(Math.min(step, Math.max(steps - 1, 0)));
  /** λ_max by the warm-started tracker, as record fields. */
  const trackedSharpness = (step: number): Partial<ProbeRecord> => {
    const probed = modelForProbes(model, params, data.train.x);
    try {
      const sample = tracker!.measure(objectiveHessian(classificationObjective(probed.model, data.curvature, options.probes.chunkSize, options.probes.loss), params), step);
      timings.sharpnessMeasurements++;
      timings.sharpnessSeconds += sample.seconds;
      timings.sharpnessIterations += sample.iterations;
      return {
        sharpness: sample.sharpness, sharpnessIterations: sample.iterations, sharpnessResidual: sample.relativeResidual,
        sharpnessMethod: sample.warmStart ? 'lanczos-warm' : 'lanczos', stabilityThreshold: 2 / learningRateAtProbe(step),
        curvatureData: data.curvature === data.train ? 'train' : 'train-subset', curvatureExamples: data.curvature.n,
      };
    } finally {
      probed.dispose();
    }
  };
  const probeRecord = (step: number, curvature: boolean): ProbeRecord => {
    const withTest = curvature || options.testEvery === undefined || step % options.testEvery === 0;
    const record = runProbes(model, params, { ...data, ...(withTest ? {} : { test: undefined }), init: options.init }, {
      ...options.probes,
      ...(curvature ? {} : { trace: false as const }),
      ...(curvature && !tracker ? {} : { eig: false as const }),
      seed: derivedSeed(seed, 'hutchinson', step),
      learningRate: learningRateAtProbe(step),
    }, step);
    const trackingDue = tracking !== undefined && step % tracking.every === 0;
    return tracker && (curvature || trackingDue) ? { ...record, ...trackedSharpness(step) } : record;
  };
  // Curvature probes cost tens of training steps per Hessian-vector product, so they may run on
  // a sparser schedule than the cheap ones.
  const curvatureDue = (step: number) => options.curvatureEvery === undefined || step % options.curvatureEvery === 0 || step === 0 || step === steps;
  const emit = (record: ProbeRecord) => { lastProbe = record; options.onProbe?.(record); };
  /** A light record between full probes: loss and accuracy, λ_max (tracked) and ‖∇L‖² over the training set. */
  const trackingRecord = (step: number): ProbeRecord => {
    const probed = modelForProbes(model, params, data.train.x);
    try {
      const train = evaluateClassifier(probed.model, params, data.train.x, data.train.oneHot, data.train.labels, undefined, options.probes.loss, probed.statisticsDataLogits);
      const { gradient } = objectiveGradient(classificationObjective(probed.model, data.train, options.probes.chunkSize, options.probes.loss), params);
      return { step, tracking: true, trainLoss: train.loss, trainAccuracy: train.accuracy, gradNormSquared: gradient.reduce((a, g) => a + g * g, 0), ...trackedSharpness(step) };
    } finally {
      probed.dispose();
    }
  };
  if (options.start.step === 0) emit(probeRecord(0, true));
  for (let t = options.start.step; t < steps; t++) {
    const t0 = performance.now();
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
      if (t > (lastProbe?.step ?? -1)) {
        emit({ ...probeRecord(t, false), diverged: true, ...(indices ? { batchLoss: lossValue } : {}) });
      }
      return { params, state, status: 'diverged', stepsDone: t, divergedAtStep: t, divergedLoss: lossValue, lastProbe, timings };
    }
    const next = rule.update(params, grads, state, { step: t, learningRate: options.learningRate(t) });
    tf.dispose(grads);
    disposeReplaced(params, next.params);
    for (const slot of Object.keys(state)) disposeReplaced(state[slot], next.state[slot] ?? []);
    params = next.params;
    state = next.state;
    timings.steps++;
    timings.stepSeconds += (performance.now() - t0) / 1000;
    options.onStep?.(t + 1, lossValue);
    const done = t + 1;
    if (done % options.probeEvery === 0 || done === steps) {
      const record = probeRecord(done, curvatureDue(done));
      const stop = done < steps && options.stopWhen?.(record) === true;
      // The last record of a run always carries the curvature probes.
      emit(stop && !curvatureDue(done) ? probeRecord(done, true) : record);
      if (stop) return { params, state, status: 'completed', stepsDone: done, lastProbe, stoppedEarly: true, timings };
    } else if (tracking && done % tracking.every === 0) {
      emit(trackingRecord(done));
    }
    if (options.checkpointEvery && options.onCheckpoint && done % options.checkpointEvery === 0 && done < steps) {
      options.onCheckpoint(done, params, state);
    }
    yield { step: t + 1, params, state };
  }
  return { params, state, status: 'completed', stepsDone: steps, lastProbe, timings };
}
