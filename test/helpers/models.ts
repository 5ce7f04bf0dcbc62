/**
 * Small test architectures built directly from the Model interface, each with a plain-JS
 * float64 forward pass for independent references:
 *   residual MLP: h = x W_in;  h ← h + act(h W_b) for each block;  logits = h W_out
 * (bias-free but *not* homogeneous: the skip adds terms of different degree).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, ParamSpec } from '../../src/models/types.ts';
import { gaussianTensor } from '../../src/models/init.ts';
import type { Rng } from '../../src/util/rng.ts';
import { logSumExp64 } from './float64.ts';

export type Act = 'relu' | 'tanh';

const act64 = (a: Act) => (z: number) => (a === 'relu' ? Math.max(z, 0) : Math.tanh(z));

export function createResidualMlp(d: number, width: number, k: number, blocks: number, activation: Act = 'tanh'): Model {
  const paramSpecs: ParamSpec[] = [{ name: 'in/kernel', shape: [d, width], layer: 0 }];
  for (let b = 0; b < blocks; b++) paramSpecs.push({ name: `block${b}/kernel`, shape: [width, width], layer: b + 1 });
  paramSpecs.push({ name: 'out/kernel', shape: [width, k], layer: blocks + 1 });
  return {
    architecture: { kind: 'test-residual-mlp', d, width, k, blocks, activation },
    paramSpecs,
    homogeneityDegree: null,
    outputSize: k,
    init: (rng: Rng) => paramSpecs.map((s) => gaussianTensor(s.shape, 1 / Math.sqrt(s.shape[0]), rng)),
    apply: (params, x) => tf.tidy(() => {
      let h = tf.matMul(x as tf.Tensor2D, params[0] as tf.Tensor2D);
      for (let b = 0; b < blocks; b++) {
        const z = tf.matMul(h, params[b + 1] as tf.Tensor2D);
        h = tf.add(h, activation === 'relu' ? tf.relu(z) : tf.tanh(z));
      }
      return tf.matMul(h, params[blocks + 1] as tf.Tensor2D);
    }),
  };
}

function matVecRow(h: number[], w: Float64Array, off: number, din: number, dout: number): number[] {
  const out = new Array(dout).fill(0);
  for (let i = 0; i < din; i++) for (let j = 0; j < dout; j++) out[j] += h[i] * w[off + i * dout + j];
  return out;
}

/** Mean softmax cross-entropy of the residual MLP in float64. */
export function residualLoss64(d: number, width: number, k: number, blocks: number, activation: Act, x: ArrayLike<number>, labels: Int32Array) {
  const f = act64(activation);
  return (theta: Float64Array): number => {
    let total = 0;
    const n = labels.length;
    for (let e = 0; e < n; e++) {
      const xe = Array.from({ length: d }, (_, i) => x[e * d + i]);
      let off = 0;
      let h = matVecRow(xe, theta, off, d, width);
      off += d * width;
      for (let b = 0; b < blocks; b++) {
        const z = matVecRow(h, theta, off, width, width);
        off += width * width;
        h = h.map((v, i) => v + f(z[i]));
      }
      const logits = matVecRow(h, theta, off, width, k);
      total += logSumExp64(logits) - logits[labels[e]];
    }
    return total / n;
  };
}

/** Mean softmax cross-entropy of a bias-free MLP in float64. */
export function mlpLoss64(widths: number[], activation: Act, x: ArrayLike<number>, labels: Int32Array) {
  const f = act64(activation);
  return (theta: Float64Array): number => {
    let total = 0;
    for (let e = 0; e < labels.length; e++) {
      let h = Array.from({ length: widths[0] }, (_, i) => x[e * widths[0] + i]);
      let off = 0;
      for (let l = 0; l < widths.length - 1; l++) {
        const z = matVecRow(h, theta, off, widths[l], widths[l + 1]);
        off += widths[l] * widths[l + 1];
        h = l < widths.length - 2 ? z.map(f) : z;
      }
      total += logSumExp64(h) - h[labels[e]];
    }
    return total / labels.length;
  };
}
