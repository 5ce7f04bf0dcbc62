/**
 * Small helpers for writing TF.js kernels that work on more than one backend.
 *
 * A kernel function receives `TensorInfo`s (data ids, not `tf.Tensor`s) and must return
 * `TensorInfo`s that it owns. Calling `tf.*` ops inside a kernel would create engine-tracked
 * tensors (and tape nodes) in the middle of another kernel, so the replacements here either
 * call other registered kernels of the same backend directly (`callKernel`, disposing the
 * intermediates with `disposeInfo`) or compute in plain JS over `readValues` and hand the
 * result to `outputFromValues`.
 */
import * as tf from '@tensorflow/tfjs';

type AttrMap = tf.NamedAttrMap;
/** The `backend` a kernel function receives (typed `{}` by TF.js). */
type Backend = object;
const asKernelBackend = (b: Backend) => b as tf.KernelBackend;

/** Runs the kernel `name` registered for `backendName` on TensorInfos; the caller owns the result. */
/** Attributes shared by TF.js's conv gradient kernels (Conv2DBackpropFilter / Conv2DBackpropInput). */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function callKernel(
  name: string, backendName: string, backend: Backend, inputs: Record<string, tf.TensorInfo>, attrs: object,
): tf.TensorInfo {
  const config = tf.getKernel(name, backendName);
  if (!config) throw new Error(`kernel ${name} is not registered for backend '${backendName}'`);
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as AttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Releases a TensorInfo returned by `callKernel` (both cpu and wasm reference-count data ids). */
export function disposeInfo(backend: Backend, info: tf.TensorInfo): void {
  asKernelBackend(backend).disposeData(info.dataId);
}

/** The values of a TensorInfo as a typed array (a copy on wasm, the backing store on cpu). */
export function readValues(backend: Backend, info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  return asKernelBackend(backend).readSync(info.dataId) as Float32Array | Int32Array | Uint8Array;
}

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array | Int32Array | Uint8Array): tf.TensorInfo;
}
interface CpuLikeBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array | Uint8Array): tf.TensorInfo;
}

/** A new TensorInfo holding `values` (copied into the wasm heap on wasm). */
export function outputFromValues(
  backend: Backend, shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array | Uint8Array,
): tf.TensorInfo {
  // cpu has makeTensorInfo(shape, dtype, values) (and an unrelated makeOutput(values, shape, dtype)
  // returning a Tensor); wasm has only makeOutput(shape, dtype, memoryOffset, values).
  const cpu = backend as unknown as Partial<CpuLikeBackend>;
  if (typeof cpu.makeTensorInfo === 'function') return cpu.makeTensorInfo(shape, dtype, values);
  const wasm = backend as unknown as Partial<WasmLikeBackend>;
  if (typeof wasm.makeOutput === 'function') return wasm.makeOutput(shape, dtype, undefined, values);
  throw new Error('backend has neither makeTensorInfo nor makeOutput');
}

/** Registers `config` for its backend, replacing any kernel already registered under that name. */
export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
