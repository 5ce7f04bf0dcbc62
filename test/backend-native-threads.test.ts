/**
 * BLAS thread thresholds of the native backend: the environment variables are read into one
 * settings object (per-kernel values, the older shared name as fallback, bad values named), and a
 * matMul large enough to run on two threads gives the float64 product to float32 rounding for
 * every transpose flag, split over two threads (rows when m ≥ n, else columns) or on OpenBLAS's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { loadNativeAddon } from '../src/backend/native/loadAddon.ts';
import { blasThreadSettings, defaultConvMinFlops, defaultMatMulMinFlops } from '../src/backend/native/nativeBackend.ts';
import { seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';

describe('blasThreadSettings', () => {
  it('defaults: all threads allowed, the per-kernel thresholds', () => {
    expect(blasThreadSettings({})).toEqual({ maxThreads: 0, matMulMinFlops: defaultMatMulMinFlops, convMinFlops: defaultConvMinFlops, splitMatMul: true });
    expect(blasThreadSettings({ IBL_NATIVE_MATMUL_SPLIT: '0' }).splitMatMul).toBe(false);
  });
  it('the shared variable sets both thresholds; a per-kernel variable wins over it', () => {
    expect(blasThreadSettings({ IBL_NATIVE_MIN_FLOPS_ALL_THREADS: '7e7' })).toMatchObject({ matMulMinFlops: 7e7, convMinFlops: 7e7 });
    expect(blasThreadSettings({ IBL_NATIVE_MIN_FLOPS_ALL_THREADS: '7e7', IBL_NATIVE_CONV_MIN_FLOPS_ALL_THREADS: '2e9' }))
      .toMatchObject({ matMulMinFlops: 7e7, convMinFlops: 2e9 });
    expect(blasThreadSettings({ IBL_NATIVE_MATMUL_MIN_FLOPS_ALL_THREADS: '1', IBL_NATIVE_BLAS_THREADS: '1' }))
      .toEqual({ maxThreads: 1, matMulMinFlops: 1, convMinFlops: defaultConvMinFlops, splitMatMul: true });
  });
  it('names a variable whose value is not a non-negative number', () => {
    expect(() => blasThreadSettings({ IBL_NATIVE_CONV_MIN_FLOPS_ALL_THREADS: 'lots' })).toThrow(/IBL_NATIVE_CONV_MIN_FLOPS_ALL_THREADS=lots/);
    expect(() => blasThreadSettings({ IBL_NATIVE_MATMUL_MIN_FLOPS_ALL_THREADS: '-1' })).toThrow(/IBL_NATIVE_MATMUL_MIN_FLOPS_ALL_THREADS/);
    expect(() => blasThreadSettings({ IBL_NATIVE_BLAS_THREADS: '1.5' })).toThrow(/IBL_NATIVE_BLAS_THREADS/);
    expect(() => blasThreadSettings({ IBL_NATIVE_MATMUL_SPLIT: 'yes' })).toThrow(/IBL_NATIVE_MATMUL_SPLIT=yes/);
  });
});

const available = nativeAvailable('native matMul on two threads');

for (const split of [true, false]) {
  describe.runIf(available)(`native matMul above the thread threshold (${split ? 'split over two threads' : "OpenBLAS's threads"}) against float64`, () => {
  beforeAll(async () => {
    expect((await setupBackend('native')).name).toBe('native');
    const load = loadNativeAddon();
    if ('addon' in load) load.addon.setBlasThreads(0, 0, defaultConvMinFlops, split);  // every product on all threads
  });
  afterAll(() => {
    const load = loadNativeAddon();
    const s = blasThreadSettings(process.env);
    if ('addon' in load) load.addon.setBlasThreads(s.maxThreads, s.matMulMinFlops, s.convMinFlops, s.splitMatMul);
  });
  // m ≥ n splits rows, m < n columns; odd sizes leave unequal halves; m = 1 cannot split rows.
  const shapes = [[37, 21, 19], [9, 40, 13], [1, 7, 5], [64, 64, 128]] as const;
  for (const [m, n, k] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${m}×${k} · ${k}×${n}, transposeA ${transposeA}, transposeB ${transposeB}`, () => {
          const a = Float64Array.from(Float32Array.from(seededValues(m * k, m + 3 * k)));
          const b = Float64Array.from(Float32Array.from(seededValues(k * n, n + 5 * k)));
          const want = new Float64Array(m * n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
            want[i * n + j] = sum;
          }
          const got = tf.tidy(() => {
            let at = tf.tensor2d(Float32Array.from(a), [m, k]);
            let bt = tf.tensor2d(Float32Array.from(b), [k, n]);
            if (transposeA) at = at.transpose();
            if (transposeB) bt = bt.transpose();
            // transpose() materialises the transposed layout; matMul reads it back with the flag.
            return tf.matMul(at, bt, transposeA, transposeB).dataSync();
          });
          const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
          expect(got.length).toBe(m * n);
          expect(worst).toBeLessThan(1e-6);
        });
      }
    }
  }
});
}
