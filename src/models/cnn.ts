/**
 * Bias-free ReLU convolutional network over images given as flattened HWC rows:
 *
 *   h = reshape(x, [n, H, W, C])
 *   for each block b:  h = pool(relu(conv_{k×k}(h, K_b)))        ('same' conv, stride 1; 2×2 pool)
 *   h = flatten(h);  for each hidden dense layer: h = relu(h W_l);  logits = h W_out
 *
 * Every map is positively homogeneous — conv and dense are linear, relu(cz) = c·relu(z), and
 * max/average pooling satisfy pool(cz) = c·pool(z) for c > 0 — so f(cθ) = c^L f(θ) with
 * L = blocks + dense layers (tested numerically in test/models.test.ts): the normalized margin
 * min_i q_i / ‖θ‖₂^L is defined, as for the bias-free MLP.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Model, ParamSpec } from './types.ts';
import type { InitScheme } from './init.ts';
import { checkImageShape, conv, convKernel, denseKernel, pool, pooledSize, toNhwc, type PoolKind } from './layers.ts';

export interface CnnOptions {
  /** [height, width, channels] of one input image. */
  inputShape: number[];
  /** Output channels of each conv block (each block halves height and width by pooling). */
  channels: number[];
  kernelSize?: number;
  pool?: PoolKind;
  /** Hidden dense widths after flattening (may be empty). */
  dense?: number[];
  outputs: number;
  init?: InitScheme;
  initScale?: number;
}

export function createCnn(options: CnnOptions): Model {
  const { channels, kernelSize = 3, pool: poolKind = 'max', dense = [], outputs, init = 'he', initScale = 1 } = options;
  const inputShape = checkImageShape(options.inputShape, 'cnn');
  if (channels.length === 0) throw new Error('cnn: channels must list at least one conv block');
  let [h, w] = inputShape;
  let c = inputShape[2];
  const paramSpecs: ParamSpec[] = [];
  channels.forEach((cout, b) => {
    paramSpecs.push({ name: `conv${b}/kernel`, shape: [kernelSize, kernelSize, c, cout], layer: b });
    c = cout;
    h = pooledSize(h);
    w = pooledSize(w);
    if (h === 0 || w === 0) throw new Error(`cnn: ${channels.length} pooling blocks shrink a ${inputShape[0]}×${inputShape[1]} image to nothing; use fewer blocks`);
  });
  const widths = [h * w * c, ...dense, outputs];
  for (let l = 0; l + 1 < widths.length; l++) {
    paramSpecs.push({ name: `dense${l}/kernel`, shape: [widths[l], widths[l + 1]], layer: channels.length + l });
  }
  const blocks = channels.length;
  return {
    architecture: { kind: 'cnn', inputShape: [...inputShape], channels: [...channels], kernelSize, pool: poolKind, dense: [...dense], outputs },
    paramSpecs,
    homogeneityDegree: paramSpecs.length,
    outputSize: outputs,
    init(rng: Rng) {
      return paramSpecs.map((spec) => spec.shape.length === 4
        ? convKernel(kernelSize, spec.shape[2], spec.shape[3], init, initScale, rng)
        : denseKernel(spec.shape[0], spec.shape[1], init, initScale, rng));
    },
    apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      return tf.tidy(() => {
        let z: tf.Tensor = toNhwc(x, inputShape);
        for (let b = 0; b < blocks; b++) z = pool(tf.relu(conv(z as tf.Tensor4D, params[b])) as tf.Tensor4D, poolKind);
        z = z.reshape([x.shape[0], widths[0]]);
        for (let l = 0; l + 1 < widths.length; l++) {
          z = tf.matMul(z as tf.Tensor2D, params[blocks + l] as tf.Tensor2D);
          if (l + 2 < widths.length) z = tf.relu(z);
        }
        return z as tf.Tensor2D;
      });
    },
  };
}
