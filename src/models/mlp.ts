/**
 * Multilayer perceptron over flattened inputs:
 *   h₀ = x,  h_{l+1} = act(h_l W_l [+ b_l])  for hidden layers,  logits = h_{L−1} W_{L−1} [+ b_{L−1}].
 *
 * Bias-free with ReLU it is positively homogeneous of degree L (the number of weight layers) in
 * its parameters — relu(cz) = c·relu(z) for c > 0 — the setting of Lyu & Li (2020) in which
 * the normalized margin min_i margin_i / ‖θ‖^L is meaningful.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Model, ParamSpec } from './types.ts';
import { gaussianTensor, initStd, type InitScheme } from './init.ts';

export const mlpActivations = ['relu', 'tanh', 'linear'] as const;
export type MlpActivation = (typeof mlpActivations)[number];

export interface MlpOptions {
  /** [d0, d1, …, dL]: input size, hidden widths, number of outputs. */
  widths: number[];
  activation?: MlpActivation;
  bias?: boolean;
  init?: InitScheme;
  initScale?: number;
}

function activate(z: tf.Tensor, activation: MlpActivation): tf.Tensor {
  switch (activation) {
    case 'relu': return tf.relu(z);
    case 'tanh': return tf.tanh(z);
    case 'linear': return z;
  }
}

export function createMlp(options: MlpOptions): Model {
  const { widths, activation = 'relu', bias = false, init = 'he', initScale = 1 } = options;
  if (widths.length < 2) throw new Error(`mlp widths must list at least input and output sizes, got [${widths}]`);
  const layers = widths.length - 1;
  const paramSpecs: ParamSpec[] = [];
  for (let l = 0; l < layers; l++) {
    paramSpecs.push({ name: `dense${l}/kernel`, shape: [widths[l], widths[l + 1]], layer: l });
    if (bias) paramSpecs.push({ name: `dense${l}/bias`, shape: [widths[l + 1]], layer: l });
  }
  const homogeneous = !bias && (activation === 'relu' || activation === 'linear');
  return {
    architecture: { kind: 'mlp', widths: [...widths], activation, bias },
    paramSpecs,
    homogeneityDegree: homogeneous ? layers : null,
    outputSize: widths[layers],
    init(rng: Rng) {
      return paramSpecs.map((spec) => spec.name.endsWith('/bias')
        ? tf.zeros(spec.shape)
        : gaussianTensor(spec.shape, initScale * initStd(init, spec.shape[0], spec.shape[1]), rng));
    },
    apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      return tf.tidy(() => {
        let h = x.reshape([x.shape[0], widths[0]]) as tf.Tensor;
        let p = 0;
        for (let l = 0; l < layers; l++) {
          h = tf.matMul(h as tf.Tensor2D, params[p++] as tf.Tensor2D);
          if (bias) h = tf.add(h, params[p++]);
          if (l < layers - 1) h = activate(h, activation);
        }
        return h as tf.Tensor2D;
      });
    },
  };
}
