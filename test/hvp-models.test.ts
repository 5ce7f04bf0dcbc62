/**
 * Exact HVPs of whole models against closed forms and float64 references:
 * linear least squares (H = XᵀX/N), logistic regression (H = Xᵀdiag(p(1−p))X/N), and a bias-free
 * ReLU MLP with softmax cross-entropy (float64 second difference of a plain-JS forward pass).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { hessianVectorProduct, hessianVectorProductFiniteDifference } from '../src/probes/hvp.ts';
import { halfMeanSquaredError, logisticLoss, softmaxCrossEntropy } from '../src/train/loss.ts';
import { createMlp } from '../src/models/mlp.ts';
import { createRng } from '../src/util/rng.ts';
import { hessianVectorProductFloat64, logSumExp64, relativeError, seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';

const N = 40;
const p = 7;
const X = seededValues(N * p, 101);
const y = seededValues(N, 102);
const theta0 = seededValues(p, 103);
const v = seededValues(p, 104);

function exactHvpVector(loss: (t: tf.Tensor) => tf.Scalar): Float64Array {
  const values = tf.tidy(() => {
    const [hv] = hessianVectorProduct((ps) => loss(ps[0]), [tf.tensor1d(Array.from(theta0))], [tf.tensor1d(Array.from(v))]);
    return hv.dataSync() as Float32Array;
  });
  return Float64Array.from(values);
}


// The default backend (native when its addon is built, as on CI) and, when native took that
// place, wasm as well, so both stay covered.
const backends: (string | undefined)[] = nativeAvailable('exact HVP tests on native') ? ['native', 'wasm'] : [undefined];
for (const backend of backends) {
  describe(`exact HVP of convex models against closed forms${backend ? ` on ${backend}` : ''}`, () => {
    beforeAll(async () => { await setupBackend(backend); });

    it('linear least squares: Hv = (XᵀX/N) v to 1e-5 relative', () => {
      const Xt = () => tf.tensor2d(Array.from(X), [N, p]);
      const got = exactHvpVector((t) => halfMeanSquaredError(tf.matMul(Xt(), t.reshape([p, 1])), tf.tensor1d(Array.from(y))));
      const Xv = new Float64Array(N);
      for (let i = 0; i < N; i++) for (let j = 0; j < p; j++) Xv[i] += X[i * p + j] * v[j];
      const want = new Float64Array(p);
      for (let j = 0; j < p; j++) for (let i = 0; i < N; i++) want[j] += (X[i * p + j] * Xv[i]) / N;
      expect(relativeError(got, want)).toBeLessThan(1e-5);
    });

    it('logistic regression: Hv = Xᵀ diag(p(1−p)) X v / N to 1e-5 relative', () => {
      const signs = Float64Array.from(y, (s) => (s >= 0 ? 1 : -1));
      const Xt = () => tf.tensor2d(Array.from(X), [N, p]);
      const got = exactHvpVector((t) => logisticLoss(tf.matMul(Xt(), t.reshape([p, 1])), tf.tensor1d(Array.from(signs))));
      const want = new Float64Array(p);
      for (let i = 0; i < N; i++) {
        let score = 0;
        let xv = 0;
        for (let j = 0; j < p; j++) { score += X[i * p + j] * theta0[j]; xv += X[i * p + j] * v[j]; }
        const prob = 1 / (1 + Math.exp(-signs[i] * score));
        for (let j = 0; j < p; j++) want[j] += (X[i * p + j] * prob * (1 - prob) * xv) / N;
      }
      expect(relativeError(got, want)).toBeLessThan(1e-5);
    });
  });

  describe(`exact HVP of a bias-free ReLU MLP with softmax cross-entropy${backend ? ` on ${backend}` : ''}`, () => {
    beforeAll(async () => { await setupBackend(backend); });
    const widths = [5, 8, 6, 3];
    const n = 12;
    const inputs = seededValues(n * widths[0], 201, 2);
    const labels = Int32Array.from({ length: n }, (_, i) => i % widths[3]);

    function mlpLoss64(theta: Float64Array): number {
      let offset = 0;
      let total = 0;
      for (let e = 0; e < n; e++) {
        let h = Array.from(inputs.subarray(e * widths[0], (e + 1) * widths[0]));
        offset = 0;
        for (let l = 0; l < widths.length - 1; l++) {
          const next = new Array(widths[l + 1]).fill(0);
          for (let i = 0; i < widths[l]; i++) for (let j = 0; j < widths[l + 1]; j++) next[j] += h[i] * theta[offset + i * widths[l + 1] + j];
          offset += widths[l] * widths[l + 1];
          h = l < widths.length - 2 ? next.map((z) => Math.max(z, 0)) : next;
        }
        total += logSumExp64(h) - h[labels[e]];
      }
      return total / n;
    }

    it('agrees with a float64 second difference to 1e-4 relative', () => {
      const model = createMlp({ widths });
      const params = model.init(createRng(5));
      const flat = Float64Array.from(params.flatMap((t) => Array.from(t.dataSync())));
      const direction = seededValues(flat.length, 202);
      const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, tf.tensor2d(Array.from(inputs), [n, widths[0]])),
        tf.oneHot(tf.tensor1d(labels, 'int32'), widths[3]).toFloat() as tf.Tensor2D);
      let offset = 0;
      const vTensors = params.map((t) => {
        const slice = direction.subarray(offset, offset + t.size);
        offset += t.size;
        return tf.tensor(Array.from(slice), t.shape);
      });
      const hv = hessianVectorProduct(loss, params, vTensors);
      const got = Float64Array.from(hv.flatMap((t) => Array.from(t.dataSync())));
      const want = hessianVectorProductFloat64(mlpLoss64, flat, direction, 1e-5, 1e-5);
      expect(relativeError(got, want)).toBeLessThan(1e-4);
      tf.dispose([params, vTensors, hv]);
    });
  });

  describe(`finite-difference HVP as a cross-check on a smooth model${backend ? ` on ${backend}` : ''}`, () => {
    beforeAll(async () => { await setupBackend(backend); });
    it('tanh MLP: exact and finite-difference HVP agree to 1e-3', () => {
      const model = createMlp({ widths: [4, 6, 3], activation: 'tanh' });
      const params = model.init(createRng(9));
      const x = tf.tensor2d(Array.from(seededValues(20 * 4, 301)), [20, 4]);
      const onehot = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 20 }, (_, i) => i % 3), 'int32'), 3).toFloat() as tf.Tensor2D;
      const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, x), onehot);
      const direction = params.map((t, i) => tf.tensor(Array.from(seededValues(t.size, 310 + i)), t.shape));
      const exact = hessianVectorProduct(loss, params, direction).flatMap((t) => Array.from(t.dataSync()));
      const fd = hessianVectorProductFiniteDifference(loss, params, direction, 1e-2).flatMap((t) => Array.from(t.dataSync()));
      expect(relativeError(fd, exact)).toBeLessThan(1e-3);
    });
  });
}
