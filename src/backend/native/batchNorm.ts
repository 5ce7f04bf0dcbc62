/**
 * Batch normalisation (training mode, statistics over every axis but the last) as one kernel on
 * `native`: IblBatchNorm(x, γ, β) = (x − μ)·(γ·r) + β with μ, σ² the per-channel batch mean and
 * population variance and r = 1/√(σ² + ε) — the function src/models/layers.ts `normalise`
 * composes from ~8 TF ops (each a pass over x and a fresh buffer), in two passes over x.
 *
 * Gradient (x̂ = (x − μ)·r, N = the count per channel, sums over every axis but the last):
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·r·(dy − dβ/N − x̂·dγ/N)
 * — the full derivative through μ and σ². It is computed in one of two ways:
 *   - when no tape is recording (the backward pass of a plain gradient: training steps), by the
 *     native kernel IblBatchNormGrad, which is therefore never differentiated itself;
 *   - when a tape is recording (the inner gradient of a reverse-over-reverse HVP), by the same
 *     formulas written in differentiable TF ops, so the outer differentiation sees exact
 *     expressions of (x, γ, dy) and the HVP is exact (no finite differences anywhere).
 * Both are exact to float32 rounding; test/backend-native-batchnorm.test.ts checks value,
 * gradient and HVP against the unfused composition and a float64 reference. This file holds the
 * two native kernels; batchNormOp.ts the op, its gradient and the choice between them.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, allFloat32, f32, output, sizeOf, type NativeKernel } from './kernelUtil.ts';

import { batchNormGradKernelName, batchNormKernelName } from './batchNormOp.ts';

function rowsAndChannels(shape: number[]): [number, number] {
  const channels = shape[shape.length - 1] ?? 1;
  return [channels === 0 ? 0 : sizeOf(shape) / channels, channels];
}

export const batchNormKernel: NativeKernel = (args, addon) => {
  const { x, gamma, beta } = args.inputs;
  const [rows, channels] = rowsAndChannels(x.shape);
  if (!allFloat32(x, gamma, beta) || x.shape.length < 1 || sizeOf(gamma.shape) !== channels || sizeOf(beta.shape) !== channels) {
    throw new Error(`${batchNormKernelName}: needs float32 x [..., c] and γ, β of c elements, got x ${x.dtype} [${x.shape}], γ [${gamma.shape}], β [${beta.shape}]`);
  }
  const y = allocOutput(sizeOf(x.shape));
  if (y.length > 0) addon.batchNorm(f32(args.backend, x), f32(args.backend, gamma), f32(args.backend, beta), y, rows, channels, Number(args.attrs.epsilon));
  return output(args.backend, x.shape, 'float32', y);
};

export const batchNormGradKernel: NativeKernel = (args, addon) => {
  const { dy, x, gamma } = args.inputs;
  const [rows, channels] = rowsAndChannels(x.shape);
  if (!allFloat32(dy, x, gamma) || dy.shape.join() !== x.shape.join() || sizeOf(gamma.shape) !== channels) {
    throw new Error(`${batchNormGradKernelName}: needs float32 dy and x of one shape [..., c] and γ of c elements`);
  }
  const dx = allocOutput(sizeOf(x.shape));
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  if (dx.length > 0) {
    addon.batchNormGrad(f32(args.backend, dy), f32(args.backend, x), f32(args.backend, gamma), dx, dgamma, dbeta, rows, channels, Number(args.attrs.epsilon));
  }
  return [output(args.backend, x.shape, 'float32', dx), output(args.backend, gamma.shape, 'float32', dgamma), output(args.backend, gamma.shape, 'float32', dbeta)];
};

