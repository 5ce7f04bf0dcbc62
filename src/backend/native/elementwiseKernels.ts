/**
 * Elementwise kernels: arithmetic and comparisons with numpy broadcasting, unary maps, Select,
 * AddN. Broadcasting is described to the addon as a few collapsed dimensions with per-operand
 * strides (0 along a broadcast dimension): adjacent dimensions that broadcast the same way are
 * merged, so [128, 10] + [10] is a 2-d loop and same-shape operands a single flat loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './loadAddon.ts';
import { allocOutput, allFloat32, f32, output, sizeOf, stock, u8, type NativeKernel } from './kernelUtil.ts';

/** Operation codes of native/src/kernels.h (BinaryOp, UnaryOp). */
const binaryCodes = {
  Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6,
  Equal: 7, NotEqual: 8, Greater: 9, GreaterEqual: 10, Less: 11, LessEqual: 12,
} as const;
export type BinaryKernelName = keyof typeof binaryCodes;
export const binaryKernelNames = Object.keys(binaryCodes) as BinaryKernelName[];
const comparisons = new Set<BinaryKernelName>(['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual']);

const unaryCodes = {
  Relu: 0, Exp: 1, Log: 2, Neg: 3, Square: 4, Sqrt: 5, Step: 6, Abs: 7, Rsqrt: 8, Sigmoid: 9, Tanh: 10,
  Reciprocal: 11, Relu6: 12,
} as const;
export type UnaryKernelName = keyof typeof unaryCodes;
export const unaryKernelNames = Object.keys(unaryCodes) as UnaryKernelName[];

export interface BroadcastLoop { outShape: number[]; shape: Int32Array; aStrides: Int32Array; bStrides: Int32Array }

/** The collapsed loop that computes out = a ⊙ b under numpy broadcasting (null: rank too high). */
export function broadcastLoop(aShape: number[], bShape: number[]): BroadcastLoop | null {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = outShape.length;
  const ap = [...Array(rank - aShape.length).fill(1), ...aShape];
  const bp = [...Array(rank - bShape.length).fill(1), ...bShape];
  // Dimensions of size 1 in the output are dropped; the rest are merged while the pair
  // (a broadcasts?, b broadcasts?) stays the same.
  const sizes: number[] = [];
  const kinds: string[] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const kind = `${ap[d] === 1 ? 1 : 0}${bp[d] === 1 ? 1 : 0}`;
    if (kinds.length > 0 && kinds[kinds.length - 1] === kind) sizes[sizes.length - 1] *= outShape[d];
    else { sizes.push(outShape[d]); kinds.push(kind); }
  }
  if (sizes.length > 8) return null;
  const n = sizes.length;
  const aStrides = new Int32Array(n);
  const bStrides = new Int32Array(n);
  let sa = 1;
  let sb = 1;
  for (let d = n - 1; d >= 0; d--) {
    if (kinds[d][0] === '0') { aStrides[d] = sa; sa *= sizes[d]; }
    if (kinds[d][1] === '0') { bStrides[d] = sb; sb *= sizes[d]; }
  }
  return { outShape, shape: Int32Array.from(sizes), aStrides, bStrides };
}

/** values ← values ⊙ b where values has the broadcast output's shape (used by fused kernels). */
export function binaryInPlace(addon: NativeAddon, op: BinaryKernelName, values: Float32Array, shape: number[], b: Float32Array, bShape: number[]): void {
  const loop = broadcastLoop(shape, bShape);
  if (!loop || loop.outShape.join() !== shape.join()) throw new Error(`binaryInPlace: ${bShape} does not broadcast into ${shape}`);
  addon.binary(binaryCodes[op], values, b, values, loop.shape, loop.aStrides, loop.bStrides);
}

export function unaryInPlace(addon: NativeAddon, op: UnaryKernelName, values: Float32Array, alpha = 0): void {
  addon.unary(unaryCodes[op], values, values, alpha);
}

export function binaryKernel(name: BinaryKernelName): NativeKernel {
  const code = binaryCodes[name];
  const isComparison = comparisons.has(name);
  return (args, addon) => {
    const { a, b } = args.inputs;
    if (!allFloat32(a, b)) return stock(name, args);
    const loop = broadcastLoop(a.shape, b.shape);
    if (!loop) return stock(name, args);
    const size = sizeOf(loop.outShape);
    const out = isComparison ? new Uint8Array(size) : allocOutput(size);
    if (size > 0) addon.binary(code, f32(args.backend, a), f32(args.backend, b), out, loop.shape, loop.aStrides, loop.bStrides);
    return output(args.backend, loop.outShape, isComparison ? 'bool' : 'float32', out);
  };
}

export function unaryKernel(name: UnaryKernelName): NativeKernel {
  const code = unaryCodes[name];
  return (args, addon) => {
    const { x } = args.inputs;
    if (!allFloat32(x)) return stock(name, args);
    const out = allocOutput(sizeOf(x.shape));
    const alpha = name === 'Step' ? Number(args.attrs.alpha ?? 0) : 0;
    if (out.length > 0) addon.unary(code, f32(args.backend, x), out, alpha);
    return output(args.backend, x.shape, 'float32', out);
  };
}

/** Select with a condition of the same shape as t and e (the rank-1 row-select form: stock). */
export const select: NativeKernel = (args, addon) => {
  const { condition, t, e } = args.inputs;
  if (!allFloat32(t, e) || condition.dtype !== 'bool' || condition.shape.join() !== t.shape.join() || t.shape.join() !== e.shape.join()) {
    return stock('Select', args);
  }
  const out = allocOutput(sizeOf(t.shape));
  if (out.length > 0) addon.select(u8(args.backend, condition), f32(args.backend, t), f32(args.backend, e), out);
  return output(args.backend, t.shape, 'float32', out);
};

export const addN: NativeKernel = (args, addon) => {
  const tensors = Object.values(args.inputs);
  const shape = tensors[0]?.shape;
  if (!shape || !allFloat32(...tensors) || tensors.some((t) => t.shape.join() !== shape.join())) return stock('AddN', args);
  const out = allocOutput(sizeOf(shape));
  if (out.length > 0) addon.addN(tensors.map((t) => f32(args.backend, t)), out);
  return output(args.backend, shape, 'float32', out);
};

/** Transpose as a strided copy: output dim d reads input dim perm[d]; size-1 dims dropped, runs merged. */
export const transpose: NativeKernel = (args, addon) => {
  const { x } = args.inputs;
  const perm = args.attrs.perm as number[];
  if (!allFloat32(x)) return stock('Transpose', args);
  const inStrides = x.shape.map((_, d) => sizeOf(x.shape.slice(d + 1)));
  const outShape = perm.map((p) => x.shape[p]);
  const sizes: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < perm.length; d++) {
    const sz = outShape[d];
    const st = inStrides[perm[d]];
    if (sz === 1) continue;
    const last = sizes.length - 1;
    // Merge with the previous output dim when it steps over exactly this one in the input.
    if (last >= 0 && strides[last] === st * sz) { sizes[last] *= sz; strides[last] = st; } else { sizes.push(sz); strides.push(st); }
  }
  if (sizes.length > 8) return stock('Transpose', args);
  const out = allocOutput(sizeOf(outShape));
  if (out.length > 0) addon.stridedCopy(f32(args.backend, x), out, Int32Array.from(sizes), Int32Array.from(strides));
  return output(args.backend, outShape, 'float32', out);
};

/** OnesLike for float32: a native fill (the stock kernel fills in a JavaScript loop). */
export const onesLike: NativeKernel = (args) => {
  const { x } = args.inputs;
  if (!allFloat32(x)) return stock('OnesLike', args);
  return output(args.backend, x.shape, 'float32', allocOutput(sizeOf(x.shape)).fill(1));
};

/** ZerosLike for float32 into a pooled buffer (the stock kernel's fresh array page-faults when later read). */
export const zerosLike: NativeKernel = (args) => {
  const { x } = args.inputs;
  if (!allFloat32(x)) return stock('ZerosLike', args);
  return output(args.backend, x.shape, 'float32', allocOutput(sizeOf(x.shape)).fill(0));
};
