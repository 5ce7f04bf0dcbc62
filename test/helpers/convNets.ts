/**
 * Tiny conv nets described once and run twice: in TF.js (for exact HVPs) and in plain float64
 * JS (for the mixed second difference). Loss: mean softmax cross-entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d64, pool64, type Pad, type Shape4 } from './convFloat64.ts';
import { logSumExp64 } from './float64.ts';

export type Layer =
  | { kind: 'conv'; k: number; filters: number; stride: number; pad: Pad }
  | { kind: 'act'; fn: 'relu' | 'sigmoid' | 'tanh' | 'elu' }
  | { kind: 'pool'; pool: 'avg' | 'max'; k: number; stride: number; pad: Pad }
  | { kind: 'dense'; units: number };

export interface NetData { images: Float64Array; shape: Shape4; labels: number[]; classes: number }

/** Parameter shapes (weights then bias, per conv/dense layer). */
export function paramShapes(layers: Layer[], input: Shape4): number[][] {
  const shapes: number[][] = [];
  let [, h, w, c] = input;
  for (const layer of layers) {
    if (layer.kind === 'conv') {
      shapes.push([layer.k, layer.k, c, layer.filters], [layer.filters]);
      const out = conv2d64(new Float64Array(h * w * c), [1, h, w, c], new Float64Array(layer.k * layer.k * c * layer.filters), [layer.k, layer.k, c, layer.filters], layer.stride, layer.pad).shape;
      [h, w, c] = [out[1], out[2], out[3]];
    } else if (layer.kind === 'pool') {
      const out = pool64('avg', new Float64Array(h * w * c), [1, h, w, c], layer.k, layer.stride, layer.pad).shape;
      [h, w, c] = [out[1], out[2], out[3]];
    } else if (layer.kind === 'dense') {
      shapes.push([h * w * c, layer.units], [layer.units]);
      [h, w, c] = [1, 1, layer.units];
    }
  }
  return shapes;
}

const activations64 = {
  relu: (z: number) => Math.max(z, 0),
  sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  elu: (z: number) => (z >= 0 ? z : Math.exp(z) - 1),
};

/** Float64 loss; `margin` is the distance to the nearest kink (ReLU/ELU at 0, max-pool ties). */
export function netLoss64(layers: Layer[], data: NetData, theta: ArrayLike<number>): { loss: number; margin: number } {
  let x: Float64Array = Float64Array.from(data.images);
  let shape = data.shape;
  let offset = 0;
  let margin = Infinity;
  const take = (n: number) => { const s = Array.prototype.slice.call(theta, offset, offset + n) as number[]; offset += n; return s; };
  for (const layer of layers) {
    if (layer.kind === 'conv') {
      const ws: Shape4 = [layer.k, layer.k, shape[3], layer.filters];
      const w = take(ws[0] * ws[1] * ws[2] * ws[3]);
      const b = take(layer.filters);
      const out = conv2d64(x, shape, w, ws, layer.stride, layer.pad);
      for (let i = 0; i < out.y.length; i++) out.y[i] += b[i % layer.filters];
      [x, shape] = [out.y, out.shape];
    } else if (layer.kind === 'act') {
      const f = activations64[layer.fn];
      if (layer.fn === 'relu' || layer.fn === 'elu') for (const z of x) margin = Math.min(margin, Math.abs(z));
      x = x.map(f);
    } else if (layer.kind === 'pool') {
      const out = pool64(layer.pool, x, shape, layer.k, layer.stride, layer.pad);
      if (layer.pool === 'max') margin = Math.min(margin, out.minGap);
      [x, shape] = [out.y, out.shape];
    } else {
      const n = shape[0];
      const d = x.length / n;
      const w = take(d * layer.units);
      const b = take(layer.units);
      const z = new Float64Array(n * layer.units);
      for (let i = 0; i < n; i++) for (let u = 0; u < layer.units; u++) {
        let s = b[u];
        for (let j = 0; j < d; j++) s += x[i * d + j] * w[j * layer.units + u];
        z[i * layer.units + u] = s;
      }
      [x, shape] = [z, [n, 1, 1, layer.units]];
    }
  }
  const n = shape[0];
  const k = data.classes;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = x.subarray(i * k, (i + 1) * k);
    loss += logSumExp64(z) - z[data.labels[i]];
  }
  return { loss: loss / n, margin };
}

/** The same net in TF.js over a list of parameter tensors (shapes from `paramShapes`). */
export function netLossTf(layers: Layer[], data: NetData, params: tf.Tensor[]): tf.Scalar {
  let h: tf.Tensor = tf.tensor4d(Float32Array.from(data.images), data.shape);
  let p = 0;
  for (const layer of layers) {
    if (layer.kind === 'conv') {
      h = tf.add(tf.conv2d(h as tf.Tensor4D, params[p] as tf.Tensor4D, layer.stride, layer.pad), params[p + 1]);
      p += 2;
    } else if (layer.kind === 'act') {
      h = tf[layer.fn](h);
    } else if (layer.kind === 'pool') {
      const op = layer.pool === 'avg' ? tf.avgPool : tf.maxPool;
      h = op(h as tf.Tensor4D, layer.k, layer.stride, layer.pad);
    } else {
      h = tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), params[p] as tf.Tensor2D), params[p + 1]);
      p += 2;
    }
  }
  const onehot = tf.tensor2d(data.labels.flatMap((l) => Array.from({ length: data.classes }, (_, c) => (c === l ? 1 : 0))), [data.labels.length, data.classes]);
  return tf.mean(tf.sub(tf.logSumExp(h, 1), tf.sum(tf.mul(h, onehot), 1))) as tf.Scalar;
}

/** `tf.tidy` for non-tensor results (typed arrays of doubles, errors): disposes every tensor `fn` made. */
export function tidyValue<T>(fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => { out = fn(); });
  return out as T;
}

/** Splits a flat parameter vector into tensors of the given shapes. */
export function unpack(theta: ArrayLike<number>, shapes: number[][]): tf.Tensor[] {
  let offset = 0;
  return shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Array.prototype.slice.call(theta, offset, offset + n) as number[], s);
    offset += n;
    return t;
  });
}
