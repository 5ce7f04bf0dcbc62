/**
 * Parameter norms. The ℓ2 norm of all parameters is the quantity GD's implicit bias controls in
 * linear and homogeneous models; per-layer Frobenius norms show where the growth happens.
 */
import * as tf from '@tensorflow/tfjs';

export function l2Norm(params: tf.Tensor[]): number {
  return Math.sqrt(tf.tidy(() => params.reduce((s, p) => s + tf.sum(tf.square(p)).dataSync()[0], 0)));
}

export interface NormsResult {
  l2: number;
  l1: number;
  linf: number;
  perLayerFrobenius: number[];
}

export function parameterNorms(params: tf.Tensor[]): NormsResult {
  return tf.tidy(() => {
    const perTensor = params.map((p) => ({
      sq: tf.sum(tf.square(p)).dataSync()[0],
      abs: tf.sum(tf.abs(p)).dataSync()[0],
      max: tf.max(tf.abs(p)).dataSync()[0],
    }));
    return {
      l2: Math.sqrt(perTensor.reduce((s, t) => s + t.sq, 0)),
      l1: perTensor.reduce((s, t) => s + t.abs, 0),
      linf: perTensor.reduce((s, t) => Math.max(s, t.max), 0),
      perLayerFrobenius: perTensor.map((t) => Math.sqrt(t.sq)),
    };
  });
}
