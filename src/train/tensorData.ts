/**
 * A dataset moved onto the TF.js backend once (inputs and one-hot labels), plus the JS labels
 * for accuracy and margins. Training gathers minibatches from these tensors by index.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.ts';
import { featureSize } from '../data/dataset.ts';
import { oneHotFloat } from './loss.ts';

export interface TensorData {
  x: tf.Tensor2D;
  oneHot: tf.Tensor2D;
  labels: Int32Array;
  n: number;
}

export function toTensorData(ds: Dataset, indices?: ArrayLike<number>): TensorData {
  const d = featureSize(ds);
  if (!indices) {
    return { x: tf.tensor2d(ds.x, [ds.n, d]), oneHot: oneHotFloat(ds.y, ds.numClasses), labels: ds.y, n: ds.n };
  }
  const x = new Float32Array(indices.length * d);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    x.set(ds.x.subarray(indices[k] * d, (indices[k] + 1) * d), k * d);
    labels[k] = ds.y[indices[k]];
  }
  return { x: tf.tensor2d(x, [indices.length, d]), oneHot: oneHotFloat(labels, ds.numClasses), labels, n: indices.length };
}

export function disposeTensorData(data: TensorData): void {
  tf.dispose([data.x, data.oneHot]);
}
