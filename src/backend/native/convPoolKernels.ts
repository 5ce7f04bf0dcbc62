/**
 * Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter (im2col + sgemm, native/src/conv.cc) and
 * MaxPool, AvgPool, MaxPoolGrad, AvgPoolGrad (native/src/pool.cc), NHWC only. Geometry comes
 * from TF.js's own computeConv2DInfo / computePool2DInfo, so padding and output sizes are the
 * stock kernels'. The pool gradients have the semantics of the toolkit's fixed kernels
 * (poolKernels.ts: in-bounds divisor, first arg-max), so setupBackend's probes find nothing to fix.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, allFloat32, f32, output, sizeOf, stock, type KernelArgs, type NativeKernel } from './kernelUtil.ts';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

function convGeometry(c: Conv2DInfo): Int32Array {
  return Int32Array.from([c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left]);
}

const isNhwc = (args: KernelArgs) => (args.attrs.dataFormat ?? 'NHWC') === 'NHWC';

export const conv2d: NativeKernel = (args, addon) => {
  const { x, filter } = args.inputs;
  if (!allFloat32(x, filter) || !isNhwc(args)) return stock('Conv2D', args);
  const { strides, pad, dilations, dimRoundingMode } = args.attrs as never;
  const info = tf.backend_util.computeConv2DInfo(x.shape as never, filter.shape as never, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  const y = allocOutput(sizeOf(info.outShape));
  if (y.length > 0) addon.conv2d(convGeometry(info), f32(args.backend, x), f32(args.backend, filter), y);
  return output(args.backend, info.outShape, 'float32', y);
};

export const conv2dBackpropInput: NativeKernel = (args, addon) => {
  const { dy, filter } = args.inputs;
  if (!allFloat32(dy, filter) || !isNhwc(args)) return stock('Conv2DBackpropInput', args);
  const { inputShape, strides, pad, dimRoundingMode } = args.attrs as never;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as never, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const dx = allocOutput(sizeOf(inputShape));
  if (dx.length > 0) addon.conv2dBackpropInput(convGeometry(info), f32(args.backend, dy), f32(args.backend, filter), dx);
  return output(args.backend, [...(inputShape as number[])], 'float32', dx);
};

export const conv2dBackpropFilter: NativeKernel = (args, addon) => {
  const { x, dy } = args.inputs;
  if (!allFloat32(x, dy) || !isNhwc(args)) return stock('Conv2DBackpropFilter', args);
  const { filterShape, strides, pad, dimRoundingMode } = args.attrs as never;
  const info = tf.backend_util.computeConv2DInfo(x.shape as never, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const dw = allocOutput(sizeOf(filterShape));
  if (dw.length > 0) addon.conv2dBackpropFilter(convGeometry(info), f32(args.backend, x), f32(args.backend, dy), dw);
  return output(args.backend, [...(filterShape as number[])], 'float32', dw);
};

function poolInfo(args: KernelArgs, xShape: number[]): tf.backend_util.Conv2DInfo | null {
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as never;
  const info = tf.backend_util.computePool2DInfo(xShape as never, filterSize, strides, 1, pad, dimRoundingMode);
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : null;
}

function poolGeometry(c: Conv2DInfo): Int32Array {
  return Int32Array.from([c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left]);
}

function poolKernel(name: 'MaxPool' | 'AvgPool', kind: number): NativeKernel {
  return (args, addon) => {
    const { x } = args.inputs;
    const info = allFloat32(x) && x.shape.length === 4 ? poolInfo(args, x.shape) : null;
    if (!info) return stock(name, args);
    const y = allocOutput(sizeOf(info.outShape));
    if (y.length > 0) addon.pool(kind, poolGeometry(info), f32(args.backend, x), y);
    return output(args.backend, info.outShape, 'float32', y);
  };
}
export const maxPool = poolKernel('MaxPool', 0);
export const avgPool = poolKernel('AvgPool', 1);

export const maxPoolGrad: NativeKernel = (args, addon) => {
  const { dy, input } = args.inputs;
  const info = allFloat32(dy, input) && input.shape.length === 4 ? poolInfo(args, input.shape) : null;
  if (!info) return stock('MaxPoolGrad', args);
  const dx = allocOutput(sizeOf(input.shape));
  if (dx.length > 0) addon.maxPoolGrad(poolGeometry(info), f32(args.backend, dy), f32(args.backend, input), dx);
  return output(args.backend, input.shape, 'float32', dx);
};

export const avgPoolGrad: NativeKernel = (args, addon) => {
  const { dy, input } = args.inputs;
  const info = allFloat32(dy) && input.shape.length === 4 ? poolInfo(args, input.shape) : null;
  if (!info) return stock('AvgPoolGrad', args);
  const dx = allocOutput(sizeOf(input.shape));
  if (dx.length > 0) addon.avgPoolGrad(poolGeometry(info), f32(args.backend, dy), dx);
  return output(args.backend, input.shape, 'float32', dx);
};
