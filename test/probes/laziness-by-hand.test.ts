/**
 * The LazinessProbes record against closed forms:
 *  - a linear model is its own linearisation, so GD on it (run here with plain tf.grads, a
 *    step-dependent learning rate and a loss scale) moves its outputs exactly as the kernel
 *    predictor does: the predictor distance is 0 up to float32 round-off at every probe step,
 *    including after the probe steps go backwards, and its test accuracy is the network's;
 *  - a two-layer linear network f(x) = x W₁ W₂ has f − f_lin = x δ₁ δ₂ exactly (δ = θ − θ₀), and
 *    the tangent kernel (x_i·x_j)‖W₂‖²_F + K (x_i W₁)·(x_j W₁), both computed here in float64;
 *  - the kernel-pair cap n·K ≤ 4000.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createLinearModel } from '../../src/models/linear.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { LazinessProbes, maxKernelPairs } from '../../src/probes/lazinessProbes.ts';
import type { KernelLoss } from '../../src/reference/kernelRegression.ts';
import { oneHotFloat } from '../../src/train/loss.ts';
import type { TensorData } from '../../src/train/tensorData.ts';
import { createRng } from '../../src/util/rng.ts';
import { seededValues } from '../helpers/float64.ts';

function tensorData(n: number, d: number, K: number, seed: number): TensorData {
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % K);
  return { x: tf.tensor2d(Float32Array.from(seededValues(n * d, seed)), [n, d]), oneHot: oneHotFloat(labels, K), labels, n };
}

function dispose(...data: TensorData[]) {
  for (const d of data) tf.dispose([d.x, d.oneHot]);
}

const read = (t: tf.Tensor) => Float64Array.from(t.dataSync());

describe('laziness probes against closed forms', () => {
  beforeAll(async () => { await setupBackend(); });

  for (const loss of ['squared', 'cross-entropy'] as KernelLoss[]) {
    it(`${loss}: the kernel predictor of a linear model is the GD-trained model itself, at every probe step`, () => {
      const d = 3;
      const K = 3;
      const train = tensorData(8, d, K, 1);
      const test = tensorData(6, d, K, 2);
      const model = createLinearModel({ inputSize: d, outputs: K, init: { kind: 'gaussian' } });
      const init = model.init(createRng(4));
      const learningRate = (t: number) => 0.3 + 0.1 * t;
      const lossScale = 1.5;
      const lossOf = (w: tf.Tensor) => {
        const f = model.apply([w], train.x);
        const value = loss === 'squared'
          ? tf.div(tf.sum(tf.square(tf.sub(f, train.oneHot))), 2 * train.n)
          : tf.neg(tf.mean(tf.sum(tf.mul(train.oneHot, tf.logSoftmax(f)), 1)));
        return tf.mul(lossScale, value) as tf.Scalar;
      };
      // θ_t for t = 0..5 by plain GD: θ_{t+1} = θ_t − η_t s ∇L(θ_t).
      const thetas = [init[0].clone()];
      for (let t = 0; t < 5; t++) {
        thetas.push(tf.tidy(() => tf.sub(thetas[t], tf.mul(learningRate(t), tf.grad(lossOf)(thetas[t])))));
      }
      const probes = new LazinessProbes(model, init, { train, test }, {
        movement: false, tangentKernel: false, linearisation: false,
        kernelPredictor: { test, loss, learningRate, lossScale, chunkSize: 4 },
      });
      const scale = (w: tf.Tensor, x: tf.Tensor) => Math.sqrt(read(tf.tidy(() => tf.sum(tf.square(model.apply([w], x))))).at(0)! / x.shape[0]);
      for (const step of [0, 2, 5, 3, 4]) {
        const r = probes.record([thetas[step]], step);
        expect(r.kernelPredictorDistanceTrain!, `step ${step}`).toBeLessThan(1e-5 * scale(thetas[step], train.x));
        expect(r.kernelPredictorDistanceTest!, `step ${step}`).toBeLessThan(1e-5 * scale(thetas[step], test.x));
        if (step === 0) {
          expect(r.kernelPredictorRelativeTrain).toBeNull();
          expect(r.kernelPredictorRelativeTest).toBeNull();
        } else {
          expect(r.kernelPredictorRelativeTrain!).toBeLessThan(1e-4);
          expect(r.kernelPredictorRelativeTest!).toBeLessThan(1e-4);
        }
        // Accuracy of the (identical) network on the test set, by hand.
        const f = read(model.apply([thetas[step]], test.x));
        let correct = 0;
        for (let i = 0; i < test.n; i++) {
          const row = Array.from(f.subarray(i * K, (i + 1) * K));
          if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
        }
        expect(r.kernelPredictorTestAccuracy).toBe(correct / test.n);
      }
      // The two distances are rms over examples, not a sum: a network displaced by a constant c
      // in every output is √K·c away from the predictor.
      const shifted = createLinearModel({ inputSize: d, outputs: K, bias: true, init: { kind: 'gaussian' } });
      const shiftedInit = [init[0], tf.zeros([K])];
      const shiftedProbes = new LazinessProbes(shifted, shiftedInit, { train, test }, {
        movement: false, tangentKernel: false, linearisation: false,
        kernelPredictor: { test: null, loss, learningRate, lossScale, chunkSize: 4 },
      });
      const bias = tf.fill([K], 0.25);
      const r = shiftedProbes.record([init[0], bias], 0);
      expect(r.kernelPredictorDistanceTrain!).toBeCloseTo(Math.sqrt(K) * 0.25, 6);
      expect(r.kernelPredictorDistanceTest).toBeUndefined();
      expect(r.kernelPredictorTestAccuracy).toBeUndefined();
      tf.dispose([...thetas, ...init, shiftedInit[1], bias]);
      dispose(train, test);
    });
  }

  it('distances are rms over examples (train and test) and the predictor accuracy takes the first of tied logits, over more than one 256-example chunk', () => {
    // f = xW + b from W = 0, b = 0: f₀ = 0 everywhere, and at step 0 the predictor is f₀. The
    // network displaced to b = (c, c) is √2·c from it on every example; the predictor's logits all
    // tie at 0, so its argmax is class 0 and its accuracy the share of label 0 (52 of 260).
    const model = createLinearModel({ inputSize: 2, outputs: 2, bias: true });
    const init = model.init(createRng(0));
    const train = tensorData(4, 2, 2, 1);
    const testLabels = Int32Array.from({ length: 260 }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const test: TensorData = { x: tf.tensor2d(Float32Array.from(seededValues(520, 9)), [260, 2]), oneHot: oneHotFloat(testLabels, 2), labels: testLabels, n: 260 };
    const probes = new LazinessProbes(model, init, { train, test }, {
      movement: false, tangentKernel: false, linearisation: false,
      kernelPredictor: { test, loss: 'squared', learningRate: () => 0.1, lossScale: 1, chunkSize: 512 },
    });
    const c = 0.25;
    const displaced = [init[0], tf.fill([2], c)];
    const r = probes.record(displaced, 0);
    expect(r.kernelPredictorDistanceTrain!).toBeCloseTo(Math.SQRT2 * c, 12);
    expect(r.kernelPredictorDistanceTest!).toBeCloseTo(Math.SQRT2 * c, 12);
    expect(r.kernelPredictorRelativeTest).toBeNull();
    expect(r.kernelPredictorTestAccuracy).toBe(52 / 260);
    tf.dispose([...init, displaced[1]]);
    dispose(train, test);
  });

  it('relative predictor distance after one step, and argmax over three classes, by hand', () => {
    // f = xW + b from W₀, b = 0, squared loss, one step η = 0.5: Θ((i,k),(j,l)) = (x_i·x_j + 1)δ_kl,
    // so the predictor is f₁ = f₀ − η Σ_j (x_i·x_j + 1)(f₀(x_j) − y_j)/n. The network is left at θ₀.
    const W0 = [1, 2, 5, 0, 2, 3]; // [2, 3]: f₀(e₁) = (1, 2, 5), f₀(e₂) = (0, 2, 3)
    const model = createLinearModel({ inputSize: 2, outputs: 3, bias: true, init: { kind: 'values', values: W0 } });
    const init = model.init(createRng(0));
    const xs = [[1, 0], [0, 1]];
    const labels = Int32Array.from([2, 2]);
    const data: TensorData = { x: tf.tensor2d(xs), oneHot: oneHotFloat(labels, 3), labels, n: 2 };
    const probes = new LazinessProbes(model, init, { train: data, test: data }, {
      movement: false, tangentKernel: false, linearisation: false,
      kernelPredictor: { test: data, loss: 'squared', learningRate: () => 0.5, lossScale: 1, chunkSize: 4 },
    });
    const f0 = [[1, 2, 5], [0, 2, 3]];
    const y = [[0, 0, 1], [0, 0, 1]];
    const f1 = f0.map((row, i) => row.map((v, k) => v - 0.5 * [0, 1].reduce((s, j) => s + (xs[i][0] * xs[j][0] + xs[i][1] * xs[j][1] + 1) * (f0[j][k] - y[j][k]) / 2, 0)));
    let d = 0;
    let c = 0;
    for (let i = 0; i < 2; i++) for (let k = 0; k < 3; k++) { d += (f0[i][k] - f1[i][k]) ** 2; c += (f1[i][k] - f0[i][k]) ** 2; }
    const r = probes.record(init, 1);
    expect(r.kernelPredictorDistanceTrain!).toBeCloseTo(Math.sqrt(d / 2), 5);
    expect(r.kernelPredictorRelativeTrain!).toBeCloseTo(Math.sqrt(d / c), 5); // = 1: the network has not moved
    expect(r.kernelPredictorRelativeTest!).toBeCloseTo(1, 5);
    // At step 0 the predictor is f₀: argmax 2 on both rows (5 > 2 > 1 and 3 > 2 > 0): accuracy 1.
    const atStart = new LazinessProbes(model, init, { train: data, test: data }, {
      movement: false, tangentKernel: false, linearisation: false,
      kernelPredictor: { test: data, loss: 'squared', learningRate: () => 0.5, lossScale: 1, chunkSize: 4 },
    });
    expect(atStart.record(init, 0).kernelPredictorTestAccuracy).toBe(1);
    tf.dispose([...init]);
    dispose(data);
  });

  it('two-layer linear net: linearisation miss x δ₁ δ₂, kernel change and alignment, movement — in float64', () => {
    const d = 3;
    const h = 4;
    const K = 2;
    const train = tensorData(7, d, K, 3);
    const test = tensorData(5, d, K, 4);
    const kernelData = tensorData(6, d, K, 5);
    const model = createMlp({ widths: [d, h, K], activation: 'linear' });
    const init = model.init(createRng(6));
    const params = init.map((t, i) => tf.add(t, tf.tensor(Float32Array.from(seededValues(t.size, 50 + i, 0.4)), t.shape)));
    const w0 = init.map(read);
    const w = params.map(read);
    const f = (x: Float64Array, n: number, a: Float64Array, b: Float64Array) => {
      const out = new Float64Array(n * K);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let j = 0; j < h; j++) {
        let z = 0;
        for (let c = 0; c < d; c++) z += x[i * d + c] * a[c * h + j];
        out[i * K + k] += z * b[j * K + k];
      }
      return out;
    };
    const delta = w.map((v, i) => v.map((x, j) => x - w0[i][j]));
    const linearisation = (data: TensorData) => {
      const x = read(data.x);
      const now = f(x, data.n, w[0], w[1]);
      const start = f(x, data.n, w0[0], w0[1]);
      const miss = f(x, data.n, delta[0], delta[1]); // f − f_lin, exactly
      const sq = (v: Float64Array) => v.reduce((s, e) => s + e * e, 0);
      return { rms: Math.sqrt(sq(miss) / data.n), relative: Math.sqrt(sq(miss) / sq(now.map((v, i) => v - start[i]))) };
    };
    const traceKernel = (a: Float64Array, b: Float64Array, outputs: 'trace' | number) => {
      const x = read(kernelData.x);
      const n = kernelData.n;
      const z = new Float64Array(n * h);
      for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) for (let c = 0; c < d; c++) z[i * h + j] += x[i * d + c] * a[c * h + j];
      const ks = outputs === 'trace' ? [...Array(K).keys()] : [outputs];
      let w2 = 0;
      for (let j = 0; j < h; j++) for (const k of ks) w2 += b[j * K + k] ** 2;
      const kernel = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) {
        let xx = 0;
        let zz = 0;
        for (let c = 0; c < d; c++) xx += x[i * d + c] * x[l * d + c];
        for (let j = 0; j < h; j++) zz += z[i * h + j] * z[l * h + j];
        kernel[i * n + l] = xx * w2 + ks.length * zz;
      }
      return kernel;
    };
    const alignment = (kernel: Float64Array) => {
      const n = kernelData.n;
      let inner = 0; let kk = 0; let yy = 0;
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) {
        kk += kernel[i * n + l] ** 2;
        if (kernelData.labels[i] === kernelData.labels[l]) { inner += kernel[i * n + l]; yy++; }
      }
      return inner / Math.sqrt(kk * yy);
    };
    const change = (a: Float64Array, b: Float64Array) => {
      let num = 0; let den = 0;
      for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
      return Math.sqrt(num / den);
    };
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

    for (const outputs of ['trace', 1] as const) {
      const probes = new LazinessProbes(model, init, { train, test }, {
        movement: true, tangentKernel: { data: kernelData, outputs, chunkSize: 4 }, linearisation: { chunkSize: 3 }, kernelPredictor: false,
      });
      const k0 = traceKernel(w0[0], w0[1], outputs);
      const k1 = traceKernel(w[0], w[1], outputs);
      const atInit = probes.record(init.map((t) => t.clone()), 0);
      expect(atInit.kernelChange).toBe(0);
      expect(rel(atInit.kernelAlignment!, alignment(k0))).toBeLessThan(1e-5);
      expect(atInit.relativeMovement).toBe(0);
      expect(atInit.linearisationDistanceTrain).toBe(0);
      expect(atInit.linearisationRelativeTrain).toBeNull();
      const r = probes.record(params, 7);
      expect(rel(r.kernelChange!, change(k1, k0)), String(outputs)).toBeLessThan(1e-4);
      expect(rel(r.kernelAlignment!, alignment(k1))).toBeLessThan(1e-5);
      expect(rel(r.kernelAlignmentInitial!, alignment(k0))).toBeLessThan(1e-5);
      expect(r.kernelAlignment).not.toBeCloseTo(r.kernelAlignmentInitial!, 3);
      const lt = linearisation(train);
      const ls = linearisation(test);
      expect(rel(r.linearisationDistanceTrain!, lt.rms)).toBeLessThan(1e-4);
      expect(rel(r.linearisationRelativeTrain!, lt.relative)).toBeLessThan(1e-4);
      expect(rel(r.linearisationDistanceTest!, ls.rms)).toBeLessThan(1e-4);
      expect(rel(r.linearisationRelativeTest!, ls.relative)).toBeLessThan(1e-4);
      const moved = Math.sqrt(delta.flatMap((v) => Array.from(v)).reduce((s, e) => s + e * e, 0) / w0.flatMap((v) => Array.from(v)).reduce((s, e) => s + e * e, 0));
      expect(rel(r.relativeMovement!, moved)).toBeLessThan(1e-5);
      const perLayer = delta.map((v, i) => Math.sqrt(v.reduce((s, e) => s + e * e, 0) / w0[i].reduce((s, e) => s + e * e, 0)));
      expect(r.relativeMovementPerLayer).toHaveLength(2);
      r.relativeMovementPerLayer!.forEach((m, i) => expect(rel(m!, perLayer[i])).toBeLessThan(1e-5));
      // Only W₂ moved: still a new kernel (‖W₂‖² enters it), not the cached K₀.
      const half = probes.record([init[0], params[1]], 8);
      expect(rel(half.kernelChange!, change(traceKernel(w0[0], w[1], outputs), k0))).toBeLessThan(1e-4);
    }
    // Without test data, only the training linearisation is recorded; nothing not asked for is.
    const trainOnly = new LazinessProbes(model, init, { train }, { movement: false, tangentKernel: false, linearisation: { chunkSize: 3 }, kernelPredictor: false });
    const r = trainOnly.record(params, 1);
    expect(Object.keys(r).sort()).toEqual(['linearisationDistanceTrain', 'linearisationRelativeTrain']);
    tf.dispose([...init, ...params]);
    dispose(train, test, kernelData);
  });

  it(`refuses a kernel predictor over more than ${maxKernelPairs} (example, output) pairs, before computing anything`, () => {
    const model = createLinearModel({ inputSize: 2, outputs: 4 });
    const spec = { test: null, loss: 'squared' as const, learningRate: () => 0.1, lossScale: 1, chunkSize: 8 };
    const options = { movement: false, tangentKernel: false as const, linearisation: false as const, kernelPredictor: spec };
    const fake = (n: number) => ({ train: { n } as TensorData });
    expect(() => new LazinessProbes(model, [], fake(1001), options)).toThrow(/1001 training examples × 4 outputs = 4004 pairs exceeds 4000 \(use data.trainSize ≤ 1000\)/);
    expect(() => new LazinessProbes(model, [], fake(1000), options)).not.toThrow();
    expect(() => new LazinessProbes(model, [], fake(5000), { ...options, kernelPredictor: false })).not.toThrow();
  });
});
