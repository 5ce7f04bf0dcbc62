/**
 * trainLoop against a float64 re-implementation of full-batch GD on softmax regression
 * (logits xW, mean cross-entropy), whose loss, gradient and Hessian have closed forms:
 *   ∇L = Xᵀ(P − Y)/n,   H_(j,k),(j',k') = (1/n) Σ_i x_ij x_ij' (p_ik δ_kk' − p_ik p_ik').
 * The loop's step losses, probe records, sharpness tracking, divergence, checkpoints and resume
 * schedule are each compared with it or with the schedule worked by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { gradientDescent } from '../../src/optim/gradientDescent.ts';
import { trainLoop, trainLoopSteps, type TrainLoopOptions } from '../../src/train/trainLoop.ts';
import { toTensorData, disposeTensorData, type TensorData } from '../../src/train/tensorData.ts';
import type { ProbeRecord } from '../../src/probes/probeSuite.ts';
import { seededValues } from '../helpers/float64.ts';
import { batchIndices } from '../../src/train/batches.ts';
import type { UpdateRule } from '../../src/optim/types.ts';

beforeAll(async () => { await setupBackend(); });

const n = 12;
const d = 4;
const K = 3;
const xs = Array.from(seededValues(n * d, 5), (v) => Math.fround(v));
const labels = Array.from({ length: n }, (_, i) => (i * 7) % K);
const W0 = Array.from(seededValues(d * K, 6), (v) => Math.fround(0.5 * v));

function makeData(): TensorData {
  return toTensorData({ name: 'softmax-regression', n, featureShape: [d], numClasses: K, x: Float32Array.from(xs), y: Int32Array.from(labels) });
}

/** Float64 loss, gradient and Hessian λ_max of mean cross-entropy at W (d × K row-major). */
function reference(W: number[], batch: ArrayLike<number> = Array.from({ length: n }, (_, i) => i)) {
  const size = batch.length;
  const grad = new Array<number>(d * K).fill(0);
  const H = Array.from({ length: d * K }, () => new Array<number>(d * K).fill(0));
  let loss = 0;
  for (const i of Array.from(batch)) {
    const x = xs.slice(i * d, i * d + d);
    const z = Array.from({ length: K }, (_, k) => x.reduce((s, v, j) => s + v * W[j * K + k], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / total);
    loss += -Math.log(p[labels[i]]) / size;
    for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) grad[j * K + k] += (x[j] * (p[k] - (k === labels[i] ? 1 : 0))) / size;
    for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) for (let j2 = 0; j2 < d; j2++) for (let k2 = 0; k2 < K; k2++) {
      H[j * K + k][j2 * K + k2] += (x[j] * x[j2] * (p[k] * (k === k2 ? 1 : 0) - p[k] * p[k2])) / size;
    }
  }
  const sharpness = Math.max(...new EigenvalueDecomposition(new Matrix(H), { assumeSymmetric: true }).realEigenvalues);
  return { loss, grad, gradNormSquared: grad.reduce((a, g) => a + g * g, 0), sharpness };
}

/** θ_t of float64 GD with rate η(t), t = 0..steps. */
function gdPath(steps: number, eta: (t: number) => number): number[][] {
  const path = [W0.slice()];
  for (let t = 0; t < steps; t++) {
    const { grad } = reference(path[t]);
    path.push(path[t].map((w, j) => w - eta(t) * grad[j]));
  }
  return path;
}

function baseOptions(data: TensorData, overrides: Partial<TrainLoopOptions>): TrainLoopOptions {
  const model = createMlp({ widths: [d, K] });
  const rule = gradientDescent();
  // Allocate the starting point only when the caller does not bring one (no stray tensors).
  const start = overrides.start ?? (() => { const params = [tf.tensor2d(W0, [d, K])]; return { params, state: rule.initState(params), step: 0 }; })();
  return {
    model, rule, data: { train: data, curvature: data }, steps: 6, batchSize: null, withReplacement: false,
    learningRate: () => 0.5, seed: 3, probeEvery: 1, probes: { trace: false, margin: false, norms: false },
    divergenceLoss: 1e4, ...overrides, start,
  };
}

describe('trainLoop against float64 GD on softmax regression', () => {
  it('step losses, records, learning-rate schedule and timings follow GD', () => {
    const data = makeData();
    const eta = (t: number) => 0.3 + 0.1 * t;
    const path = gdPath(6, eta);
    const records: ProbeRecord[] = [];
    const stepLosses: [number, number][] = [];
    const wallStart = performance.now();
    const result = trainLoop(baseOptions(data, { learningRate: eta, onProbe: (r) => records.push(r), onStep: (s, l) => stepLosses.push([s, l]) }));
    const wallSeconds = (performance.now() - wallStart) / 1000;
    expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    records.forEach((r, t) => expect(r.trainLoss).toBeCloseTo(reference(path[t]).loss, 5));
    // onStep(t + 1, L(θ_t)): the loss of the batch the step was taken on, before the update.
    expect(stepLosses.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6]);
    stepLosses.forEach(([s, l]) => expect(l).toBeCloseTo(reference(path[s - 1]).loss, 5));
    const W = Array.from(result.params[0].dataSync());
    W.forEach((w, j) => expect(w).toBeCloseTo(path[6][j], 5));
    expect(result.status).toBe('completed');
    expect(result.stepsDone).toBe(6);
    expect(result.lastProbe).toBe(records.at(-1));
    expect(result.timings.steps).toBe(6);
    // Seconds of step time, a part of the loop's own wall time.
    expect(result.timings.stepSeconds).toBeGreaterThan(0);
    expect(result.timings.stepSeconds).toBeLessThanOrEqual(wallSeconds);
    expect(result.timings.sharpnessMeasurements).toBe(0);
    tf.dispose(result.params);
    disposeTensorData(data);
  });

  it('sharpness tracking: λ_max and ‖∇L‖² of θ_t, 2/η at the step, light records between full probes', () => {
    const data = makeData();
    const eta = (t: number) => 0.5 + 0.1 * t;
    const steps = 8;
    const path = gdPath(steps, eta);
    const records: ProbeRecord[] = [];
    const wallStart = performance.now();
    const result = trainLoop(baseOptions(data, {
      steps, learningRate: eta, probeEvery: 4, sharpness: { every: 2, tol: 1e-8, maxIterations: 30 }, onProbe: (r) => records.push(r),
    }));
    const wallSeconds = (performance.now() - wallStart) / 1000;
    expect(records.map((r) => [r.step, r.tracking === true])).toEqual([[0, false], [2, true], [4, false], [6, true], [8, false]]);
    for (const r of records) {
      const ref = reference(path[r.step]);
      expect(r.sharpness! / ref.sharpness).toBeCloseTo(1, 4);
      expect(r.trainLoss).toBeCloseTo(ref.loss, 5);
      // The threshold uses η at the step, capped at the last step taken (η(steps − 1) at the end).
      expect(r.stabilityThreshold).toBeCloseTo(2 / eta(Math.min(r.step, steps - 1)), 10);
      expect(r.curvatureData).toBe('train');
      expect(r.curvatureExamples).toBe(n);
      expect(r.sharpnessIterations).toBeGreaterThan(0);
      expect(r.sharpnessResidual).toBeLessThan(1e-4);
      if (r.tracking) {
        expect(r.gradNormSquared! / ref.gradNormSquared).toBeCloseTo(1, 4);
        expect(r.trainAccuracy).toBeGreaterThanOrEqual(0);
      }
    }
    // The first measurement starts cold; every later one is warm-started from the previous vector.
    expect(records.map((r) => r.sharpnessMethod)).toEqual(['lanczos', 'lanczos-warm', 'lanczos-warm', 'lanczos-warm', 'lanczos-warm']);
    expect(result.timings.sharpnessMeasurements).toBe(5);
    expect(result.timings.sharpnessIterations).toBe(records.reduce((a, r) => a + r.sharpnessIterations!, 0));
    expect(result.timings.sharpnessSeconds).toBeGreaterThan(0);
    expect(result.timings.sharpnessSeconds).toBeLessThanOrEqual(wallSeconds);
    tf.dispose(result.params);
    disposeTensorData(data);
  });

  it('divergence: stops at the first step whose loss exceeds the limit, with one extra record unless one exists', () => {
    const data = makeData();
    // Find the first GD step whose float64 loss exceeds the limit with a huge step size.
    const eta = () => 200;
    const path = gdPath(6, eta);
    const losses = path.map((W) => reference(W).loss);
    const limit = 1.5;
    const first = losses.findIndex((l) => l > limit);
    expect(first).toBeGreaterThan(0); // the initial loss is below the limit
    for (const probeEvery of [1, 100]) {
      const records: ProbeRecord[] = [];
      const stepLosses: number[] = [];
      const r = trainLoop(baseOptions(data, { learningRate: eta, divergenceLoss: limit, probeEvery, onProbe: (x) => records.push(x), onStep: (_, l) => stepLosses.push(l) }));
      expect(r.status).toBe('diverged');
      expect(r.stepsDone).toBe(first);
      expect(r.divergedAtStep).toBe(first);
      expect(r.divergedLoss).toBeCloseTo(losses[first], 3);
      expect(stepLosses).toHaveLength(first);
      expect(r.lastProbe).toBe(records.at(-1));
      expect(r.timings.steps).toBe(first);
      if (probeEvery === 1) {
        // Step `first` already has its record (after step first − 1): no second one.
        expect(records.map((x) => x.step)).toEqual(Array.from({ length: first + 1 }, (_, t) => t));
        expect(records.some((x) => x.diverged)).toBe(false);
      } else {
        expect(records.map((x) => [x.step, x.diverged ?? false])).toEqual([[0, false], [first, true]]);
        // Full batch: the training loss is the loss that diverged, so no separate batch loss.
        expect(records[1].trainLoss).toBeCloseTo(losses[first], 3);
        expect(records[1].batchLoss).toBeUndefined();
      }
      tf.dispose(r.params);
    }
    // A minibatch run records the batch loss that triggered divergence.
    const records: ProbeRecord[] = [];
    const r = trainLoop(baseOptions(data, { learningRate: eta, divergenceLoss: limit, probeEvery: 100, batchSize: 6, onProbe: (x) => records.push(x) }));
    expect(r.status).toBe('diverged');
    const last = records.at(-1)!;
    expect(last.diverged).toBe(true);
    expect(last.step).toBe(r.divergedAtStep);
    expect(last.batchLoss).toBe(r.divergedLoss);
    expect(last.batchLoss).toBeGreaterThan(limit);
    tf.dispose(r.params);
    // A non-finite loss diverges whatever the limit.
    const nan = trainLoop(baseOptions(data, { learningRate: () => NaN, divergenceLoss: Infinity, probeEvery: 100 }));
    expect([nan.status, nan.stepsDone]).toEqual(['diverged', 1]);
    expect(nan.divergedLoss).toBeNaN();
    tf.dispose(nan.params);
    disposeTensorData(data);
  });

  it('checkpoints at multiples of checkpointEvery before the end; a resumed loop starts after its step', () => {
    const data = makeData();
    const path = gdPath(5, () => 0.5);
    const saved: [number, number[]][] = [];
    const r = trainLoop(baseOptions(data, { steps: 5, checkpointEvery: 2, onCheckpoint: (s, p) => saved.push([s, Array.from(p[0].dataSync())]) }));
    expect(saved.map(([s]) => s)).toEqual([2, 4]);
    saved.forEach(([s, W]) => W.forEach((w, j) => expect(w).toBeCloseTo(path[s][j], 5)));
    tf.dispose(r.params);
    const atEnd: number[] = [];
    tf.dispose(trainLoop(baseOptions(data, { steps: 4, checkpointEvery: 2, onCheckpoint: (s) => atEnd.push(s) })).params);
    expect(atEnd).toEqual([2]);
    // Resume from θ_3 at step 3: no record at 3, records at 4 and 5, ending on θ_5.
    const rule = gradientDescent();
    const params = [tf.tensor2d(path[3].map(Math.fround), [d, K])];
    const records: ProbeRecord[] = [];
    const resumed = trainLoop(baseOptions(data, { steps: 5, start: { params, state: rule.initState(params), step: 3 }, onProbe: (x) => records.push(x) }));
    expect(records.map((x) => x.step)).toEqual([4, 5]);
    expect(resumed.timings.steps).toBe(2);
    Array.from(resumed.params[0].dataSync()).forEach((w, j) => expect(w).toBeCloseTo(path[5][j], 5));
    tf.dispose(resumed.params);
    disposeTensorData(data);
  });

  it('stopWhen between curvature probes still ends on a record with the trace; the generator yields every step', () => {
    const data = makeData();
    const records: ProbeRecord[] = [];
    const r = trainLoop(baseOptions(data, {
      steps: 20, curvatureEvery: 10, probes: { trace: { samples: 2 }, margin: false, norms: false },
      stopWhen: (x) => x.step === 3, onProbe: (x) => records.push(x),
    }));
    expect(r.stoppedEarly).toBe(true);
    expect(r.stepsDone).toBe(3);
    expect(records.map((x) => [x.step, x.hessianTrace !== undefined])).toEqual([[0, true], [1, false], [2, false], [3, true]]);
    tf.dispose(r.params);
    // stopWhen true at the last step is not an early stop.
    const full = trainLoop(baseOptions(data, { steps: 2, stopWhen: (x) => x.step === 2 }));
    expect(full.stoppedEarly).toBeUndefined();
    expect(full.stepsDone).toBe(2);
    tf.dispose(full.params);
    const steps: number[] = [];
    const gen = trainLoopSteps(baseOptions(data, { steps: 3 }));
    let next = gen.next();
    for (; !next.done; next = gen.next()) steps.push(next.value.step);
    expect(steps).toEqual([1, 2, 3]);
    expect(next.value.stepsDone).toBe(3);
    tf.dispose(next.value.params);
    disposeTensorData(data);
  });

  it('minibatch SGD follows float64 SGD on the same batches; a last record off the probe grid; no leaks; kept tensors survive', () => {
    const data = makeData();
    const before = tf.memory().numTensors;
    let W = W0.slice();
    for (let t = 0; t < 5; t++) {
      const { grad } = reference(W, batchIndices(n, 6, t, 3, false));
      W = W.map((w, j) => w - 0.5 * grad[j]);
    }
    const records: ProbeRecord[] = [];
    const r = trainLoop(baseOptions(data, { steps: 5, batchSize: 6, probeEvery: 2, onProbe: (x) => records.push(x) }));
    Array.from(r.params[0].dataSync()).forEach((w, j) => expect(w).toBeCloseTo(W[j], 5));
    expect(records.map((x) => x.step)).toEqual([0, 2, 4, 5]);
    tf.dispose(r.params);
    expect(tf.memory().numTensors).toBe(before);
    // A rule that hands back its parameters and state unchanged: the loop must not free them.
    const keep: UpdateRule = { name: 'keep', initState: () => ({ memory: [tf.scalar(7)] }), update: (params, _g, state) => ({ params, state }) };
    const params = [tf.tensor2d(W0, [d, K])];
    const kept = trainLoop(baseOptions(data, { rule: keep, steps: 3, start: { params, state: keep.initState(params), step: 0 } }));
    expect(Array.from(kept.params[0].dataSync())).toEqual(W0);
    expect(kept.state.memory[0].dataSync()[0]).toBe(7);
    tf.dispose([...kept.params, ...kept.state.memory]);
    expect(tf.memory().numTensors).toBe(before);
    disposeTensorData(data);
  });

  it('tracked λ_max only where tracking or curvature is due; eig probes only on curvature steps and never beside the tracker', () => {
    const data = makeData();
    const curvature = makeData(); // same examples, separate object: labelled as a subset
    const tracked: ProbeRecord[] = [];
    const a = trainLoop(baseOptions(data, {
      data: { train: data, curvature }, steps: 8, probeEvery: 2, curvatureEvery: 8, sharpness: { every: 4 }, onProbe: (x) => tracked.push(x),
    }));
    expect(tracked.map((x) => [x.step, x.sharpness !== undefined])).toEqual([[0, true], [2, false], [4, true], [6, false], [8, true]]);
    expect(tracked[0].curvatureData).toBe('train-subset');
    tf.dispose(a.params);
    const plain: ProbeRecord[] = [];
    const b = trainLoop(baseOptions(data, { steps: 4, probeEvery: 2, curvatureEvery: 4, probes: { trace: false, margin: false, norms: false, eig: { k: 2 } }, onProbe: (x) => plain.push(x) }));
    expect(plain.map((x) => [x.step, x.topEigenvalues !== undefined])).toEqual([[0, true], [2, false], [4, true]]);
    // λ₁ of the eig probe is the float64 Hessian's.
    expect(plain[0].topEigenvalues![0] / reference(W0).sharpness).toBeCloseTo(1, 4);
    tf.dispose(b.params);
    const both: ProbeRecord[] = [];
    const c = trainLoop(baseOptions(data, { steps: 2, probeEvery: 2, sharpness: { every: 2 }, probes: { trace: false, margin: false, norms: false, eig: { k: 2 } }, onProbe: (x) => both.push(x) }));
    expect(both.every((x) => x.topEigenvalues === undefined && x.sharpnessMethod !== undefined)).toBe(true);
    tf.dispose(c.params);
    disposeTensorData(data);
    disposeTensorData(curvature);
  });

  it('divergence edge cases: a loss equal to the limit, a resumed run diverging at once, cheap probes only', () => {
    const data = makeData();
    let loss0 = NaN;
    tf.dispose(trainLoop(baseOptions(data, { steps: 1, onStep: (_, l) => { loss0 = l; } })).params);
    const equal = trainLoop(baseOptions(data, { steps: 1, divergenceLoss: loss0 }));
    expect(equal.status).toBe('completed');
    tf.dispose(equal.params);
    // Resumed at step 1 with a limit below the loss: diverges at t = 1 before any record exists.
    const rule = gradientDescent();
    const params = [tf.tensor2d(W0, [d, K])];
    const records: ProbeRecord[] = [];
    const r = trainLoop(baseOptions(data, {
      steps: 5, divergenceLoss: 0.01, start: { params, state: rule.initState(params), step: 1 },
      probes: { trace: { samples: 2 }, margin: false, norms: false }, onProbe: (x) => records.push(x),
    }));
    expect(r.status).toBe('diverged');
    expect(r.divergedAtStep).toBe(1);
    expect(records.map((x) => [x.step, x.diverged])).toEqual([[1, true]]);
    expect(records[0].hessianTrace).toBeUndefined(); // cheap probes only at the divergence record
    tf.dispose(r.params);
    disposeTensorData(data);
  });
});
