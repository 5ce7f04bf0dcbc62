/**
 * runProbes on a bias-free linear model z = xW with the squared loss, where every number has a
 * closed form: with inputs whose columns are orthogonal, XᵀX = diag(s) and the Hessian of
 * L = (1/2n)‖XW − Y‖² is (XᵀX/n) ⊗ I_k, diagonal. So every Rademacher probe gives vᵀHv = tr H
 * exactly (estimate tr H, standard error 0), λ_max is the largest s_j/n, and a Krylov space sees
 * only the two distinct eigenvalues. Loss, accuracy, norms, distance and ‖∇L‖² are computed here
 * in float64 from the same numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { classificationLoss, runProbes, type ProbeOptions } from '../../src/probes/probeSuite.ts';
import type { LazinessProbes } from '../../src/probes/lazinessProbes.ts';
import { toTensorData, type TensorData } from '../../src/train/tensorData.ts';
import { crossEntropy64 } from '../helpers/mlp64.ts';

beforeAll(async () => { await setupBackend(); });

const k = 3;
// Columns orthogonal: XᵀX = diag(1 + 1 + 0.25, 4 + 1) = diag(2.25, 5).
const X = [[1, 0], [0, 2], [-1, 0], [0, -1], [0.5, 0]];
const labels = Int32Array.from([0, 2, 1, 2, 0]);
const n = X.length;
const W = [[0.5, -1, 2], [1, 0.25, -0.5]];
const W0 = [[0.5, -1, 1], [1, 0.25, -0.5]]; // θ₀: one entry differs by 1
const logitsOf = (rows: number[][]) => rows.map((x) => [0, 1, 2].map((j) => x[0] * W[0][j] + x[1] * W[1][j]));
const squaredLossOf = (rows: number[][], ys: Int32Array) => logitsOf(rows).reduce((s, z, i) => s + z.reduce((t, v, j) => t + (v - (ys[i] === j ? 1 : 0)) ** 2, 0), 0) / (2 * rows.length);
const accuracyOf = (rows: number[][], ys: Int32Array) => crossEntropy64(logitsOf(rows).flat(), ys, k).accuracy;
// ∇L = (1/n) Xᵀ(XW − Y).
const gradient = [0, 1].flatMap((r) => [0, 1, 2].map((j) => logitsOf(X).reduce((s, z, i) => s + X[i][r] * (z[j] - (labels[i] === j ? 1 : 0)), 0) / n));
const traceH = (k * (2.25 + 5)) / n;
const lambdaMax = 5 / n;
const lambdaOther = 2.25 / n;

function tensorData(rows: number[][], ys: Int32Array): TensorData {
  return toTensorData({ name: 'hand', n: rows.length, featureShape: [2], numClasses: k, x: Float32Array.from(rows.flat()), y: ys });
}

const close = (got: number | undefined | null, want: number, tol = 1e-5) => expect(Math.abs(got! - want)).toBeLessThan(tol * Math.max(1, Math.abs(want)));
const base: ProbeOptions = { trace: false, eig: false, margin: false, norms: false, seed: 7, loss: 'mse' };

describe('runProbes by hand (linear model, squared loss, diagonal Hessian)', () => {
  const model = createMlp({ widths: [2, k], activation: 'linear' });
  let train: TensorData;
  let test: TensorData;
  let subset: TensorData;
  let params: tf.Tensor[];
  let init: tf.Tensor[];
  beforeAll(() => {
    train = tensorData(X, labels);
    test = tensorData([[1, 1], [2, -1]], Int32Array.from([2, 0]));
    subset = tensorData(X.slice(0, 2), labels.slice(0, 2));
    params = [tf.tensor2d(W)];
    init = [tf.tensor2d(W0)];
  });

  it('loss and accuracy on train and test; nothing else unless asked', () => {
    const r = runProbes(model, params, { train, test, curvature: train }, base, 12);
    expect(r.step).toBe(12);
    close(r.trainLoss, squaredLossOf(X, labels));
    expect(r.trainAccuracy).toBe(accuracyOf(X, labels));
    close(r.testLoss, squaredLossOf([[1, 1], [2, -1]], Int32Array.from([2, 0])));
    expect(r.testAccuracy).toBe(accuracyOf([[1, 1], [2, -1]], Int32Array.from([2, 0])));
    expect(Object.keys(r).sort()).toEqual(['step', 'testAccuracy', 'testLoss', 'trainAccuracy', 'trainLoss']);
    // Cross-entropy is the default loss.
    const ce = runProbes(model, params, { train, curvature: train }, { ...base, loss: undefined }, 0);
    close(ce.trainLoss, crossEntropy64(logitsOf(X).flat(), labels, k).loss);
    expect(Object.keys(ce).sort()).toEqual(['step', 'trainAccuracy', 'trainLoss']);
    // classificationLoss: the same two losses as differentiable functions of θ.
    close(classificationLoss(model, train, 'mse')(params).dataSync()[0], squaredLossOf(X, labels));
    close(classificationLoss(model, train)(params).dataSync()[0], crossEntropy64(logitsOf(X).flat(), labels, k).loss);
  });

  it('norms and distance from θ₀; margins', () => {
    const r = runProbes(model, params, { train, curvature: train, init }, { ...base, norms: true, margin: true }, 0);
    const flat = W.flat();
    close(r.paramNormL2, Math.sqrt(flat.reduce((s, w) => s + w * w, 0)));
    close(r.paramNormL1, flat.reduce((s, w) => s + Math.abs(w), 0));
    close(r.paramNormLinf, 2);
    close(r.distanceFromInit, 1);
    const q = logitsOf(X).map((z, i) => z[labels[i]] - Math.max(...z.filter((_, j) => j !== labels[i])));
    close(r.minMargin, Math.min(...q));
    close(r.normalizedMargin, Math.min(...q) / r.paramNormL2!);
    close(r.normalizedMarginLayerProduct, Math.min(...q) / r.paramNormL2!);
    // No θ₀, no distance.
    expect('distanceFromInit' in runProbes(model, params, { train, curvature: train }, { ...base, norms: true }, 0)).toBe(false);
  });

  it('Hutchinson trace is tr H exactly with standard error 0; λ_max and the next distinct eigenvalue; 2/η; ‖∇L‖²', () => {
    const r = runProbes(model, params, { train, curvature: train }, { ...base, trace: { samples: 14 }, eig: { k: 2 }, gradNorm: true, learningRate: 0.25 }, 3);
    close(r.hessianTrace, traceH);
    expect(r.hessianTraceStderr).toBeLessThan(1e-6);
    expect(r.hessianTraceSamples).toBe(14);
    expect(r.hessianTraceMethod).toBe('hutchinson');
    expect(r.hessianHvp).toBe('exact');
    expect(r.probeSeed).toBe(7);
    expect(r.curvatureData).toBe('train');
    expect(r.curvatureExamples).toBe(n);
    close(r.sharpness, lambdaMax);
    expect(r.topEigenvalues).toHaveLength(2);
    close(r.topEigenvalues![0], lambdaMax);
    close(r.topEigenvalues![1], lambdaOther);
    expect(r.sharpnessMethod).toBe('lanczos');
    expect(r.sharpnessIterations).toBe(2); // the Krylov space of a matrix with two distinct eigenvalues
    expect(r.sharpnessResidual).toBeLessThan(1e-5);
    expect(r.stabilityThreshold).toBe(8);
    close(r.gradNormSquared, gradient.reduce((s, g) => s + g * g, 0));
    // The early stop at a relative standard error: 0 ≤ target·|tr H| at the minimum of 10 probes.
    const early = runProbes(model, params, { train, curvature: train }, { ...base, trace: { samples: 14, relativeStderr: 0.01 } }, 3);
    expect(early.hessianTraceSamples).toBe(10);
    expect('sharpness' in early).toBe(false);
    // One eigenvalue: no list; no learning rate: no threshold.
    const one = runProbes(model, params, { train, curvature: train }, { ...base, eig: {} }, 3);
    close(one.sharpness, lambdaMax);
    expect('topEigenvalues' in one).toBe(false);
    expect('stabilityThreshold' in one).toBe(false);
    expect('hessianTrace' in one).toBe(false);
    expect(one.curvatureData).toBe('train');
  });

  it('curvature probes use the curvature subset, ‖∇L‖² the whole training set', () => {
    // Subset rows (1, 0), (0, 2): XᵀX = diag(1, 4), n = 2: tr H = 3·5/2, λ_max = 2.
    const r = runProbes(model, params, { train, curvature: subset }, { ...base, trace: { samples: 3 }, eig: { k: 1 }, gradNorm: true }, 0);
    expect(r.curvatureData).toBe('train-subset');
    expect(r.curvatureExamples).toBe(2);
    close(r.hessianTrace, 7.5);
    close(r.sharpness, 2);
    close(r.gradNormSquared, gradient.reduce((s, g) => s + g * g, 0));
    close(r.trainLoss, squaredLossOf(X, labels));
  });

  it('eig.maxIterations caps Lanczos steps or power iterations; the method is passed on', () => {
    // Cross-entropy: a generic spectrum, so neither method converges to 1e-14 in 2 or 3 steps.
    const ceBase: ProbeOptions = { ...base, loss: 'cross-entropy' };
    const lanczos = runProbes(model, params, { train, curvature: train }, { ...ceBase, eig: { tol: 1e-14, maxIterations: 2 } }, 0);
    expect(lanczos.sharpnessMethod).toBe('lanczos');
    expect(lanczos.sharpnessIterations).toBe(2);
    const power = runProbes(model, params, { train, curvature: train }, { ...ceBase, eig: { method: 'power', tol: 1e-14, maxIterations: 3 } }, 0);
    expect(power.sharpnessMethod).toBe('power');
    expect(power.sharpnessIterations).toBe(3);
    const free = runProbes(model, params, { train, curvature: train }, { ...ceBase, eig: { method: 'power', tol: 1e-14 } }, 0);
    expect(free.sharpnessIterations).toBeGreaterThan(3);
  });

  it('the laziness probes\' record is merged in; no normalisation field for a model without batch norm', () => {
    const calls: number[] = [];
    const laziness = { record: (_p: tf.Tensor[], step: number) => { calls.push(step); return { relativeMovement: 0.5 }; } } as unknown as LazinessProbes;
    const r = runProbes(model, params, { train, curvature: train }, { ...base, laziness }, 9);
    expect(calls).toEqual([9]);
    expect(r.relativeMovement).toBe(0.5);
    expect('normalisation' in r).toBe(false);
  });
});
