/**
 * What every `native` kernel shares: the backend is TF.js's MathBackendCPU (so tensors are plain
 * typed arrays in `backend.data`), the addon works on those arrays in place, and anything a
 * native kernel does not cover (another dtype, an unusual attribute) goes to the stock cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './loadAddon.ts';
import { outputPool } from './bufferPool.ts';

export const nativeBackendName = 'native';

/**
 * The cpu backend's kernels, captured when this module is first imported — before setupBackend
 * patches any of them for 'cpu' — so 'native' starts from the stock set.
 */
const stockCpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k] as const));

export function stockCpuKernelConfigs(): tf.KernelConfig[] {
  return [...stockCpuKernels.values()];
}

export interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: MathBackendCPU;
  attrs: Record<string, unknown>;
}
export type NativeKernel = (args: KernelArgs, addon: NativeAddon) => tf.TensorInfo | tf.TensorInfo[];

/** Runs the stock cpu kernel `name` (the fallback of every native kernel). */
export function stock(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const config = stockCpuKernels.get(name);
  if (!config) throw new Error(`no stock cpu kernel '${name}'`);
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
}

/**
 * The backing Float32Array of a float32 tensor (no copy). The cpu backend's Cast from bool keeps
 * the Uint8Array under dtype 'float32' (its readSync converts); such values are converted here.
 */
export function f32(backend: MathBackendCPU, info: tf.TensorInfo): Float32Array {
  const values = backend.data.get(info.dataId).values;
  if (values instanceof Float32Array) return values;
  return Float32Array.from(values as ArrayLike<number>);
}

export function u8(backend: MathBackendCPU, info: tf.TensorInfo): Uint8Array {
  return backend.data.get(info.dataId).values as Uint8Array;
}

export function allFloat32(...infos: (tf.TensorInfo | undefined)[]): boolean {
  return infos.every((t) => t !== undefined && t.dtype === 'float32');
}

export function output(backend: MathBackendCPU, shape: number[], dtype: tf.DataType, values: Float32Array | Uint8Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, dtype, values);
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Sizes the addon takes as int32 (offsets, geometry) must fit. */
export const fitsInt32 = (n: number) => n < 2 ** 31;

/**
 * A Float32Array for a kernel's output, uninitialised when ≥ 64 KiB (a recycled buffer from
 * bufferPool.ts, else Buffer.allocUnsafeSlow's own ArrayBuffer): every native kernel writes every
 * element of its output; smaller ones are zero-filled (recycled from 4 KiB on).
 */
export function allocOutput(n: number): Float32Array {
  return outputPool.allocate(n);
}
