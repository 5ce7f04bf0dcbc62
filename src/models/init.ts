/**
 * Weight initialisation from the toolkit's own seeded RNG (not tf.randomNormal), so that a run is
 * reproducible from its seed on every backend.
 *
 * Schemes (fan-in n_in, fan-out n_out), each multiplied by the config's init scale α — the knob
 * behind the "small init → rich/sparse, large init → lazy/kernel" regime (Woodworth et al. 2020,
 * Chizat et al. 2019):
 *   he:     N(0, 2/n_in)          (He et al. 2015, keeps ReLU activations' scale)
 *   lecun:  N(0, 1/n_in)
 *   glorot: N(0, 2/(n_in + n_out))
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';

export const initSchemes = ['he', 'lecun', 'glorot'] as const;
export type InitScheme = (typeof initSchemes)[number];

export function initStd(scheme: InitScheme, fanIn: number, fanOut: number): number {
  switch (scheme) {
    case 'he': return Math.sqrt(2 / fanIn);
    case 'lecun': return Math.sqrt(1 / fanIn);
    case 'glorot': return Math.sqrt(2 / (fanIn + fanOut));
  }
}

export function gaussianTensor(shape: number[], std: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = std * rng.normal();
  return tf.tensor(values, shape);
}
