/**
 * Hutchinson's trace estimate for linear least squares, whose Hessian is exactly XᵀX/N, so the
 * exact trace is ‖X‖_F² / N.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { hessianTraceHutchinson } from '../src/probes/hessianTrace.ts';
import { halfMeanSquaredError } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';

const N = 50;
const p = 30;
const X = seededValues(N * p, 7);
const y = seededValues(N, 8);
const exactTrace = X.reduce((s, x) => s + x * x, 0) / N;

describe('hessianTraceHutchinson on linear least squares (H = XᵀX/N)', () => {
  let xTensor: tf.Tensor2D;
  let yTensor: tf.Tensor;
  let theta: tf.Tensor;
  const loss = (ps: tf.Tensor[]) => halfMeanSquaredError(tf.matMul(xTensor, ps[0].reshape([p, 1])), yTensor);
  beforeAll(async () => {
    await setupBackend();
    xTensor = tf.tensor2d(Array.from(X), [N, p]);
    yTensor = tf.tensor1d(Array.from(y));
    theta = tf.tensor1d(Array.from(seededValues(p, 9)));
  });

  it('lies within 3 standard errors of the exact trace with 30 probes', () => {
    const result = hessianTraceHutchinson(loss, [theta], { samples: 30, rng: createRng(1) });
    expect(result.samples).toBe(30);
    expect(result.stderr).toBeGreaterThan(0);
    expect(Math.abs(result.estimate - exactTrace)).toBeLessThan(3 * result.stderr);
  });

  it('is within 2% of the exact trace with 1,000 probes', () => {
    const result = hessianTraceHutchinson(loss, [theta], { samples: 1000, rng: createRng(2) });
    expect(Math.abs(result.estimate - exactTrace) / exactTrace).toBeLessThan(0.02);
    expect(Math.abs(result.estimate - exactTrace)).toBeLessThan(3 * result.stderr);
  });

  it('stops early at a requested relative standard error', () => {
    const result = hessianTraceHutchinson(loss, [theta], { samples: 1000, rng: createRng(3), relativeStderrTarget: 0.05 });
    expect(result.samples).toBeLessThan(1000);
    expect(result.stderr / Math.abs(result.estimate)).toBeLessThanOrEqual(0.05);
  });
});
