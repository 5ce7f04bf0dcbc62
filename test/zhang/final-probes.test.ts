/**
 * The Zhang sweep's final-solution flatness (finalProbes): the Hutchinson trace of the training
 * loss's Hessian on the curvature subset, of a batch-norm model in inference mode (population
 * statistics of the training set, as every per-step probe). Checked against the exact trace
 * Σᵢ eᵢᵀHeᵢ from one exact HVP per basis vector, and shown to differ from the training-mode
 * trace (so the test can tell which loss was probed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runExperiment } from '../../src/experiments/runExperiment.ts';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { loadDataForRun } from '../../src/experiments/loadData.ts';
import { finalProbes } from '../../src/experiments/zhang/sweep.ts';
import { loadCheckpoint } from '../../src/train/checkpoint.ts';
import { toTensorData, disposeTensorData } from '../../src/train/tensorData.ts';
import { hessianVectorProduct } from '../../src/probes/hvp.ts';
import { classificationLoss } from '../../src/probes/probeSuite.ts';
import type { Model } from '../../src/models/types.ts';
import { hasBatchNormInference } from '../../src/models/batchNormState.ts';
import { createRng, permutation } from '../../src/util/rng.ts';
import { derivedSeed } from '../../src/train/batches.ts';

/** tr H = Σᵢ (H eᵢ)ᵢ, one exact HVP per coordinate. */
function exactTrace(model: Model, params: tf.Tensor[], data: ReturnType<typeof toTensorData>): number {
  const loss = classificationLoss(model, data);
  let trace = 0;
  for (let t = 0; t < params.length; t++) {
    for (let i = 0; i < params[t].size; i++) {
      trace += tf.tidy(() => {
        const v = params.map((p, u) => (u === t ? tf.oneHot([i], p.size).toFloat().reshape(p.shape) : tf.zerosLike(p)));
        return hessianVectorProduct(loss, params, v)[t].reshape([-1]).slice(i, 1).dataSync()[0];
      });
    }
  }
  return trace;
}

describe('zhang final probes', () => {
  it('the trace of a batch-norm net is of its inference-mode loss (within 4 standard errors of the exact trace), not of the training-mode loss', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-final-'));
    const config = parseRunConfig({
      name: 'bn', seed: 2,
      data: { dataset: 'digits', trainSize: 50, testSize: 30 },
      model: { kind: 'residual-mlp', width: 5, depth: 2, norm: 'batch', branchScaling: true },
      optimizer: { kind: 'momentum', learningRate: 0.05, momentum: 0.9, batchSize: 16 },
      training: { steps: 12 },
      probes: { every: 12, trace: false, margin: false, norms: false },
    });
    await runExperiment(config, { outDir: dir });
    const probes = finalProbes(config, dir, { subset: 20, samples: 400 });
    expect(probes.hessianTraceError).toBeUndefined();

    const split = loadDataForRun(config);
    const train = toTensorData(split.train);
    const test = toTensorData(split.test);
    const { model, params } = loadCheckpoint(path.join(dir, 'checkpoint'));
    if (!hasBatchNormInference(model)) throw new Error('the checkpoint lost the batch-norm inference mode');
    const stats = model.estimateBatchNormStatistics(params, train.x);
    const inferenceModel: Model = { ...model, apply: (p, x) => model.applyInference(p, stats, x) };
    // The seeded subset, as the sweep defines it (a 20-example batch: its batch statistics are
    // far from the training set's).
    const subset = permutation(split.train.n, createRng(derivedSeed(config.seed, 'zhang-curvature'))).slice(0, 20);
    const curvature = toTensorData(split.train, subset);
    const inference = exactTrace(inferenceModel, params, curvature);
    const training = exactTrace(model, params, curvature);
    disposeTensorData(curvature);
    expect(Math.abs(probes.hessianTrace! - inference)).toBeLessThan(4 * probes.hessianTraceStderr!);
    expect(Math.abs(probes.hessianTrace! - training)).toBeGreaterThan(6 * probes.hessianTraceStderr!);

    // Test accuracy with the same statistics, counted by hand.
    const predicted = tf.tidy(() => model.applyInference(params, stats, test.x).argMax(1).dataSync());
    const correct = Array.from(predicted).filter((p, i) => p === test.labels[i]).length;
    expect(probes.testAccuracyInference).toBe(correct / test.n);

    for (const s of stats) tf.dispose([s.mean, s.variance]);
    tf.dispose(params);
    disposeTensorData(train);
    disposeTensorData(test);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
