/**
 * Tangent-kernel, linearisation and parameter-movement probes against independent float64
 * computations: the data Gram matrix for linear models, an analytic Jacobian for a one-hidden-
 * layer ReLU network, central finite differences for a smooth network.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createLinearModel } from '../src/models/linear.ts';
import { createMlp } from '../src/models/mlp.ts';
import { tangentKernel, relativeKernelChange, kernelTargetAlignment, type KernelMatrix } from '../src/probes/tangentKernel.ts';
import { jacobianVectorProduct, linearisedOutputs, linearisationDistance } from '../src/probes/linearisation.ts';
import { parameterMovement } from '../src/probes/parameterMovement.ts';
import { createRng } from '../src/util/rng.ts';
import { relativeError, seededValues } from './helpers/float64.ts';

/** Analytic float64 Jacobian of f(x) = relu(xW1)W2, rows (i, k), columns in params.bin order. */
function reluNetJacobian(x: Float64Array, n: number, d: number, w1: Float32Array, h: number, w2: Float32Array, K: number): Float64Array {
  const p = d * h + h * K;
  const J = new Float64Array(n * K * p);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(h);
    for (let j = 0; j < h; j++) for (let a = 0; a < d; a++) z[j] += x[i * d + a] * w1[a * h + j];
    for (let k = 0; k < K; k++) {
      const row = (i * K + k) * p;
      for (let a = 0; a < d; a++) for (let j = 0; j < h; j++) J[row + a * h + j] = z[j] > 0 ? x[i * d + a] * w2[j * K + k] : 0;
      for (let j = 0; j < h; j++) J[row + d * h + j * K + k] = Math.max(z[j], 0);
    }
  }
  return J;
}

function gram(J: Float64Array, rows: number, p: number): Float64Array {
  const G = new Float64Array(rows * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < rows; c++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += J[r * p + j] * J[c * p + j];
    G[r * rows + c] = s;
  }
  return G;
}

function traceOverOutputs(full: Float64Array, n: number, K: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < K; k++) out[i * n + j] += full[(i * K + k) * n * K + j * K + k];
  return out;
}

describe('tangent kernel', () => {
  beforeAll(async () => { await setupBackend(); });

  it('of a linear model is the data Gram matrix XXᵀ (×K summed over K outputs, ⊗ I in full) and does not change with training', () => {
    const n = 9;
    const d = 6;
    const X = seededValues(n * d, 3);
    const XXt = gram(X, n, d);
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const single = createLinearModel({ inputSize: d, init: { kind: 'gaussian' } });
    const params = single.init(createRng(1));
    const k0 = tangentKernel(single, params, x);
    expect(relativeError(k0.values, XXt)).toBeLessThan(1e-6);
    // Ten GD steps on a squared loss, then the kernel again: identical (the Jacobian is X whatever θ).
    const y = tf.tensor2d(Float32Array.from(seededValues(n, 4)), [n, 1]);
    let theta = params;
    for (let t = 0; t < 10; t++) {
      const next = tf.tidy(() => {
        const g = tf.grads((w: tf.Tensor) => tf.mean(tf.square(tf.sub(single.apply([w], x), y))))([theta[0]])[0];
        return [tf.sub(theta[0], tf.mul(0.3, g))];
      });
      tf.dispose(theta);
      theta = next;
    }
    const moved = parameterMovement(single.paramSpecs, theta, single.init(createRng(1)));
    expect(moved.relative!).toBeGreaterThan(0.1);
    const k1 = tangentKernel(single, theta, x);
    expect(relativeKernelChange(k1, k0)).toBe(0);

    const K = 3;
    const multi = createLinearModel({ inputSize: d, outputs: K, init: { kind: 'gaussian' } });
    const mp = multi.init(createRng(2));
    const trace = tangentKernel(multi, mp, x);
    expect(relativeError(trace.values, XXt.map((v) => K * v))).toBeLessThan(1e-6);
    const full = tangentKernel(multi, mp, x, undefined, { outputs: 'full', chunkSize: 4 });
    const kron = new Float64Array(n * K * n * K);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < K; k++) kron[(i * K + k) * n * K + j * K + k] = XXt[i * n + j];
    expect(relativeError(full.values, kron)).toBeLessThan(1e-6);
    tf.dispose([x, y, ...theta, ...mp]);
  });

  it('of a ReLU MLP equals J Jᵀ from the analytic Jacobian to 1e-5, for every chunk size, full, trace and one logit', () => {
    const n = 10;
    const d = 5;
    const h = 7;
    const K = 3;
    const model = createMlp({ widths: [d, h, K] });
    const params = model.init(createRng(5));
    const X = seededValues(n * d, 8);
    const J = reluNetJacobian(X, n, d, params[0].dataSync() as Float32Array, h, params[1].dataSync() as Float32Array, K);
    const p = d * h + h * K;
    const fullRef = gram(J, n * K, p);
    const traceRef = traceOverOutputs(fullRef, n, K);
    const logit1 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) logit1[i * n + j] = fullRef[(i * K + 1) * n * K + j * K + 1];
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    for (const chunkSize of [3, 4, n]) {
      const full = tangentKernel(model, params, x, undefined, { outputs: 'full', chunkSize });
      expect(relativeError(full.values, fullRef)).toBeLessThan(1e-5);
      expect(relativeError(tangentKernel(model, params, x, undefined, { chunkSize }).values, traceRef)).toBeLessThan(1e-5);
      expect(relativeError(tangentKernel(model, params, x, undefined, { outputs: 1, chunkSize }).values, logit1)).toBeLessThan(1e-5);
    }
    // Cross kernel between two sets: the rectangular block of the full one.
    const xa = x.slice(0, 4);
    const xb = x.slice(4, 6);
    const cross = tangentKernel(model, params, xa, xb, { chunkSize: 3 });
    const want = new Float64Array(4 * 6);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) want[i * 6 + j] = traceRef[i * n + 4 + j];
    expect(relativeError(cross.values, want)).toBeLessThan(1e-5);
    tf.dispose([x, xa, xb, ...params]);
  });

  it('alignment is 1 for K ∝ YYᵀ, below 1 otherwise; relative change is ‖K−K₀‖/‖K₀‖', () => {
    const labels = [0, 1, 0, 2, 1];
    const n = labels.length;
    const yy: KernelMatrix = { values: new Float64Array(n * n), rows: n, cols: n, outputs: 'trace', backwardPasses: 0 };
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) yy.values[i * n + j] = labels[i] === labels[j] ? 2.5 : 0;
    expect(kernelTargetAlignment(yy, labels)).toBeCloseTo(1, 12);
    const identity: KernelMatrix = { ...yy, values: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) identity.values[i * n + i] = 1;
    // ⟨I, YYᵀ⟩ = n, ‖I‖ = √n, ‖YYᵀ‖ = √(Σ class sizes²) = √(4+4+1) = 3.
    expect(kernelTargetAlignment(identity, labels)).toBeCloseTo(n / (Math.sqrt(n) * 3), 12);
    const doubled: KernelMatrix = { ...identity, values: identity.values.map((v) => 3 * v) };
    expect(relativeKernelChange(doubled, identity)).toBeCloseTo(2, 12);
  });
});

describe('linearised model', () => {
  beforeAll(async () => { await setupBackend(); });

  it('J₀δ by double backward equals the analytic Jacobian times δ (ReLU) and a central difference (tanh)', () => {
    const n = 6;
    const d = 4;
    const h = 5;
    const K = 2;
    const X = seededValues(n * d, 11);
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const relu = createMlp({ widths: [d, h, K] });
    const p0 = relu.init(createRng(3));
    const p = d * h + h * K;
    const deltaValues = seededValues(p, 12, 0.1);
    const delta = [tf.tensor(Float32Array.from(deltaValues.subarray(0, d * h)), [d, h]), tf.tensor(Float32Array.from(deltaValues.subarray(d * h)), [h, K])];
    const J = reluNetJacobian(X, n, d, p0[0].dataSync() as Float32Array, h, p0[1].dataSync() as Float32Array, K);
    const want = new Float64Array(n * K);
    for (let r = 0; r < n * K; r++) for (let j = 0; j < p; j++) want[r] += J[r * p + j] * deltaValues[j];
    const jvp = jacobianVectorProduct(relu, p0, x, delta);
    expect(relativeError(jvp.dataSync(), want)).toBeLessThan(1e-5);

    const smooth = createMlp({ widths: [d, h, h, K], activation: 'tanh', bias: true });
    const s0 = smooth.init(createRng(4));
    const dir = s0.map((t, i) => tf.tensor(Float32Array.from(seededValues(t.size, 20 + i, 1)), t.shape));
    const eps = 1e-2;
    const fd = tf.tidy(() => tf.div(tf.sub(
      smooth.apply(s0.map((t, i) => tf.add(t, tf.mul(eps, dir[i]))), x),
      smooth.apply(s0.map((t, i) => tf.sub(t, tf.mul(eps, dir[i]))), x)), 2 * eps));
    const exact = jacobianVectorProduct(smooth, s0, x, dir);
    // Central difference: O(ε²) truncation plus float32 round-off ~1e-7/ε.
    expect(relativeError(exact.dataSync(), fd.dataSync())).toBeLessThan(2e-3);
    tf.dispose([x, jvp, fd, exact, ...delta, ...dir, ...p0, ...s0]);
  });

  it('a linear model is its own linearisation; a ReLU net after a step is not, and the result does not depend on the chunk size', () => {
    const n = 12;
    const d = 5;
    const x = tf.tensor2d(Float32Array.from(seededValues(n * d, 13)), [n, d]);
    const linear = createLinearModel({ inputSize: d, outputs: 2, bias: true, init: { kind: 'gaussian' } });
    const l0 = linear.init(createRng(6));
    const l1 = l0.map((t, i) => tf.add(t, tf.tensor(Float32Array.from(seededValues(t.size, 30 + i, 0.5)), t.shape)));
    const exactLin = linearisationDistance(linearisedOutputs(linear, l1, l0, x, 5));
    expect(exactLin.relative!).toBeLessThan(1e-6);

    const net = createMlp({ widths: [d, 16, 3] });
    const n0 = net.init(createRng(7));
    const n1 = n0.map((t, i) => tf.add(t, tf.tensor(Float32Array.from(seededValues(t.size, 40 + i, 0.3)), t.shape)));
    const a = linearisedOutputs(net, n1, n0, x, 5);
    const b = linearisedOutputs(net, n1, n0, x, n);
    expect(relativeError(a.linearised, b.linearised)).toBeLessThan(1e-6);
    const dist = linearisationDistance(a);
    expect(dist.relative!).toBeGreaterThan(1e-3);
    // rms against a float64 recomputation from the returned outputs.
    let s = 0;
    for (let i = 0; i < a.current.length; i++) s += (a.current[i] - a.linearised[i]) ** 2;
    expect(dist.rms).toBeCloseTo(Math.sqrt(s / n), 10);
    tf.dispose([x, ...l0, ...l1, ...n0, ...n1]);
  });
});

describe('parameter movement', () => {
  beforeAll(async () => { await setupBackend(); });

  it('overall and per layer, against float64 sums', () => {
    const model = createMlp({ widths: [3, 4, 2], bias: true });
    const init = model.init(createRng(1));
    const moved = init.map((t, i) => tf.add(t, tf.fill(t.shape, 0.1 * (i + 1))));
    const m = parameterMovement(model.paramSpecs, moved, init);
    const sq = (t: tf.Tensor) => Array.from(t.dataSync()).reduce((s, v) => s + v * v, 0);
    const steps = model.paramSpecs.map((s, i) => s.shape.reduce((a, b) => a * b, 1) * (0.1 * (i + 1)) ** 2);
    const init2 = init.map(sq);
    expect(m.absolute).toBeCloseTo(Math.sqrt(steps.reduce((a, b) => a + b)), 5);
    expect(m.relative!).toBeCloseTo(Math.sqrt(steps.reduce((a, b) => a + b) / init2.reduce((a, b) => a + b)), 5);
    expect(m.perLayer.map((l) => l.name)).toEqual(['dense0', 'dense1']);
    expect(m.perLayer[1].relative!).toBeCloseTo(Math.sqrt((steps[2] + steps[3]) / (init2[2] + init2[3])), 5);
    tf.dispose([...init, ...moved]);
  });
});

describe('laziness probes leak no tensors', () => {
  beforeAll(async () => { await setupBackend(); });

  it('record() twice (kernel, linearisation, kernel predictor) leaves the tensor count unchanged', async () => {
    const { LazinessProbes } = await import('../src/probes/lazinessProbes.ts');
    const { toTensorData, disposeTensorData } = await import('../src/train/tensorData.ts');
    const { syntheticDataset } = await import('./helpers/data.ts');
    const model = createMlp({ widths: [6, 12, 3] });
    const init = model.init(createRng(1));
    const params = init.map((t) => tf.add(t, 0.05));
    const train = toTensorData(syntheticDataset(12, 6, 3, 4));
    const test = toTensorData(syntheticDataset(9, 6, 3, 5));
    const probes = new LazinessProbes(model, init, { train, test }, {
      movement: true, tangentKernel: { data: train, outputs: 'trace', chunkSize: 5 }, linearisation: { chunkSize: 4 },
      kernelPredictor: { test, loss: 'cross-entropy', learningRate: () => 0.1, lossScale: 1, chunkSize: 5 },
    });
    probes.record(params, 3);
    const before = tf.memory().numTensors;
    const r = probes.record(params, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.kernelChange!).toBeGreaterThan(0);
    expect(r.kernelPredictorRelativeTest!).toBeGreaterThan(0);
    tf.dispose([...init, ...params]);
    disposeTensorData(train);
    disposeTensorData(test);
  });
});
