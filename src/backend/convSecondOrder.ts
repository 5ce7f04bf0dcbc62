/**
 * Gradient configs for the kernels that appear only inside the *backward* graphs of conv and
 * pooling layers. TF.js 4.22 registers none for Conv2DBackpropFilter, AvgPoolGrad, MaxPoolGrad
 * or EluGrad, so differentiating a conv net's gradient (an HVP) throws
 * "gradient function not found". Each backward kernel is linear in its upstream gradient (and
 * the conv ones bilinear), so each gradient is the adjoint of a linear map (notation: ⟨·,·⟩ the
 * elementwise inner product, the config receives the cotangent of the kernel's output):
 *
 * Conv2DBackpropFilter(x, dy) = ∂_W ⟨dy, conv(x, W)⟩ — independent of W, bilinear in (x, dy).
 *   For a cotangent ddW:  ⟨ddW, dW(x, dy)⟩ = ⟨dy, conv(x, ddW)⟩, hence
 *     ∂/∂dy = conv2d(x, ddW)                             (same strides/padding/format),
 *     ∂/∂x  = Conv2DBackpropInput(dy, ddW), i.e. conv2dTranspose of dy with ddW.
 * AvgPoolGrad(dy) = Aᵀdy with A the forward average pooling (in-bounds divisor, see
 *   poolKernels.ts): ∂/∂dy = A ddx = avgPool(ddx); ∂/∂input = 0 (only its shape is used).
 * MaxPoolGrad(dy, x) = Rₓᵀdy with Rₓ the 0/1 routing matrix selecting each window's first
 *   arg-max: ∂/∂dy = Rₓ ddx = ddx gathered at each window's first arg-max; ∂/∂x = 0 almost
 *   everywhere (Rₓ is piecewise constant in x), ∂/∂output = 0.
 * EluGrad(dy, y) = dy·(y ≥ 0 ? 1 : y + 1)  (y = elu(x); for x < 0, elu' = eˣ = y + 1):
 *   ∂/∂dy = ddx·(y ≥ 0 ? 1 : y + 1),  ∂/∂y = ddx·dy·(y ≥ 0 ? 0 : 1) — this term, chained
 *   through y = elu(x), gives the second derivative elu'' = eˣ on x < 0.
 *
 * Conv2DBackpropInput already has a (correct) config in 4.22: it is bilinear in (dy, W) with
 * ∂/∂dy = conv2d(ddx, W) and ∂/∂W = Conv2DBackpropFilter(ddx, dy) — the latter needs the
 * filter kernel that convFilterKernel.ts adds on wasm.
 *
 * All gradients are built from differentiable ops (conv2d, avgPool, gather, where, mul), so a
 * third differentiation would also work.
 */
import * as tf from '@tensorflow/tfjs';
import { firstArgMaxIndices, poolGeometry, type PoolAttrs } from './poolKernels.ts';

type Conv2DBackpropFilterAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

const configs: tf.GradConfig[] = [
  {
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as Conv2DBackpropFilterAttrs;
      const filterCotangent = ddw as tf.Tensor4D;
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: filterCotangent },
          { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        dy: () => tf.conv2d(x, filterCotangent, strides, pad as 'valid', dataFormat, 1, dimRoundingMode),
      };
    },
  },
  {
    kernelName: 'AvgPoolGrad',
    inputsToSave: ['input'],
    gradFunc: (ddx, saved, attrs) => {
      const [input] = saved;
      const { filterSize, strides, pad } = attrs as unknown as PoolAttrs;
      return {
        dy: () => tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad as 'valid'),
        input: () => tf.zerosLike(input),
      };
    },
  },
  {
    kernelName: 'MaxPoolGrad',
    inputsToSave: ['input', 'output'],
    gradFunc: (ddx, saved, attrs) => {
      const [input, output] = saved;
      return {
        dy: () => {
          const argMax = firstArgMaxIndices(input.dataSync(), poolGeometry(input.shape, attrs as unknown as PoolAttrs));
          if (argMax.some((i) => i < 0)) throw new Error('MaxPoolGrad gradient: a pooling window is empty');
          return tf.reshape(tf.gather(tf.reshape(ddx as tf.Tensor, [-1]), tf.tensor1d(argMax, 'int32')), output.shape);
        },
        input: () => tf.zerosLike(input),
        output: () => tf.zerosLike(output),
      };
    },
  },
  {
    kernelName: 'EluGrad',
    inputsToSave: ['dy', 'y'],
    gradFunc: (ddx, saved) => {
      const [dy, y] = saved;
      const cotangent = ddx as tf.Tensor;
      const positive = tf.greaterEqual(y, 0);
      return {
        dy: () => tf.where(positive, cotangent, tf.mul(cotangent, tf.add(y, 1))),
        y: () => tf.where(positive, tf.zerosLike(y), tf.mul(cotangent, dy)),
      };
    },
  },
];

export const secondOrderConvKernelNames = configs.map((c) => c.kernelName);

/**
 * Registers each config unless TF.js already has one for that kernel (a later TF.js version
 * may add its own). Returns the kernel names registered by this call.
 */
export function registerConvSecondOrderGradients(): string[] {
  const registered: string[] = [];
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) !== undefined) continue;
    tf.registerGradient(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/**
 * Test hook: runs `fn` with this module's gradient configs removed (as in stock TF.js 4.22),
 * then restores them. Used to show that the HVP tests fail without the registrations.
 */
export function withoutConvSecondOrderGradients<T>(fn: () => T): T {
  const removed: tf.GradConfig[] = [];
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) === config) {
      tf.unregisterGradient(config.kernelName);
      removed.push(config);
    }
  }
  try {
    return fn();
  } finally {
    for (const config of removed) tf.registerGradient(config);
  }
}
