/**
 * The centred lazy model α·(f(θ) − f(θ₀)) with the 1/α² loss (Chizat, Oyallon & Bach 2019):
 * at large α GD on the squared loss reaches kernel regression with the initial tangent kernel
 * (the float64 interpolant) and the kernel barely moves; at small α the kernel moves a lot.
 * Squared loss here is the test's own (the run config trains on cross-entropy).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { createLazyModel, isLazyModel } from '../../src/models/lazy.ts';
import { gradientDescent } from '../../src/optim/gradientDescent.ts';
import { withLossScale } from '../../src/optim/lossScale.ts';
import { halfMeanSquaredError, softmaxCrossEntropy } from '../../src/train/loss.ts';
import { gradientOf, hessianVectorProduct, hessianVectorProductFiniteDifference } from '../../src/probes/hvp.ts';
import { tangentKernel, relativeKernelChange } from '../../src/probes/tangentKernel.ts';
import { fitKernelRegression, kernelGradientDescent, predictKernelRegression } from '../../src/reference/kernelRegression.ts';
import { saveCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.ts';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { buildModel } from '../../src/experiments/runExperiment.ts';
import { createRng } from '../../src/util/rng.ts';
import { relativeError, seededValues } from '../helpers/float64.ts';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

const n = 6;
const d = 10;
const width = 256;

/** GD with step η on (1/α²)·(1/2n)Σ(f − y)², through withLossScale; returns the final θ. */
function train(alpha: number, steps: number, eta: number, x: tf.Tensor2D, y: tf.Tensor2D) {
  const base = createMlp({ widths: [d, width, 1] });
  const model = createLazyModel(base, base.init(createRng(3)), alpha);
  const rule = withLossScale(gradientDescent(), 1 / alpha ** 2);
  let params = model.init(createRng(99));
  let state = rule.initState(params);
  for (let t = 0; t < steps; t++) {
    const next = tf.tidy(() => {
      const { grads } = gradientOf((p) => halfMeanSquaredError(model.apply(p, x), y), params);
      return rule.update(params, grads, state, { step: t, learningRate: eta });
    });
    tf.dispose(params);
    params = next.params;
    state = next.state;
  }
  return { model, params };
}

describe('lazy model', () => {
  beforeAll(async () => { await setupBackend(); });
  const X = seededValues(n * d, 5);
  const Xt = seededValues(5 * d, 6);
  const Y = seededValues(n, 7);

  it('starts at the zero function, and θ₀ is what init returns', () => {
    const base = createMlp({ widths: [d, 16, 3] });
    const model = createLazyModel(base, base.init(createRng(1)), 10);
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const p = model.init(createRng(123));
    expect(Math.max(...Array.from(model.apply(p, x).dataSync()).map(Math.abs))).toBe(0);
    expect(isLazyModel(model)).toBe(true);
    tf.dispose([x, ...p]);
    model.dispose();
  });

  it('at α = 100 trains to the kernel-regression interpolant with K₀ and the kernel moves < 0.1%; at α = 0.5 both are far larger', () => {
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const xt = tf.tensor2d(Float32Array.from(Xt), [5, d]);
    const y = tf.tensor2d(Float32Array.from(Y), [n, 1]);
    // Step size from the base kernel: η = 1/λ_max(K/n), stable for function-space GD.
    const probe = createMlp({ widths: [d, width, 1] });
    const probeParams = probe.init(createRng(3));
    const kBase = tangentKernel(probe, probeParams, x);
    const mu = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(kBase.values.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true }).realEigenvalues;
    const eta = n / Math.max(...mu);
    tf.dispose(probeParams);
    const results = [100, 0.5].map((alpha) => {
      const { model, params } = train(alpha, 3000, eta, x, y);
      const init = model.initialParams;
      // K₀ of the lazy model (α² times the base kernel) in float64 from float32 Gram blocks.
      const k0 = tangentKernel(model, init, x);
      const cross0 = tangentKernel(model, init, xt, x);
      const fit = fitKernelRegression({ kernel: k0.values, m: n, targets: Float64Array.from(Y), columns: 1 });
      const kernelTest = predictKernelRegression(fit, cross0.values);
      // The same number of GD steps in function space (float64), for the finite-time comparison.
      const kgd = kernelGradientDescent({
        kernel: k0.values, cross: cross0.values, n, outputs: 1, initialTrain: new Float64Array(n), initialTest: new Float64Array(5),
        targets: Float64Array.from(Y), loss: 'squared', learningRate: () => eta, lossScale: 1 / alpha ** 2, steps: 3000,
      });
      const netTest = model.apply(params, xt).dataSync();
      const netTrain = model.apply(params, x).dataSync();
      const change = relativeKernelChange(tangentKernel(model, params, x), k0);
      const out = { alpha, change, toKernel: relativeError(netTest, kernelTest), toKernelGd: relativeError(netTest, kgd.test!), trainResidual: relativeError(netTrain, Y), kernelGdResidual: relativeError(kgd.train, Y) };
      tf.dispose(params);
      model.dispose();
      return out;
    });
    const [large, small] = results;
    // Measured (wasm, float32 training): α = 100: ‖f − f_KR‖/‖f_KR‖ = 1.5e-4 on test points,
    // kernel change 1.6e-5, train residual 7e-6; α = 0.5: 2.4e-3 and 7.4e-3.
    expect(large.trainResidual).toBeLessThan(1e-4);
    expect(large.toKernel).toBeLessThan(1e-3);
    expect(large.toKernelGd).toBeLessThan(1e-3);
    expect(large.change).toBeLessThan(1e-3);
    expect(small.change).toBeGreaterThan(100 * large.change);
    expect(small.toKernel).toBeGreaterThan(5 * large.toKernel);
    tf.dispose([x, xt, y]);
  });

  it('wraps every architecture: zero at θ₀, α·(f(θ) − f(θ₀)) elsewhere; batch norm is refused', () => {
    const cfg = (model: Record<string, unknown>) => parseRunConfig({ model, optimizer: { kind: 'gd', learningRate: 0.1 }, training: { steps: 1 } });
    const x = tf.tensor2d(Float32Array.from(seededValues(3 * 64, 9)), [3, 64]);
    for (const model of [{ kind: 'mlp', hidden: [8] }, { kind: 'cnn', channels: [4] }, { kind: 'residual-mlp', width: 8, depth: 2 }, { kind: 'resnet-cnn', stages: [4], norm: 'layer' }]) {
      const base = buildModel(cfg(model), [8, 8, 1], 10);
      const lazy = createLazyModel(base, base.init(createRng(2)), 10);
      const theta0 = lazy.init(createRng(0));
      expect(Math.max(...Array.from(lazy.apply(theta0, x).dataSync()).map(Math.abs)), model.kind).toBe(0);
      const theta = theta0.map((t, i) => tf.add(t, tf.mul(0.01, tf.tensor(Float32Array.from(seededValues(t.size, 50 + i)), t.shape))));
      const want = tf.tidy(() => tf.mul(10, tf.sub(base.apply(theta, x), base.apply(theta0, x))));
      expect(relativeError(lazy.apply(theta, x).dataSync(), want.dataSync()), model.kind).toBeLessThan(1e-6);
      tf.dispose([...theta0, ...theta, want]);
      lazy.dispose();
    }
    const bn = buildModel(cfg({ kind: 'resnet-cnn', stages: [4], norm: 'batch' }), [8, 8, 1], 10);
    const bnInit = bn.init(createRng(1));
    expect(() => createLazyModel(bn, bnInit, 10)).toThrow(/batch normalisation/);
    tf.dispose([x, ...bnInit]);
  });

  it('exact HVPs of the loss through the lazy model agree with finite differences of gradients (tanh net)', () => {
    const base = createMlp({ widths: [d, 12, 3], activation: 'tanh', bias: true });
    const model = createLazyModel(base, base.init(createRng(8)), 3);
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const labels = tf.tensor2d(Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [n, 3]);
    const params = model.init(createRng(0)).map((t, i) => tf.add(t, tf.mul(0.2, tf.tensor(Float32Array.from(seededValues(t.size, 70 + i)), t.shape))));
    const v = params.map((t, i) => tf.tensor(Float32Array.from(seededValues(t.size, 80 + i)), t.shape));
    const loss = (p: tf.Tensor[]) => softmaxCrossEntropy(model.apply(p, x), labels);
    const exact = hessianVectorProduct(loss, params, v);
    const fd = hessianVectorProductFiniteDifference(loss, params, v, 1e-2);
    const flat = (ts: tf.Tensor[]) => Float64Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
    expect(relativeError(flat(exact), flat(fd))).toBeLessThan(5e-3);
    tf.dispose([x, labels, ...params, ...v, ...exact, ...fd]);
    model.dispose();
  });

  it('saves θ₀ with its checkpoint and loads an identical function', () => {
    const base = createMlp({ widths: [d, 8, 2], bias: true });
    const model = createLazyModel(base, base.init(createRng(4)), 7);
    const params = model.init(createRng(0)).map((t, i) => tf.add(t, tf.fill(t.shape, 0.01 * (i + 1))));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-lazy-'));
    saveCheckpoint(path.join(dir, 'ckpt'), model, params);
    const loaded = loadCheckpoint(path.join(dir, 'ckpt'));
    expect(isLazyModel(loaded.model)).toBe(true);
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    expect(Array.from(loaded.model.apply(loaded.params, x).dataSync())).toEqual(Array.from(model.apply(params, x).dataSync()));
    fs.rmSync(path.join(dir, 'ckpt', 'initial-params.bin'));
    expect(() => loadCheckpoint(path.join(dir, 'ckpt'))).toThrow(/initial-params\.bin/);
    fs.rmSync(dir, { recursive: true, force: true });
    tf.dispose([x, ...params, ...loaded.params]);
  });

  it('config: lazyScale on every kind, not with batch norm; the kernel predictor needs gd', () => {
    const base = { optimizer: { kind: 'gd', learningRate: 0.1 }, training: { steps: 1 } };
    expect(parseRunConfig({ ...base, model: { kind: 'cnn', lazyScale: 10 } }).model.lazyScale).toBe(10);
    expect(() => parseRunConfig({ ...base, model: { kind: 'resnet-cnn', norm: 'batch', lazyScale: 10 } })).toThrow(/model\.lazyScale/);
    expect(() => parseRunConfig({ ...base, model: { lazyScale: 0 } })).toThrow(/model\.lazyScale/);
    expect(() => parseRunConfig({ optimizer: { kind: 'sgd', learningRate: 0.1 }, training: { steps: 1 }, probes: { kernelPredictor: {} } })).toThrow(/probes\.kernelPredictor: needs optimizer\.kind "gd"/);
    expect(parseRunConfig(base).probes.tangentKernel).toBe(false);
  });
});
