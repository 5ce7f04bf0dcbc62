/**
 * modelForProbes: a batch-norm model is probed with population statistics held fixed. On the
 * set the statistics come from, that is exactly the training-mode forward pass over the whole
 * set at once (batch statistics of the whole set), so every chunk of the set gives the rows
 * of that one pass; other models are passed through unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { createResidualMlp } from '../../src/models/residualMlp.ts';
import { modelForProbes } from '../../src/probes/inferenceMode.ts';
import { createRng } from '../../src/util/rng.ts';
import { seededValues } from '../helpers/float64.ts';

describe('modelForProbes', () => {
  beforeAll(async () => { await setupBackend(); });

  it('batch norm: a chunk of the set gives the rows of the whole-set training-mode pass; dispose frees the statistics', () => {
    const model = createResidualMlp({ inputSize: 5, width: 6, depth: 2, outputs: 3, norm: 'batch' });
    const params = model.init(createRng(1));
    const x = tf.tensor2d(Float32Array.from(seededValues(40 * 5, 2, 2)), [40, 5]);
    const whole = model.apply(params, x);
    const before = tf.memory().numTensors;
    const probed = modelForProbes(model, params, x);
    expect(probed.normalisation).toBe('batch-inference');
    expect(tf.memory().numTensors).toBe(before + 2 * 2 + 1); // mean and variance of 2 layers, and the set's logits
    // The logits of the set itself come with the statistics (one pass): the whole-set pass's rows.
    const byProduct = probed.statisticsDataLogits!.arraySync() as number[][];
    const wholeRows = whole.arraySync() as number[][];
    byProduct.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(wholeRows[i][j], 4)));
    const chunk = x.slice(10, 7);
    const viaProbe = probed.model.apply(params, chunk).arraySync() as number[][];
    const expected = (whole.arraySync() as number[][]).slice(10, 17);
    viaProbe.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 4)));
    // training mode on the chunk alone differs (so the check above can fail)
    const own = model.apply(params, chunk).arraySync() as number[][];
    expect(Math.max(...own.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[i][j]))))).toBeGreaterThan(1e-2);
    // everything else about the model is kept
    expect(probed.model.paramSpecs).toBe(model.paramSpecs);
    expect(probed.model.outputSize).toBe(model.outputSize);
    const afterApply = tf.memory().numTensors;
    probed.dispose();
    expect(tf.memory().numTensors).toBe(afterApply - 5);
    tf.dispose([x, whole, chunk, ...params]);
  });

  it('a model without batch norm (or declaring 0 batch-norm layers) is returned as is, with nothing to free', () => {
    const mlp = createMlp({ widths: [4, 5, 2] });
    const params = mlp.init(createRng(3));
    const x = tf.ones([3, 4]);
    const plain = modelForProbes(mlp, params, x);
    expect(plain.model).toBe(mlp);
    expect(plain.normalisation).toBe('none');
    expect(plain.statisticsDataLogits).toBeNull();
    const n = tf.memory().numTensors;
    plain.dispose();
    expect(tf.memory().numTensors).toBe(n);
    const estimate = () => { throw new Error('must not estimate statistics for 0 batch-norm layers'); };
    const zero = { ...mlp, batchNormLayers: 0, estimateBatchNormStatistics: estimate, applyInference: estimate };
    const probedZero = modelForProbes(zero, params, x);
    expect(probedZero.model).toBe(zero);
    expect(probedZero.normalisation).toBe('none');
    tf.dispose([x, ...params]);
  });
});
