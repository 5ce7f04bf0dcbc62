/**
 * A small ResNet-style CNN (He et al. 2016, "basic" blocks) over flattened HWC images:
 *
 *   h = relu(N(conv_{k×k}(x, K_stem, stemStride)))                   stem, stages[0] channels
 *   for stage s, block j (stride 2 on the first block of every stage after the first):
 *     y = N(conv_{k×k}(relu(N(conv_{k×k}(h, K₁, stride))), K₂))
 *     h = relu(y + shortcut(h)),  shortcut = identity, or N(conv_{1×1}(h, P, stride)) when the
 *                                 shape changes (stride 2 or a new channel count)
 *   logits = mean_{positions}(h) W_out                               global average pool, dense
 *
 * N is the configured normalisation: 'none' (identity), 'layer' (per example over H, W, C, with a
 * per-channel affine γ, β) or 'batch' (per channel over the batch and positions, affine γ, β). All
 * convolutions are bias-free. The identity paths add terms of different degree in θ, so the
 * model is not homogeneous (`homogeneityDegree` null).
 *
 * Batch norm: training mode (`apply`) uses the batch's statistics; inference mode
 * (`applyInference` with `estimateBatchNormStatistics`) uses population statistics of the
 * training set — see batchNormState.ts for why this keeps the model a pure function.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { Model, ParamSpec } from './types.ts';
import type { InitScheme } from './init.ts';
import { checkImageShape, conv, initParameter, normalise, toNhwc, type NormKind } from './layers.ts';
import { batchNormInference, batchStatistics, type BatchNormInference, type BatchNormStatistics } from './batchNormState.ts';

export interface ResnetCnnOptions {
  inputShape: number[];
  /** Channels of each stage; every stage after the first halves height and width. */
  stages: number[];
  blocksPerStage?: number;
  kernelSize?: number;
  /** Stride of the stem conv (default 1); 2 halves every feature map (about 4× cheaper). */
  stemStride?: number;
  norm?: NormKind;
  outputs: number;
  init?: InitScheme;
  initScale?: number;
}

class StopAt {
  constructor(readonly tensor: tf.Tensor) {}
}

export function createResnetCnn(options: ResnetCnnOptions): Model & Partial<BatchNormInference> {
  const { stages, blocksPerStage = 1, kernelSize = 3, stemStride = 1, norm = 'none', outputs, init = 'he', initScale = 1 } = options;
  if (!(Number.isInteger(stemStride) && stemStride >= 1)) throw new Error(`resnet-cnn: stemStride must be a positive integer, got ${stemStride}`);
  const inputShape = checkImageShape(options.inputShape, 'resnet-cnn');
  if (stages.length === 0) throw new Error('resnet-cnn: stages must list at least one stage');
  if (!(blocksPerStage >= 1)) throw new Error(`resnet-cnn: blocksPerStage must be at least 1, got ${blocksPerStage}`);
  const paramSpecs: ParamSpec[] = [];
  let layer = 0;
  let normLayers = 0;
  const addConv = (prefix: string, k: number, cin: number, cout: number) => {
    paramSpecs.push({ name: `${prefix}/kernel`, shape: [k, k, cin, cout], layer });
    if (norm !== 'none') {
      paramSpecs.push({ name: `${prefix}/norm/gamma`, shape: [cout], layer });
      paramSpecs.push({ name: `${prefix}/norm/beta`, shape: [cout], layer });
      normLayers++;
    }
    layer++;
  };
  addConv('stem', kernelSize, inputShape[2], stages[0]);
  interface Block { prefix: string; stride: number; projection: boolean }
  const blocks: Block[] = [];
  let c = stages[0];
  stages.forEach((cout, s) => {
    for (let j = 0; j < blocksPerStage; j++) {
      const stride = s > 0 && j === 0 ? 2 : 1;
      const prefix = `stage${s}/block${j}`;
      const projection = stride !== 1 || cout !== c;
      addConv(`${prefix}/conv1`, kernelSize, c, cout);
      addConv(`${prefix}/conv2`, kernelSize, cout, cout);
      if (projection) addConv(`${prefix}/shortcut`, 1, c, cout);
      blocks.push({ prefix, stride, projection });
      c = cout;
    }
  });
  paramSpecs.push({ name: 'output/kernel', shape: [c, outputs], layer });
  const index = new Map(paramSpecs.map((spec, i) => [spec.name, i]));

  const forward = (params: tf.Tensor[], x: tf.Tensor, stats: BatchNormStatistics[] | undefined, upTo?: number, fill?: boolean): tf.Tensor => {
    let bn = 0;
    const p = (name: string) => params[index.get(name)!];
    const convNorm = (prefix: string, h: tf.Tensor, stride: number): tf.Tensor => {
      const z = conv(h as tf.Tensor4D, p(`${prefix}/kernel`), stride);
      if (norm === 'none') return z;
      if (upTo === bn) throw new StopAt(z);
      if (fill && norm === 'batch' && stats && stats[bn] === undefined) stats[bn] = batchStatistics(z);
      const fixed = norm === 'batch' ? stats?.[bn] : undefined;
      bn++;
      return normalise(z, norm, p(`${prefix}/norm/gamma`), p(`${prefix}/norm/beta`), fixed);
    };
    try {
      let h = tf.relu(convNorm('stem', toNhwc(x, inputShape), stemStride));
      for (const block of blocks) {
        const y = convNorm(`${block.prefix}/conv2`, tf.relu(convNorm(`${block.prefix}/conv1`, h, block.stride)), 1);
        const shortcut = block.projection ? convNorm(`${block.prefix}/shortcut`, h, block.stride) : h;
        h = tf.relu(tf.add(y, shortcut));
      }
      return tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, p('output/kernel') as tf.Tensor2D);
    } catch (error) {
      if (error instanceof StopAt) return error.tensor;
      throw error;
    }
  };

  const model: Model = {
    architecture: { kind: 'resnet-cnn', inputShape: [...inputShape], stages: [...stages], blocksPerStage, kernelSize, norm, outputs,
      ...(stemStride !== 1 ? { stemStride } : {}) },
    paramSpecs,
    homogeneityDegree: null,
    outputSize: outputs,
    init(rng: Rng) {
      return paramSpecs.map((spec) => initParameter(spec, init, initScale, rng));
    },
    apply: (params, x) => tf.tidy(() => forward(params, x, undefined) as tf.Tensor2D),
  };
  if (norm !== 'batch') return model;
  return { ...model, ...batchNormInference(normLayers, forward) };
}
