/**
 * The ReLU gradient on native (src/backend/native/reluGradient.ts): one IblReluGrad kernel when
 * no tape records, bit-identical to the stock rule mul(dy, step(x)) on the stock cpu backend —
 * including NaN and ±0 inputs, −0 products and infinite upstream gradients — and the stock rule
 * (hence exact second derivatives) under a recording tape.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { hessianVectorProduct } from '../src/probes/hvp.ts';
import { seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';
import { tidyValue } from './helpers/convNets.ts';

const available = nativeAvailable('native ReLU gradient');

const special = [NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45, 3, -3];
const n = 1003;  // not a multiple of 4: the SIMD loop's tail runs too
const x = Float32Array.from(seededValues(n, 41, 2), (v, i) => (i < special.length ? special[i] : v));
const c = Float32Array.from(seededValues(n, 42, 2), (v, i) => (i >= special.length && i < 2 * special.length ? special[i - special.length] : v));
// Every special x meets a positive, a negative and a special upstream value somewhere.
for (let i = 0; i < special.length; i++) { x[100 + i] = special[i]; c[100 + i] = -1.5; x[200 + i] = special[i]; c[200 + i] = special[(i + 3) % special.length]; }

function gradientOn(backend: 'native' | 'cpu'): { values: number[]; kernels: Promise<string[]> } {
  tf.setBackend(backend);
  const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.tensor1d(c), tf.relu(t)));
  const values = tidyValue(() => Array.from(tf.grad(f)(tf.tensor1d(x)).dataSync()));
  const kernels = tf.profile(() => { tf.tidy(() => { tf.grad(f)(tf.tensor1d(x)); }); }).then((p) => p.kernels.map((k) => k.name));
  return { values, kernels };
}

describe.runIf(available)('ReLU gradient on native', () => {
  beforeAll(async () => { expect((await setupBackend('native')).name).toBe('native'); });

  it('is one IblReluGrad kernel, bit-identical to Multiply(dy, Step(x)) on stock cpu (NaN, ±0, ±∞)', async () => {
    const native = gradientOn('native');
    const nativeKernels = await native.kernels;
    const cpu = gradientOn('cpu');
    await cpu.kernels;
    await tf.setBackend('native');
    expect(nativeKernels).toContain('IblReluGrad');
    expect(nativeKernels).not.toContain('Step');
    expect(native.values).toEqual(cpu.values);
    expect(native.values.some((v) => Object.is(v, -0))).toBe(true);
    expect(native.values.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('under a recording tape (exact HVP) the stock rule runs and the HVP equals cpu\'s', async () => {
    const w0 = Float32Array.from(seededValues(12, 43));
    const xs = Float32Array.from(seededValues(8, 44, 2));
    const hvpOn = async (backend: 'native' | 'cpu') => {
      await tf.setBackend(backend);
      return tidyValue(() => {
        const loss = (ps: tf.Tensor[]) => tf.sum(tf.square(tf.relu(tf.matMul(tf.tensor2d(xs, [2, 4]), tf.reshape(ps[0], [4, 3]))))) as tf.Scalar;
        return Array.from(hessianVectorProduct(loss, [tf.tensor1d(w0)], [tf.tensor1d(Float32Array.from(seededValues(12, 45)))])[0].dataSync());
      });
    };
    const native = await hvpOn('native');
    const cpu = await hvpOn('cpu');
    await tf.setBackend('native');
    for (let i = 0; i < native.length; i++) expect(native[i]).toBeCloseTo(cpu[i], 5);
    expect(native.some((v) => v !== 0)).toBe(true);
  });
});
