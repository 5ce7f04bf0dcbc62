/**
 * Building blocks shared by the architectures: NHWC reshaping, bias-free convolutions, pooling,
 * normalisation and weight initialisation for convolution kernels. All are plain functions of
 * tensors, so a model built from them stays a pure function of its parameters.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import { gaussianTensor, initStd, type InitScheme } from './init.ts';
import { fusedBatchNorm } from '../backend/native/batchNormOp.ts';

export const poolKinds = ['max', 'avg'] as const;
export type PoolKind = (typeof poolKinds)[number];

export const normKinds = ['none', 'batch', 'layer'] as const;
export type NormKind = (typeof normKinds)[number];

/** Variance floor of batch and layer normalisation (TF/Keras default). */
export const NORM_EPSILON = 1e-3;

/** Flattened [n, H·W·C] rows (HWC order, as every loader stores images) → NHWC. */
export function toNhwc(x: tf.Tensor, inputShape: number[]): tf.Tensor4D {
  const [h, w, c] = inputShape;
  return x.reshape([x.shape[0], h, w, c]) as tf.Tensor4D;
}

export function checkImageShape(inputShape: unknown, what: string): [number, number, number] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${what}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)} ` +
      '(convolutional models need image data, e.g. featureShape [28, 28, 1])');
  }
  return inputShape as [number, number, number];
}

/** A conv kernel [k, k, cin, cout] ~ N(0, (α·std(fan_in = k²cin, fan_out = k²cout))²). */
export function convKernel(kernelSize: number, cin: number, cout: number, scheme: InitScheme, scale: number, rng: Rng): tf.Tensor {
  const area = kernelSize * kernelSize;
  return gaussianTensor([kernelSize, kernelSize, cin, cout], scale * initStd(scheme, area * cin, area * cout), rng);
}

export function denseKernel(fanIn: number, fanOut: number, scheme: InitScheme, scale: number, rng: Rng): tf.Tensor {
  return gaussianTensor([fanIn, fanOut], scale * initStd(scheme, fanIn, fanOut), rng);
}

/** Bias-free 'same'-padded convolution. */
/**
 * Initial value of one parameter tensor by its role: normalisation scale γ = 1 and shift β = 0
 * (so a fresh norm layer is the identity after standardising), conv kernels [k, k, c_in, c_out]
 * and dense kernels [in, out] from the init scheme times α.
 */
export function initParameter(spec: { name: string; shape: number[] }, scheme: InitScheme, scale: number, rng: Rng): tf.Tensor {
  if (spec.name.endsWith('/gamma')) return tf.ones(spec.shape);
  if (spec.name.endsWith('/beta')) return tf.zeros(spec.shape);
  if (spec.shape.length === 4) return convKernel(spec.shape[0], spec.shape[2], spec.shape[3], scheme, scale, rng);
  return denseKernel(spec.shape[0], spec.shape[1], scheme, scale, rng);
}

export function conv(x: tf.Tensor4D, kernel: tf.Tensor, stride = 1): tf.Tensor4D {
  return tf.conv2d(x, kernel as tf.Tensor4D, stride, 'same');
}

/**
 * 2×2 stride-2 'valid' pooling (odd sizes drop their last row/column). 'valid' rather than 'same'
 * on purpose: no window is ever partly out of bounds, so the average-pool gradient does not
 * depend on how the backend counts padded cells. Both poolings are positively homogeneous of
 * degree 1 (max(cz) = c·max(z), mean(cz) = c·mean(z) for c > 0), so they keep a bias-free ReLU
 * net homogeneous.
 */
export function pool(x: tf.Tensor4D, kind: PoolKind, size = 2): tf.Tensor4D {
  return kind === 'max' ? tf.maxPool(x, size, size, 'valid') : tf.avgPool(x, size, size, 'valid');
}

export function pooledSize(n: number, size = 2): number {
  return Math.floor(n / size);
}

/**
 * Normalisation of the last (channel/feature) axis, then the affine map γ·ẑ + β.
 *   batch: statistics over every axis but the last (examples and positions) of *this batch*;
 *          or, when `stats` is given, those fixed statistics (inference mode, see resnetCnn.ts).
 *   layer: statistics of each example over all its non-batch axes (no state, no batch coupling).
 * Variances are population variances (divide by the count), as in the usual implementations.
 */
export function normalise(x: tf.Tensor, kind: Exclude<NormKind, 'none'>, gamma: tf.Tensor, beta: tf.Tensor, stats?: { mean: tf.Tensor; variance: tf.Tensor }): tf.Tensor {
  const axes = kind === 'batch'
    ? x.shape.slice(0, -1).map((_, i) => i)
    : x.shape.slice(1).map((_, i) => i + 1);
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (stats) {
    mean = stats.mean;
    variance = stats.variance;
  } else {
    // On native: one kernel with the same value and exact first and second derivatives.
    const fused = kind === 'batch' ? fusedBatchNorm(x, gamma, beta, NORM_EPSILON) : null;
    if (fused) return fused;
    mean = tf.mean(x, axes, true);
    const centred = tf.sub(x, mean);
    variance = tf.mean(tf.square(centred), axes, true);
    // (x − μ)·(γ/√(σ² + ε)) + β: the per-channel factor is formed on the small tensors, so the
    // full-size tensor sees one subtraction, one product and one sum (and as few in the backward pass).
    return tf.add(tf.mul(centred, tf.mul(gamma, tf.rsqrt(tf.add(variance, NORM_EPSILON)))), beta);
  }
  return tf.add(tf.mul(tf.sub(x, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, NORM_EPSILON)))), beta);
}

/** Batch statistics (mean and population variance per channel) of x, flattened to [c]. */
export function channelMoments(x: tf.Tensor): { sum: Float64Array; sumSquares: Float64Array; count: number } {
  const c = x.shape[x.shape.length - 1]!;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const [s, q] = tf.tidy(() => [tf.sum(x, axes).dataSync(), tf.sum(tf.square(x), axes).dataSync()]);
  return { sum: Float64Array.from(s), sumSquares: Float64Array.from(q), count: x.size / c };
}
