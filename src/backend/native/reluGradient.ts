/**
 * The ReLU gradient on `native`: TF.js's rule is mul(dy, step(x)) — a Step and a Multiply, two
 * passes and two fresh buffers per ReLU in every backward pass. When no tape records (the
 * backward pass of a plain gradient) `native` runs it as one kernel, IblReluGrad, bit-identical
 * to that product (native/src/activationGrad.cc). Under a recording tape (the inner gradient of
 * an exact HVP) and on other backends the stock rule runs, so second derivatives are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, allFloat32, f32, nativeBackendName, output, sizeOf, type NativeKernel } from './kernelUtil.ts';

export const reluGradKernelName = 'IblReluGrad';

export const reluGradKernel: NativeKernel = (args, addon) => {
  const { dy, x } = args.inputs;
  if (!allFloat32(dy, x) || dy.shape.join() !== x.shape.join()) {
    throw new Error(`${reluGradKernelName}: needs float32 dy and x of one shape, got ${dy.dtype} [${dy.shape}] and ${x.dtype} [${x.shape}]`);
  }
  const out = allocOutput(sizeOf(x.shape));
  if (out.length > 0) addon.reluGrad(f32(args.backend, dy), f32(args.backend, x), out);
  return output(args.backend, x.shape, 'float32', out);
};

let installed = false;

export function registerNativeReluGradient(): void {
  if (installed) return;
  installed = true;
  const stock = tf.getGradient('Relu');
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const upstream = dy as tf.Tensor;
      if (tf.getBackend() !== nativeBackendName || tf.engine().isTapeOn() || x.dtype !== 'float32' || upstream.dtype !== 'float32'
        || upstream.shape.join() !== x.shape.join()) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(reluGradKernelName, { dy: upstream, x } as unknown as tf.NamedTensorMap, {}) as tf.Tensor };
    },
  });
}
