/**
 * x + α·y as one op — the shape of every first-order update (θ − ηg, βv + g). On `native` it is
 * one kernel (IblScaledAdd: one pass, one output buffer, instead of a Mul and an Add each
 * allocating a buffer the size of the weights); elsewhere it is tf.add(x, tf.mul(y, α)). Both
 * round α·y to float32 and then the sum, so the result is bit-identical on every backend.
 * Not differentiable (update rules are not differentiated).
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, allFloat32, f32, output, sizeOf, type NativeKernel } from './kernelUtil.ts';

export const scaledAddKernelName = 'IblScaledAdd';

export const scaledAddKernel: NativeKernel = (args, addon) => {
  const { x, y } = args.inputs;
  if (!allFloat32(x, y) || x.shape.join() !== y.shape.join()) {
    throw new Error(`${scaledAddKernelName}: needs two float32 tensors of one shape, got ${x.dtype} [${x.shape}] and ${y.dtype} [${y.shape}]`);
  }
  const out = allocOutput(sizeOf(x.shape));
  if (out.length > 0) addon.axpy(f32(args.backend, x), f32(args.backend, y), Number(args.attrs.alpha), out);
  return output(args.backend, x.shape, 'float32', out);
};

export function scaledAdd<T extends tf.Tensor>(x: T, y: tf.Tensor, alpha: number): T {
  if (x.dtype === 'float32' && y.dtype === 'float32' && x.shape.join() === y.shape.join()
    && tf.getKernel(scaledAddKernelName, tf.getBackend())) {
    return tf.engine().runKernel(scaledAddKernelName, { x, y } as unknown as tf.NamedTensorMap, { alpha: Math.fround(alpha) }) as T;
  }
  return tf.tidy(() => tf.add(x, tf.mul(y, alpha))) as T;
}
