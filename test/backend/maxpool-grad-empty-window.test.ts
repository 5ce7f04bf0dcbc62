/**
 * The second-order rule of MaxPoolGrad (src/backend/convSecondOrder.ts) routes each output
 * cotangent to its window's first arg-max. A numeric padding wider than the window makes windows
 * that lie wholly in the padding: there is no input element to route to, and the rule must say so
 * instead of gathering at index −1. A window with an element routes exactly one cotangent to it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';

/** d/d(dy) of Σ MaxPoolGrad(dy, x, maxPool(x)): the second-order rule's `dy` branch. */
function routeOnes(x: tf.Tensor4D, pad: number): Float32Array {
  const y = tf.maxPool(x, 1, 1, pad);
  const attrs = { filterSize: 1, strides: 1, pad };
  const route = tf.grad((dy: tf.Tensor) => tf.sum(tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never) as tf.Tensor));
  return route(tf.onesLike(y)).dataSync() as Float32Array;
}

describe('MaxPoolGrad second-order rule', () => {
  beforeAll(async () => { await setupBackend(); });

  it('a window wholly in the padding is an error naming it; a 1×1 window routes its one cotangent', () => {
    const x = tf.tensor4d([[[[2]]]]);
    expect(Array.from(routeOnes(x, 0))).toEqual([1]);
    expect(() => routeOnes(x, 1)).toThrow('MaxPoolGrad gradient: a pooling window is empty');
    x.dispose();
  });
});
