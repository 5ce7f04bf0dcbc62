/**
 * Gradient configs that TF.js 4.22 lacks for kernels which appear only inside *backward*
 * graphs, so that a second differentiation can pass through them.
 *
 * Comparisons (Equal from Max's gradient, Greater from Pow's, …) are piecewise constant:
 * their derivative is zero almost everywhere, which is the correct contribution to a Hessian.
 */
import * as tf from '@tensorflow/tfjs';

const comparisonKernels = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'];

export function registerExtraGradients(): void {
  for (const kernelName of comparisonKernels) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      // Zeros shaped like each input (not like dy): the inputs may broadcast.
      gradFunc: (_dy, saved) => {
        const [a, b] = saved;
        return { a: () => tf.zerosLike(a).toFloat(), b: () => tf.zerosLike(b).toFloat() };
      },
    });
  }
}
