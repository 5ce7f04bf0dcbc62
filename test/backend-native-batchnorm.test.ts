/**
 * The fused batch norm of the native backend (src/backend/native/batchNorm.ts, batchNormOp.ts):
 * value, gradient (the native IblBatchNormGrad kernel, used when no tape records) and exact HVP
 * (the gradient in TF ops, differentiated again) against a float64 reference — a plain-JS batch
 * norm differentiated by central and mixed second differences — and against the unfused
 * composition of `normalise` on the stock cpu backend; then whole resnet-cnn / residual-MLP
 * batch-norm models on native against the same models on cpu (gradient, HVP, inference mode).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { NORM_EPSILON, normalise } from '../src/models/layers.ts';
import { createResnetCnn } from '../src/models/resnetCnn.ts';
import { createResidualMlp } from '../src/models/residualMlp.ts';
import { disposeBatchNormStatistics, hasBatchNormInference } from '../src/models/batchNormState.ts';
import type { Model } from '../src/models/types.ts';
import { gradientOf, hessianVectorProduct } from '../src/probes/hvp.ts';
import { softmaxCrossEntropy, oneHotFloat } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';
import { hessianVectorProductFloat64, relativeError, seededValues } from './helpers/float64.ts';
import { gradientCentral64 } from './helpers/convFloat64.ts';
import { nativeAvailable } from './helpers/native.ts';
import { tidyValue } from './helpers/convNets.ts';

const available = nativeAvailable('native fused batch norm');

const shape = [3, 4, 3, 5];
const channels = shape[3];
const count = shape[0] * shape[1] * shape[2];
const size = count * channels;
/** θ = (x, γ, β) flattened; x is a parameter too, so the HVP covers ∂²/∂x² and the mixed blocks. */
const theta0 = Float64Array.from(Float32Array.from([...seededValues(size, 11, 2), ...seededValues(channels, 12, 1).map((v) => 1 + v / 2), ...seededValues(channels, 13, 0.5)]));
const direction = Float64Array.from(Float32Array.from(seededValues(theta0.length, 14)));
const weights = Float64Array.from(Float32Array.from(seededValues(size, 15)));

/** Batch norm of x [count, channels] in float64, then the smooth loss Σ c·tanh(y). */
function loss64(theta: Float64Array): number {
  let loss = 0;
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += theta[i * channels + k];
    mean /= count;
    let variance = 0;
    for (let i = 0; i < count; i++) variance += (theta[i * channels + k] - mean) ** 2;
    variance /= count;
    const r = 1 / Math.sqrt(variance + Math.fround(NORM_EPSILON));
    const gamma = theta[size + k], beta = theta[size + channels + k];
    for (let i = 0; i < count; i++) loss += weights[i * channels + k] * Math.tanh((theta[i * channels + k] - mean) * r * gamma + beta);
  }
  return loss;
}

function split(theta: ArrayLike<number>): tf.Tensor[] {
  const t = Float32Array.from(theta);
  return [tf.tensor(t.slice(0, size), shape), tf.tensor1d(t.slice(size, size + channels)), tf.tensor1d(t.slice(size + channels))];
}

const lossTf = (ps: tf.Tensor[]) => tf.sum(tf.mul(tf.tensor(Float32Array.from(weights), shape), tf.tanh(normalise(ps[0], 'batch', ps[1], ps[2])))) as tf.Scalar;

interface OpResult { y: Float64Array; gradient: Float64Array; hvp: Float64Array; kernels: string[] }

async function opOn(backend: 'native' | 'cpu'): Promise<OpResult> {
  await tf.setBackend(backend);
  const concat = (ts: tf.Tensor[]) => Float64Array.from(tf.concat(ts.map((t) => t.flatten())).dataSync());
  let kernels: string[] = [];
  const profile = await tf.profile(() => { tf.tidy(() => { gradientOf(lossTf, split(theta0)); }); });
  kernels = profile.kernels.map((k) => k.name);
  return tidyValue(() => {
    const ps = split(theta0);
    const [x, gamma, beta] = ps;
    return {
      y: Float64Array.from(normalise(x, 'batch', gamma, beta).dataSync()),
      gradient: concat(gradientOf(lossTf, ps).grads),
      hvp: concat(hessianVectorProduct(lossTf, ps, split(direction))),
      kernels,
    };
  });
}

function normalise64(theta: Float64Array): Float64Array {
  const y = new Float64Array(size);
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += theta[i * channels + k];
    mean /= count;
    let variance = 0;
    for (let i = 0; i < count; i++) variance += (theta[i * channels + k] - mean) ** 2;
    variance /= count;
    const r = 1 / Math.sqrt(variance + Math.fround(NORM_EPSILON));
    for (let i = 0; i < count; i++) y[i * channels + k] = (theta[i * channels + k] - mean) * r * theta[size + k] + theta[size + channels + k];
  }
  return y;
}

describe.runIf(available)('fused batch norm on native', () => {
  let native: OpResult;
  let cpu: OpResult;
  beforeAll(async () => {
    await setupBackend('native');
    native = await opOn('native');
    cpu = await opOn('cpu');
    await tf.setBackend('native');
  });

  it('runs as IblBatchNorm forward and IblBatchNormGrad backward on native; the composition on cpu', () => {
    expect(native.kernels).toContain('IblBatchNorm');
    expect(native.kernels).toContain('IblBatchNormGrad');
    expect(native.kernels).not.toContain('Rsqrt');
    expect(cpu.kernels).not.toContain('IblBatchNorm');
    expect(cpu.kernels).toContain('Rsqrt');
  });

  it('value equals the float64 batch norm and the unfused composition to float32 rounding', () => {
    expect(relativeError(native.y, normalise64(theta0))).toBeLessThan(1e-6);
    expect(relativeError(native.y, cpu.y)).toBeLessThan(1e-6);
  });

  it('value with a mean far from zero (|μ| = 100σ) still equals the float64 batch norm to 1e-5', async () => {
    await tf.setBackend('native');
    const shifted = Float64Array.from(Float32Array.from(theta0.map((v, i) => (i < size ? 100 + v / 2 : v))));
    const y = tidyValue(() => {
      const [x, gamma, beta] = split(shifted);
      return Float64Array.from(normalise(x, 'batch', gamma, beta).dataSync());
    });
    expect(relativeError(y, normalise64(shifted))).toBeLessThan(1e-5);
  });

  it('on 20×32×32×16 elements (≥ 2¹⁸: rows split over threads) value and gradient equal the composition on cpu', async () => {
    const big = [20, 32, 32, 16];
    const values = Float32Array.from(seededValues(big.reduce((a, b) => a * b, 1), 31, 2));
    const upstream = Float32Array.from(seededValues(values.length, 32));
    const gammaValues = Float32Array.from(seededValues(16, 33, 1), (v) => 1 + v / 2);
    const run = async (backend: 'native' | 'cpu') => {
      await tf.setBackend(backend);
      return tidyValue(() => {
        const args = [tf.tensor(values, big), tf.tensor1d(gammaValues), tf.tensor1d(Float32Array.from(seededValues(16, 34)))];
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.tensor(upstream, big), normalise(x, 'batch', g, b)));
        const y = Float64Array.from(normalise(args[0], 'batch', args[1], args[2]).dataSync());
        const grads = tf.grads(f)(args).map((g) => Float64Array.from(g.dataSync()));
        return { y, grads };
      });
    };
    const got = await run('native');
    const want = await run('cpu');
    expect(relativeError(got.y, want.y)).toBeLessThan(1e-6);
    for (const [i, g] of got.grads.entries()) expect(relativeError(g, want.grads[i]), `gradient ${i}`).toBeLessThan(1e-5);
    await tf.setBackend('native');
  });

  it('gradient in x, γ, β equals a float64 central difference and the composition', () => {
    const reference = gradientCentral64(loss64, theta0, 1e-5);
    expect(relativeError(native.gradient, reference)).toBeLessThan(1e-5);
    expect(relativeError(native.gradient, cpu.gradient)).toBeLessThan(1e-5);
  });

  it('exact HVP (reverse over reverse) equals a float64 mixed second difference and the composition', () => {
    const reference = hessianVectorProductFloat64(loss64, theta0, direction, 1e-4, 1e-4);
    const halved = hessianVectorProductFloat64(loss64, theta0, direction, 5e-5, 5e-5);
    // The reference's own discretisation error bounds how tightly it can judge.
    const referenceError = relativeError(halved, reference);
    expect(referenceError).toBeLessThan(1e-5);
    expect(relativeError(native.hvp, reference)).toBeLessThan(1e-4);
    expect(relativeError(native.hvp, cpu.hvp)).toBeLessThan(1e-4);
  });
});

const models: [string, () => Model][] = [
  ['resnet-cnn [4, 6] batch', () => createResnetCnn({ inputShape: [6, 6, 2], stages: [4, 6], norm: 'batch', outputs: 3 })],
  ['residual-mlp batch', () => createResidualMlp({ inputSize: 72, width: 6, depth: 2, outputs: 3, norm: 'batch' })],
];

describe.runIf(available)('batch-norm models on native against cpu', () => {
  beforeAll(async () => { await setupBackend('native'); });
  const n = 7;
  const x = Float32Array.from(seededValues(n * 72, 21, 2));
  const labels = oneHotFloat(Int32Array.from({ length: n }, (_, i) => i % 3), 3);

  async function evaluate(backend: 'native' | 'cpu', make: () => Model) {
    await tf.setBackend(backend);
    const model = make();
    return tidyValue(() => {
      const params = model.init(createRng(5));
      const v = model.init(createRng(6));
      const xt = tf.tensor2d(x, [n, 72]);
      const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, xt), labels);
      const flat = (ts: tf.Tensor[]) => Float64Array.from(tf.concat(ts.map((t) => t.flatten())).dataSync());
      let inference: Float64Array = new Float64Array(0);
      if (hasBatchNormInference(model)) {
        const stats = model.estimateBatchNormStatistics(params, xt, 3);
        inference = Float64Array.from(model.applyInference(params, stats, xt).dataSync());
        disposeBatchNormStatistics(stats);
      }
      return { gradient: flat(gradientOf(loss, params).grads), hvp: flat(hessianVectorProduct(loss, params, v)), inference };
    });
  }

  it('a gradient and an HVP through the fused op leave no tensor behind', async () => {
    await tf.setBackend('native');
    const make = models[0][1];
    const model = make();
    const params = model.init(createRng(5));
    const xt = tf.tensor2d(x, [n, 72]);
    const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, xt), labels);
    const once = () => tf.tidy(() => { gradientOf(loss, params).grads.forEach((g) => g.dataSync()); hessianVectorProduct(loss, params, params)[0].dataSync(); });
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...params, xt]);
  });

  for (const [name, make] of models) {
    it(`${name}: gradient, exact HVP and inference-mode logits equal cpu's (unfused composition)`, async () => {
      const want = await evaluate('cpu', make);
      const got = await evaluate('native', make);
      expect(relativeError(got.gradient, want.gradient)).toBeLessThan(1e-4);
      expect(relativeError(got.hvp, want.hvp)).toBeLessThan(1e-4);
      expect(got.inference.length).toBeGreaterThan(0);
      expect(relativeError(got.inference, want.inference)).toBeLessThan(1e-5);
    });
  }
});
