/**
 * Memory discipline: the number of live tensors after 50 training steps with every probe on
 * equals the number after 5 (no per-step or per-probe leak).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { createResidualMlp } from '../src/models/residualMlp.ts';
import { probeReport } from '../src/probes/probeReport.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { trainLoop, type TrainLoopOptions } from '../src/train/trainLoop.ts';
import type { Model } from '../src/models/types.ts';
import { toTensorData, disposeTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { seededValues } from './helpers/float64.ts';

function syntheticDataset(n: number, d: number, k: number, seed: number): Dataset {
  return {
    name: 'synthetic', n, featureShape: [d], numClasses: k,
    x: Float32Array.from(seededValues(n * d, seed)),
    y: Int32Array.from({ length: n }, (_, i) => i % k),
  };
}

/** Trains `steps` steps (batch 16, GD at η = 0.05) from a fresh init, frees θ and returns the live tensor count. */
function tensorsAfterTraining(model: Model, data: TrainLoopOptions['data'], steps: number, options: Pick<TrainLoopOptions, 'probes' | 'probeEvery' | 'seed'> & Partial<Pick<TrainLoopOptions, 'sharpness'>>, initSeed: number): number {
  const params = model.init(createRng(initSeed));
  const rule = gradientDescent();
  const result = trainLoop({
    model, rule, data, steps, batchSize: 16, withReplacement: false, learningRate: () => 0.05,
    divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 }, ...options,
  });
  expect(result.status).toBe('completed');
  tf.dispose(result.params);
  return tf.memory().numTensors;
}

describe('training loop memory', () => {
  beforeAll(async () => { await setupBackend(); });

  it('tf.memory().numTensors is the same after 50 steps with probes as after 5', () => {
    const model = createMlp({ widths: [10, 16, 16, 3] });
    const train = toTensorData(syntheticDataset(64, 10, 3, 1));
    const test = toTensorData(syntheticDataset(32, 10, 3, 2));
    const options = {
      seed: 3, probeEvery: 5,
      probes: { trace: { samples: 3 }, eig: { k: 2, method: 'lanczos' as const, tol: 1e-4, maxIterations: 20 }, gradNorm: true, margin: true, norms: true },
    };
    const run = (steps: number) => tensorsAfterTraining(model, { train, test, curvature: train }, steps, options, 1);
    const before = tf.memory().numTensors;
    const after5 = run(5);
    const after50 = run(50);
    expect(after5).toBe(before);
    expect(after50).toBe(after5);
    disposeTensorData(train);
    disposeTensorData(test);
  });

  it('a batch-norm model with probes and sharpness tracking: the population statistics of every probe are freed (5 steps vs 50)', () => {
    const model = createResidualMlp({ inputSize: 10, width: 8, depth: 2, outputs: 3, norm: 'batch' });
    const train = toTensorData(syntheticDataset(48, 10, 3, 5));
    const options = { seed: 2, probeEvery: 5, sharpness: { every: 2, maxIterations: 10 }, probes: { trace: { samples: 2 }, margin: true, norms: true } };
    const run = (steps: number) => tensorsAfterTraining(model, { train, curvature: train }, steps, options, 4);
    const before = tf.memory().numTensors;
    const after5 = run(5);
    const after50 = run(50);
    expect(after5).toBe(before);
    expect(after50).toBe(after5);
    // probeReport (ibl probe) on the same model frees them too.
    const params = model.init(createRng(6));
    const held = tf.memory().numTensors;
    probeReport(model, params, train, train, { probes: ['trace', 'layers'], seed: 1, traceSamples: 2 });
    expect(tf.memory().numTensors).toBe(held);
    tf.dispose(params);
    disposeTensorData(train);
  });

  it('a diverging run stops at the step whose loss is non-finite or exploding, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const model = createMlp({ widths: [10, 16, 3] });
    const train = toTensorData(syntheticDataset(64, 10, 3, 4));
    const params = model.init(createRng(2));
    const rule = gradientDescent();
    const result = trainLoop({
      model, rule, data: { train, curvature: train }, steps: 200, batchSize: null, withReplacement: false,
      learningRate: () => 500, seed: 1, probeEvery: 1000,
      probes: { trace: false, margin: false, norms: false },
      divergenceLoss: 1e3, start: { params, state: rule.initState(params), step: 0 },
    });
    expect(result.status).toBe('diverged');
    expect(result.divergedAtStep).toBeGreaterThan(0);
    expect(result.divergedAtStep).toBeLessThan(200);
    expect(!Number.isFinite(result.divergedLoss!) || result.divergedLoss! > 1e3).toBe(true);
    tf.dispose(result.params);
    disposeTensorData(train);
    expect(tf.memory().numTensors).toBe(before);
  });
});
