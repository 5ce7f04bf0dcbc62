/**
 * Cross-backend checks for the conv/pool fixes (both backends in one process): which fixes each
 * backend's probes apply, idempotence, wasm oneHot, and wasm ≡ cpu for conv and pooling.
 * The per-op float64 checks and HVPs are in backend-conv-{wasm,cpu}.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, registerConvAndPoolFixes } from '../src/backend/index.ts';
import { relativeError, seededValues } from './helpers/float64.ts';
import { tidyValue } from './helpers/convNets.ts';

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

interface Results { [label: string]: Float64Array }

/** Conv forward and both gradients, avgPool and maxPool gradients, on the active backend. */
function convAndPoolResults(): Results {
  return tidyValue(() => {
    const out: Results = {};
    const x = tf.tensor4d(f32(seededValues(4 * 12 * 11 * 3, 1)), [4, 12, 11, 3]);
    const w = tf.tensor4d(f32(seededValues(3 * 3 * 3 * 5, 2, 0.5)), [3, 3, 3, 5]);
    for (const [stride, pad] of [[1, 'same'], [2, 'valid'], [2, 'same']] as const) {
      const y = tf.conv2d(x, w, stride, pad);
      const c = tf.tensor(f32(seededValues(y.size, 3)), y.shape);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(c, tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))))([x, w]);
      out[`conv ${stride} ${pad} forward`] = Float64Array.from(y.dataSync());
      out[`conv ${stride} ${pad} dx`] = Float64Array.from(gx.dataSync());
      out[`conv ${stride} ${pad} dW`] = Float64Array.from(gw.dataSync());
    }
    const ties = tf.round(tf.mul(x, 3));
    for (const pad of ['same', 'valid'] as const) {
      const gAvg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 3, 2, pad), tf.avgPool(x, 3, 2, pad))))(x);
      const gMax = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, pad), tf.maxPool(x, 3, 2, pad))))(ties);
      out[`avgPool ${pad} dx`] = Float64Array.from(gAvg.dataSync());
      out[`maxPool ${pad} dx (ties, negatives)`] = Float64Array.from(gMax.dataSync());
    }
    return out;
  });
}

describe('conv/pool fixes across backends', () => {
  it('the probes find and fix the known defects on each backend', async () => {
    const wasm = await setupBackend('wasm');
    expect(wasm.fixes).toEqual(expect.arrayContaining([
      'wasm: Conv2DBackpropFilter kernel added (Conv2D of transposed tensors)',
      'wasm: Conv2DBackpropInput kernel replaced (Conv2D of dilated dy and flipped filter, speed)',
      'wasm: AvgPoolGrad kernel (in-bounds divisor)',
      'wasm: MaxPoolGrad kernel (first arg-max)',
      'wasm: OneHot kernel (dtype-correct)',
      'gradient: Conv2DBackpropFilter (second order)',
      'gradient: AvgPoolGrad (second order)',
      'gradient: MaxPoolGrad (second order)',
      'gradient: EluGrad (second order)',
    ]));
    const cpu = await setupBackend('cpu');
    expect(cpu.fixes).toEqual(expect.arrayContaining([
      'cpu: Conv2DBackpropFilter kernel replaced (Conv2D of transposed tensors, speed)',
      'cpu: AvgPoolGrad kernel (in-bounds divisor)',
      'gradient: MaxPoolGrad (second order)',
    ]));
    // cpu's MaxPoolGrad and OneHot are correct, so they are left alone.
    expect(cpu.fixes.filter((f) => f.startsWith('cpu: MaxPoolGrad') || f.startsWith('cpu: OneHot'))).toEqual([]);
    // The evidence records the stock kernels' wrong values.
    const evidence = registerConvAndPoolFixes().find((f) => f.name.startsWith('cpu: AvgPoolGrad'))!.evidence;
    expect(evidence).toContain('stock kernel gave [0.4444, 0.6667');
    expect(evidence).toContain('expected [0.6944, 0.9722');
  });

  it('registerConvAndPoolFixes is idempotent', async () => {
    await setupBackend('wasm');
    const first = registerConvAndPoolFixes().map((f) => f.name);
    const second = registerConvAndPoolFixes().map((f) => f.name);
    expect(second).toEqual(first);
    expect(first.filter((f) => f.startsWith('wasm:'))).toHaveLength(5);
  });

  it('wasm oneHot honours float32 and fractional on/off values', async () => {
    await setupBackend('wasm');
    const indices = [0, 2, 1, 3, -1, 7];
    const expected = (on: number, off: number) => indices.flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? on : off)));
    tf.tidy(() => {
      const t = tf.tensor1d(indices, 'int32');
      const a = tf.oneHot(t, 4, 1, 0, 'float32');
      expect(a.dtype).toBe('float32');
      expect(Array.from(a.dataSync())).toEqual(expected(1, 0));
      const b = tf.oneHot(t, 4, 0.9, 0.05, 'float32');
      expect(relativeError(b.dataSync(), expected(0.9, 0.05))).toBeLessThan(1e-7);
      const c = tf.oneHot(t, 4);
      expect(c.dtype).toBe('int32');
      expect(Array.from(c.dataSync())).toEqual(expected(1, 0));
    });
  });

  it('wasm and cpu agree on conv forward/gradients and pooling gradients to 1e-5 relative', async () => {
    await setupBackend('wasm');
    const onWasm = convAndPoolResults();
    await setupBackend('cpu');
    const onCpu = convAndPoolResults();
    expect(Object.keys(onCpu)).toEqual(Object.keys(onWasm));
    for (const label of Object.keys(onWasm)) {
      expect(relativeError(onWasm[label], onCpu[label]), label).toBeLessThan(1e-5);
    }
  });
});
