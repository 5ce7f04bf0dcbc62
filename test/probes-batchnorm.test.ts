/**
 * Batch-norm models are probed in inference mode (training-set population statistics held
 * fixed), so probe values do not depend on how the data is chunked, and the record says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createResidualMlp } from '../src/models/residualMlp.ts';
import { createResnetCnn } from '../src/models/resnetCnn.ts';
import { runProbes } from '../src/probes/probeSuite.ts';
import { modelForProbes } from '../src/probes/inferenceMode.ts';
import { evaluateClassifier, evaluateClassifierWithMargins } from '../src/probes/evaluate.ts';
import { softmaxCrossEntropy } from '../src/train/loss.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';

describe('probes on a batch-norm model', () => {
  beforeAll(async () => { await setupBackend(); });

  it('use population statistics: chunk-size invariant, loss equals the inference-mode loss, recorded as batch-inference', () => {
    const model = createResidualMlp({ inputSize: 6, width: 8, depth: 2, outputs: 3, norm: 'batch' });
    const params = model.init(createRng(3));
    const data = toTensorData({ name: 's', n: 60, featureShape: [6], numClasses: 3, x: Float32Array.from(seededValues(360, 4, 2)), y: Int32Array.from({ length: 60 }, (_, i) => i % 3) });
    const probe = (chunkSize: number) => runProbes(model, params, { train: data, curvature: data }, {
      trace: { samples: 4 }, eig: { k: 1, method: 'lanczos', tol: 1e-6, maxIterations: 40 }, gradNorm: true, margin: true, norms: true, seed: 9, chunkSize,
    }, 0);
    const small = probe(7);
    const large = probe(64);
    expect(small.normalisation).toBe('batch-inference');
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    for (const key of ['trainLoss', 'hessianTrace', 'sharpness', 'gradNormSquared', 'minMargin'] as const) {
      expect(rel(small[key] as number, large[key] as number), key).toBeLessThan(1e-5);
    }
    // The recorded loss is the loss with population statistics, not with batch statistics.
    const stats = model.estimateBatchNormStatistics!(params, data.x);
    const inferenceLoss = tf.tidy(() => softmaxCrossEntropy(model.applyInference!(params, stats, data.x), data.oneHot).dataSync()[0]);
    expect(rel(small.trainLoss, inferenceLoss)).toBeLessThan(1e-5);
    // Training mode on 7-example chunks would give a different loss (so the test can tell).
    const chunkedTrainingLoss = tf.tidy(() => {
      let total = 0;
      for (let s = 0; s < 60; s += 7) {
        const size = Math.min(7, 60 - s);
        total += softmaxCrossEntropy(model.apply(params, data.x.slice(s, size)), data.oneHot.slice(s, size)).dataSync()[0] * size;
      }
      return total / 60;
    });
    expect(rel(chunkedTrainingLoss, inferenceLoss)).toBeGreaterThan(1e-3);
  });

  it('population statistics in one pass (whole set in one chunk) equal the layer-by-layer passes over chunks, and training-mode batch norm on that set', () => {
    const x = tf.tensor2d(Float32Array.from(seededValues(40 * 64, 11, 2)), [40, 64]);
    const models = [
      createResnetCnn({ inputShape: [8, 8, 1], stages: [4, 6], blocksPerStage: 1, kernelSize: 3, norm: 'batch', outputs: 3 }),
      createResidualMlp({ inputSize: 64, width: 8, depth: 3, outputs: 3, norm: 'batch' }),
    ];
    for (const model of models) {
      const params = model.init(createRng(5));
      const onePass = model.estimateBatchNormStatistics!(params, x);
      const layered = model.estimateBatchNormStatistics!(params, x, 7);
      expect(onePass).toHaveLength(model.batchNormLayers!);
      onePass.forEach((s, l) => {
        for (const key of ['mean', 'variance'] as const) {
          const a = s[key].dataSync();
          const b = layered[l][key].dataSync();
          a.forEach((v, i) => expect(Math.abs(v - b[i]), `${model.architecture.kind} layer ${l} ${key}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]))));
        }
      });
      // With the whole set as the batch, training mode normalises every layer by the same
      // population statistics (computed there in float32 by tf.mean instead of float64 sums).
      const inference = tf.tidy(() => model.applyInference!(params, onePass, x).dataSync());
      const training = tf.tidy(() => model.apply(params, x).dataSync());
      inference.forEach((v, i) => expect(Math.abs(v - training[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(training[i]))));
      const before = tf.memory().numTensors;
      const again = model.estimateBatchNormStatistics!(params, x);
      expect(tf.memory().numTensors - before).toBe(2 * model.batchNormLayers!);
      for (const stats of [onePass, layered, again]) for (const s of stats) tf.dispose([s.mean, s.variance]);
      tf.dispose(params);
    }
    x.dispose();
  });

  it('the statistics pass hands back the training-set logits: equal to applyInference with those statistics, null when the set needs chunks, nothing leaked', () => {
    const x = tf.tensor4d(Float32Array.from(seededValues(30 * 64, 21, 2)), [30, 8, 8, 1]);
    const labels = Int32Array.from({ length: 30 }, (_, i) => (i * 7) % 3);
    const model = createResnetCnn({ inputShape: [8, 8, 1], stages: [4, 6], blocksPerStage: 1, kernelSize: 3, norm: 'batch', outputs: 3 });
    const params = model.init(createRng(8));
    const before = tf.memory().numTensors;
    const { stats, logits } = model.estimateBatchNormStatisticsWithLogits!(params, x);
    expect(logits).not.toBeNull();
    const byProduct = logits!.dataSync();
    const separate = tf.tidy(() => model.applyInference!(params, stats, x).dataSync());
    expect(Array.from(byProduct)).toEqual(Array.from(separate));
    // The same statistics as estimateBatchNormStatistics (which discards the logits).
    const plain = model.estimateBatchNormStatistics!(params, x);
    plain.forEach((s, l) => expect(Array.from(s.variance.dataSync())).toEqual(Array.from(stats[l].variance.dataSync())));
    const chunked = model.estimateBatchNormStatisticsWithLogits!(params, x, 7);
    expect(chunked.logits).toBeNull();
    expect(chunked.stats).toHaveLength(model.batchNormLayers!);
    // A set of exactly one chunk is still one pass.
    const exact = model.estimateBatchNormStatisticsWithLogits!(params, x, 30);
    expect(exact.logits).not.toBeNull();
    exact.logits!.dispose();
    for (const list of [stats, plain, chunked.stats, exact.stats]) for (const s of list) tf.dispose([s.mean, s.variance]);
    logits!.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // A probe that reuses them records what evaluating the inference-mode model from scratch gives
    // (hand computation: loss, accuracy and min margin from applyInference's logits in float64).
    const data = toTensorData({ name: 's', n: 30, featureShape: [8, 8, 1], numClasses: 3, x: Float32Array.from(x.dataSync()), y: labels });
    const record = runProbes(model, params, { train: data, curvature: data }, { trace: false, margin: true, norms: false, seed: 1 }, 0);
    const reference = model.estimateBatchNormStatistics!(params, data.x);
    const f = tf.tidy(() => model.applyInference!(params, reference, data.x).dataSync());
    let loss = 0;
    let correct = 0;
    let minMargin = Infinity;
    for (let i = 0; i < 30; i++) {
      const row = Array.from(f.slice(3 * i, 3 * i + 3), Number);
      const max = Math.max(...row);
      loss += max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) - row[labels[i]];
      if (row.indexOf(max) === labels[i]) correct++;
      minMargin = Math.min(minMargin, row[labels[i]] - Math.max(...row.filter((_, j) => j !== labels[i])));
    }
    expect(record.trainLoss).toBeCloseTo(loss / 30, 5);
    expect(record.trainAccuracy).toBe(correct / 30);
    expect(record.minMargin).toBeCloseTo(minMargin, 5);
    // Precomputed logits are read chunk by chunk like the model's own (chunks of 7 of 30 rows).
    const probed = modelForProbes(model, params, data.x);
    const fromLogits = evaluateClassifierWithMargins(probed.model, params, data.x, data.oneHot, labels, 7, 'cross-entropy', probed.statisticsDataLogits);
    const fromModel = evaluateClassifierWithMargins(probed.model, params, data.x, data.oneHot, labels, 7);
    expect(fromLogits.loss).toBeCloseTo(fromModel.loss, 6);
    expect(fromLogits.accuracy).toBe(fromModel.accuracy);
    expect(Array.from(fromLogits.margins)).toEqual(Array.from(fromModel.margins));
    expect(() => evaluateClassifier(probed.model, params, data.x.slice(0, 20), data.oneHot.slice(0, 20), labels, 7, 'cross-entropy', probed.statisticsDataLogits))
      .toThrow('evaluateClassifier: 30 precomputed logit rows for 20 examples');
    probed.dispose();
    for (const s of reference) tf.dispose([s.mean, s.variance]);
    tf.dispose(params);
    x.dispose();
  });
});
