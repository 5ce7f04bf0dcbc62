/**
 * Sum and Mean gradients for the `native` backend. The stock rules broadcast dy with
 * mul(dy, ones(x.shape)), and `ones` fills its buffer in a JavaScript loop (~1 ns per element:
 * ~57 ms per resnet-cnn step, profiled). On native the same product uses onesLike(x), whose
 * kernel fills natively; onesLike is a constant with a zero gradient, so first and second
 * derivatives are the stock rules' exactly. Other backends keep the stock rules.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBackendName } from './kernelUtil.ts';

let installed = false;

function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis as number | number[], x.shape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

export function registerNativeReductionGradients(): void {
  if (installed) return;
  installed = true;
  const stockSum = tf.getGradient('Sum');
  const stockMean = tf.getGradient('Mean');
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (tf.getBackend() !== nativeBackendName || x.dtype !== 'float32') return stockSum.gradFunc(dy, saved, attrs);
      return { x: () => tf.mul(expandedDy(dy as tf.Tensor, x, attrs.axis), tf.onesLike(x)) };
    },
  });
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (tf.getBackend() !== nativeBackendName || x.dtype !== 'float32') return stockMean.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
      return { x: () => tf.div(tf.mul(expandedDy(dy as tf.Tensor, x, attrs.axis), tf.onesLike(x)), reduceSize) };
    },
  });
}
