/**
 * OneHot in plain JS, honouring the requested dtype and on/off values.
 *
 * Why: the wasm OneHot kernel of TF.js 4.22 always writes int32 bit patterns, whatever dtype the
 * output was allocated with, so `tf.oneHot(indices, depth, 1, 0, 'float32')` reads back as
 * 1.4e-45 (the float whose bits are the int 1) and fractional on/off values (label smoothing,
 * 0.9/0.05) come back as 0. Computing the (tiny) output in JS is exact for every dtype.
 */
import * as tf from '@tensorflow/tfjs';
import { outputFromValues, readValues } from './kernelCalls.ts';

interface OneHotAttrs { dtype: tf.DataType; depth: number; onValue: number; offValue: number }

export function oneHotValues(indices: ArrayLike<number>, depth: number, onValue: number, offValue: number, dtype: tf.DataType): Float32Array | Int32Array | Uint8Array {
  const size = indices.length * depth;
  const out = dtype === 'float32' ? new Float32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Int32Array(size);
  out.fill(offValue);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (k >= 0 && k < depth) out[i * depth + k] = onValue;
  }
  return out;
}

export function oneHotKernelConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'OneHot',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { indices } = inputs as { indices: tf.TensorInfo };
      const { dtype, depth, onValue, offValue } = attrs as unknown as OneHotAttrs;
      const values = oneHotValues(readValues(backend, indices), depth, onValue, offValue, dtype);
      return outputFromValues(backend, [...indices.shape, depth], dtype, values);
    },
  };
}
