/**
 * Sum, Mean, Max and Min over a contiguous run of axes (every reduction the losses and probes
 * make: the last axis of logits, the batch axis of bias gradients, all axes). The input is seen
 * as [outer, r, inner] and reduced over r; other axis sets go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, allFloat32, f32, output, sizeOf, stock, type NativeKernel } from './kernelUtil.ts';

const reduceCodes = { Sum: 0, Max: 1, Min: 2, Mean: 3 } as const;
export type ReduceKernelName = keyof typeof reduceCodes;
export const reduceKernelNames = Object.keys(reduceCodes) as ReduceKernelName[];

/** [outer, r, inner] for reducing `axes` of `shape`, or null when the axes are not contiguous. */
export function reductionView(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return null;
  if (sorted.length === 0) return [sizeOf(shape), 1, 1];
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

export function reduceKernel(name: ReduceKernelName): NativeKernel {
  const code = reduceCodes[name];
  return (args, addon) => {
    const { x } = args.inputs;
    if (!allFloat32(x)) return stock(name, args);
    // Max names its axes `reductionIndices`; Sum, Mean and Min name them `axis`.
    const axis = (name === 'Max' ? args.attrs.reductionIndices : args.attrs.axis) as number | number[];
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const view = reductionView(x.shape, axes);
    if (!view) return stock(name, args);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = args.attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = allocOutput(view[0] * view[2]);
    if (out.length > 0) addon.reduce(code, f32(args.backend, x), out, view[0], view[1], view[2]);
    return output(args.backend, shape, 'float32', out);
  };
}
