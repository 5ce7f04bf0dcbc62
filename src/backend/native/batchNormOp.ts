/**
 * The fused batch-norm op (see batchNorm.ts for the kernels and the formulas) and its gradient.
 * Kept apart from the kernels so that models can import it without the native backend's modules.
 */
import * as tf from '@tensorflow/tfjs';

export const batchNormKernelName = 'IblBatchNorm';
export const batchNormGradKernelName = 'IblBatchNormGrad';

/** The gradient of batch norm written in TF ops (differentiable: used under a recording tape). */
function batchNormGradientOps(dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, epsilon: number): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const mean = tf.mean(x, axes, true);
  const centred = tf.sub(x, mean);
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axes, true), epsilon));
  const normalised = tf.mul(centred, r);
  const dbeta = tf.sum(dy, axes);
  const dyNormalised = tf.mul(dy, normalised);
  const dgamma = tf.sum(dyNormalised, axes);
  const inner = tf.sub(tf.sub(dy, tf.mean(dy, axes, true)), tf.mul(normalised, tf.mean(dyNormalised, axes, true)));
  const dx = tf.mul(inner, tf.mul(tf.reshape(gamma, mean.shape), r));
  return { dx, dgamma: tf.reshape(dgamma, gamma.shape), dbeta: tf.reshape(dbeta, gamma.shape) };
}

let gradientRegistered = false;

function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: batchNormKernelName,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma] = saved;
      const epsilon = Number(attrs.epsilon);
      const upstream = dy as tf.Tensor;
      const grads = tf.engine().isTapeOn() || !tf.getKernel(batchNormGradKernelName, tf.getBackend())
        ? batchNormGradientOps(upstream, x, gamma, epsilon)
        : (() => {
          const [dx, dgamma, dbeta] = tf.engine().runKernel(batchNormGradKernelName, { dy: upstream, x, gamma } as unknown as tf.NamedTensorMap,
            { epsilon } as unknown as tf.NamedAttrMap) as tf.Tensor[];
          return { dx, dgamma, dbeta };
        })();
      return { x: () => grads.dx, gamma: () => grads.dgamma, beta: () => grads.dbeta };
    },
  });
}

/**
 * The fused training-mode batch norm when the active backend has the kernel (native), else
 * null (the caller composes it from TF ops). ε is rounded to float32 as the composition's
 * tf.add(variance, ε) does.
 */
export function fusedBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor | null {
  if (x.dtype !== 'float32' || x.rank < 2 || !tf.getKernel(batchNormKernelName, tf.getBackend())) return null;
  const channels = x.shape[x.rank - 1];
  if (gamma.size !== channels || beta.size !== channels) return null;
  registerBatchNormGradient();
  return tf.engine().runKernel(batchNormKernelName, { x, gamma, beta } as unknown as tf.NamedTensorMap,
    { epsilon: Math.fround(epsilon) } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
