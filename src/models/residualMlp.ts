/**
 * Residual MLP over flattened inputs:
 *
 *   h₀ = x W_in                                   (projection to the residual width, no activation)
 *   h_{b+1} = h_b + s · relu(norm(h_b) W_b)        b = 0 … depth−1   (pre-norm when norm ≠ 'none')
 *   logits = h_depth W_out
 *
 * s is the branch scale: 1, or 1/√depth with `branchScaling: true` (keeps the forward variance
 * bounded in depth, as in "fixup"/"SkipInit"-style analyses). The sum of the identity path
 * (degree 2 in θ: W_in, W_out) and the branches (degree ≥ 3) makes f not homogeneous in θ, so
 * `homogeneityDegree` is null and the normalized margin is not reported.
 *
 * Batch norm here uses the statistics of the batch the model is applied to (see resnetCnn.ts for
 * the inference mode with population statistics); layer norm is per example.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Model, ParamSpec } from './types.ts';
import type { InitScheme } from './init.ts';
import { initParameter, normalise, type NormKind } from './layers.ts';
import { batchNormInference, batchStatistics, type BatchNormInference, type BatchNormStatistics } from './batchNormState.ts';

export interface ResidualMlpOptions {
  inputSize: number;
  width: number;
  depth: number;
  outputs: number;
  /** s = 1/√depth when true, else 1. */
  branchScaling?: boolean;
  norm?: NormKind;
  init?: InitScheme;
  initScale?: number;
}

export function createResidualMlp(options: ResidualMlpOptions): Model & Partial<BatchNormInference> {
  const { inputSize, width, depth, outputs, branchScaling = false, norm = 'none', init = 'he', initScale = 1 } = options;
  if (!(depth >= 1)) throw new Error(`residual-mlp: depth must be at least 1, got ${depth}`);
  const branchScale = branchScaling ? 1 / Math.sqrt(depth) : 1;
  const paramSpecs: ParamSpec[] = [{ name: 'input/kernel', shape: [inputSize, width], layer: 0 }];
  for (let b = 0; b < depth; b++) {
    if (norm !== 'none') {
      paramSpecs.push({ name: `block${b}/norm/gamma`, shape: [width], layer: b + 1 });
      paramSpecs.push({ name: `block${b}/norm/beta`, shape: [width], layer: b + 1 });
    }
    paramSpecs.push({ name: `block${b}/kernel`, shape: [width, width], layer: b + 1 });
  }
  paramSpecs.push({ name: 'output/kernel', shape: [width, outputs], layer: depth + 1 });
  const perBlock = norm === 'none' ? 1 : 3;

  // forward(params, x, stats?, upTo?, fill?): see BatchNormForward (batchNormState.ts).
  const forward = (params: tf.Tensor[], x: tf.Tensor, stats?: BatchNormStatistics[], upTo?: number, fill?: boolean): tf.Tensor => {
    let h = tf.matMul(x.reshape([x.shape[0], inputSize]) as tf.Tensor2D, params[0] as tf.Tensor2D) as tf.Tensor;
    for (let b = 0; b < depth; b++) {
      const at = 1 + b * perBlock;
      let u = h;
      if (norm !== 'none') {
        if (upTo === b) return h;
        if (fill && norm === 'batch' && stats && stats[b] === undefined) stats[b] = batchStatistics(h);
        u = normalise(h, norm, params[at], params[at + 1], norm === 'batch' ? stats?.[b] : undefined);
      }
      const branch = tf.relu(tf.matMul(u as tf.Tensor2D, params[at + perBlock - 1] as tf.Tensor2D));
      h = tf.add(h, branchScale === 1 ? branch : tf.mul(branch, branchScale));
    }
    return tf.matMul(h as tf.Tensor2D, params[params.length - 1] as tf.Tensor2D);
  };

  const model: Model = {
    architecture: { kind: 'residual-mlp', inputSize, width, depth, outputs, branchScaling, branchScale, norm },
    paramSpecs,
    homogeneityDegree: null,
    outputSize: outputs,
    init(rng: Rng) {
      return paramSpecs.map((spec) => initParameter(spec, init, initScale, rng));
    },
    apply: (params, x) => tf.tidy(() => forward(params, x) as tf.Tensor2D),
  };
  if (norm !== 'batch') return model;
  return { ...model, ...batchNormInference(depth, (params, x, stats, upTo, fill) => forward(params, x, stats, upTo, fill)) };
}
