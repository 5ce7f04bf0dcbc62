/**
 * BatchMatMul and _FusedMatMul on BLAS sgemm, all four transpose combinations, with numpy-style
 * broadcasting of the batch dimensions. The stock cpu kernel indexes batches as `i % batchA`,
 * which is wrong when both operands broadcast ([2,1,7,5] × [1,3,5,6]); here each output batch
 * index is mapped to each operand's own batch index explicitly.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './loadAddon.ts';
import { allocOutput, allFloat32, f32, fitsInt32, output, sizeOf, stock, type KernelArgs, type NativeKernel } from './kernelUtil.ts';
import { binaryInPlace, unaryInPlace } from './elementwiseKernels.ts';

/** Element offsets of each output batch's matrix in a and b (batch dims broadcast, right-aligned). */
export function batchOffsets(aBatch: number[], bBatch: number[], aMatrix: number, bMatrix: number): { outBatch: number[]; a: Int32Array; b: Int32Array } {
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const rank = outBatch.length;
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const ap = pad(aBatch);
  const bp = pad(bBatch);
  const count = sizeOf(outBatch);
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const index = new Array(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let ai = 0;
    let bi = 0;
    for (let d = 0; d < rank; d++) {
      ai = ai * ap[d] + (ap[d] === 1 ? 0 : index[d]);
      bi = bi * bp[d] + (bp[d] === 1 ? 0 : index[d]);
    }
    a[i] = ai * aMatrix;
    b[i] = bi * bMatrix;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outBatch[d]) break;
      index[d] = 0;
    }
  }
  return { outBatch, a, b };
}

function matMulInto(args: KernelArgs, addon: NativeAddon): tf.TensorInfo | null {
  const { a, b } = args.inputs;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  if (!allFloat32(a, b) || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
      `and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const offsets = batchOffsets(a.shape.slice(0, -2), b.shape.slice(0, -2), m * k, k * n);
  const outShape = [...offsets.outBatch, m, n];
  const size = sizeOf(outShape);
  if (!fitsInt32(sizeOf(a.shape)) || !fitsInt32(sizeOf(b.shape))) return null;
  const out = allocOutput(size);
  if (size > 0) {
    addon.batchMatMul(f32(args.backend, a), f32(args.backend, b), out, m, n, k, transposeA, transposeB, offsets.a, offsets.b);
  }
  return output(args.backend, outShape, 'float32', out);
}

export const batchMatMul: NativeKernel = (args, addon) => matMulInto(args, addon) ?? stock('BatchMatMul', args);

/** matMul + bias (broadcast) + linear/relu activation; other activations use the stock kernel. */
export const fusedMatMul: NativeKernel = (args, addon) => {
  const { bias, preluActivationWeights } = args.inputs;
  const activation = (args.attrs.activation as string | undefined) ?? 'linear';
  if (preluActivationWeights || !(activation === 'linear' || activation === 'relu') || (bias && bias.dtype !== 'float32')) {
    return stock('_FusedMatMul', args);
  }
  const product = matMulInto(args, addon);
  if (!product) return stock('_FusedMatMul', args);
  if (bias && tf.backend_util.assertAndGetBroadcastShape(product.shape, bias.shape).join() !== product.shape.join()) {
    // A bias of higher rank than the product widens the output: the stock kernel handles that.
    args.backend.disposeIntermediateTensorInfo(product);
    return stock('_FusedMatMul', args);
  }
  const values = f32(args.backend, product);
  if (bias) binaryInPlace(addon, 'Add', values, product.shape, f32(args.backend, bias), bias.shape);
  if (activation === 'relu') unaryInPlace(addon, 'Relu', values);
  return product;
};
