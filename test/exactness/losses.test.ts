/**
 * The losses on numbers small enough to do by hand (float64 here, float32 in TF.js), including
 * the shape handling (predictions reshaped to the targets' shape) and the one-hot encoding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { halfMeanSquaredError, logisticLoss, oneHotFloat, softmaxCrossEntropy } from '../../src/train/loss.ts';

beforeAll(async () => { await setupBackend(); });

const value = (t: tf.Scalar) => t.dataSync()[0];

describe('losses by hand', () => {
  it('softmax cross-entropy: mean of log Σ e^z − z_y over two rows', () => {
    // Row 1: z = (1, 2, 3), y = 0: log(e + e² + e³) − 1 = 3.407606 − 1 = 2.407606
    // Row 2: z = (0, 0, 4), y = 2: log(2 + e⁴) − 4 = 4.035976 − 4 = 0.035976;  mean = 1.221791
    const loss = softmaxCrossEntropy(tf.tensor2d([[1, 2, 3], [0, 0, 4]]), oneHotFloat(Int32Array.from([0, 2]), 3));
    expect(value(loss)).toBeCloseTo((Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 1 + Math.log(2 + Math.E ** 4) - 4) / 2, 5);
    expect(value(loss)).toBeCloseTo(1.221791, 5);
    expect(loss.shape).toEqual([]);
  });

  it('half mean squared error (1/2n) Σ (f − y)², predictions [n, 1] against targets [n]', () => {
    // residuals (1, −2, 0.5): (1 + 4 + 0.25) / (2·3) = 0.875
    const loss = halfMeanSquaredError(tf.tensor2d([[2], [0], [1.5]]), tf.tensor1d([1, 2, 1]));
    expect(value(loss)).toBeCloseTo(0.875, 6);
  });

  it('logistic loss mean log(1 + e^{−y f}) for y = ±1, scores [n, 1] against signs [n]', () => {
    // y f = (2, −1, 0): (log(1 + e^{−2}) + log(1 + e) + log 2) / 3 = (0.126928 + 1.313262 + 0.693147) / 3 = 0.711112
    const loss = logisticLoss(tf.tensor2d([[2], [1], [0]]), tf.tensor1d([1, -1, 1]));
    expect(value(loss)).toBeCloseTo((Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.E) + Math.log(2)) / 3, 5);
  });

  it('oneHotFloat: a float32 [n, K] matrix with a single 1 per row at the label', () => {
    const t = oneHotFloat(Int32Array.from([2, 0, 1]), 4);
    expect(t.shape).toEqual([3, 4]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
  });
});
