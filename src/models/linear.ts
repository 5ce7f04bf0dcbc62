/**
 * Linear models f(x) = xW (+ b): linear regression (squared loss) and linear classification
 * (logistic loss on one score, labels ±1), the setting in which the implicit bias of each
 * optimiser is known exactly (min-norm interpolants, max-margin directions).
 *
 * Without bias the model is 1-homogeneous in its parameters. The start θ₀ is a modelling choice
 * in these problems (GD converges to the interpolant closest to θ₀; exponentiated gradient needs
 * θ₀ > 0), so `init` is explicit: zeros, a constant, given values, or Gaussian·initScale.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Model, ParamSpec } from './types.ts';
import { gaussianTensor } from './init.ts';

export type LinearInit =
  | { kind: 'zeros' }
  | { kind: 'constant'; value: number }
  | { kind: 'values'; values: number[] }
  | { kind: 'gaussian'; scale?: number };

export interface LinearModelOptions {
  inputSize: number;
  /** Number of outputs (default 1). */
  outputs?: number;
  bias?: boolean;
  /** Kernel initialisation (default zeros); a bias always starts at 0. */
  init?: LinearInit;
}

export function createLinearModel(options: LinearModelOptions): Model {
  const { inputSize, outputs = 1, bias = false, init = { kind: 'zeros' } } = options;
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new Error(`linear model: inputSize must be a positive integer, got ${inputSize}`);
  if (!Number.isInteger(outputs) || outputs < 1) throw new Error(`linear model: outputs must be a positive integer, got ${outputs}`);
  if (init.kind === 'values' && init.values.length !== inputSize * outputs) {
    throw new Error(`linear model: init.values has ${init.values.length} entries, expected ${inputSize * outputs}`);
  }
  const paramSpecs: ParamSpec[] = [{ name: 'linear/kernel', shape: [inputSize, outputs], layer: 0 }];
  if (bias) paramSpecs.push({ name: 'linear/bias', shape: [outputs], layer: 0 });
  return {
    architecture: { kind: 'linear', inputSize, outputs, bias },
    paramSpecs,
    homogeneityDegree: bias ? null : 1,
    outputSize: outputs,
    init(rng: Rng) {
      const shape = [inputSize, outputs];
      let kernel: tf.Tensor;
      switch (init.kind) {
        case 'zeros': kernel = tf.zeros(shape); break;
        case 'constant': kernel = tf.fill(shape, init.value); break;
        case 'values': kernel = tf.tensor(init.values, shape); break;
        case 'gaussian': kernel = gaussianTensor(shape, init.scale ?? 1 / Math.sqrt(inputSize), rng); break;
      }
      return bias ? [kernel, tf.zeros([outputs])] : [kernel];
    },
    apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      return tf.tidy((): tf.Tensor2D => {
        let out: tf.Tensor2D = tf.matMul(x.reshape([x.shape[0], inputSize]) as tf.Tensor2D, params[0] as tf.Tensor2D);
        if (bias) out = tf.add(out, params[1]) as tf.Tensor2D;
        return out;
      });
    },
  };
}
