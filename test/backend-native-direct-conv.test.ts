/**
 * The native backend's two conv algorithms (native/src/directConv.cc: direct, 16-lane channel
 * tiles; conv.cc: im2col + sgemm), each forced with IBL_NATIVE_CONV and also as chosen
 * automatically, against float64 references of the forward conv and of both gradients of
 * L = ⟨c, conv(x, w)⟩ (written out below as sums, independent of either kernel). The shapes
 * cross the tile boundaries (1, 5, 8, 16, 17, 32, 33 channels), cover the Zhang nets' layers
 * (1→16 stem, 16→16, 16→32 stride 2, 1×1 stride-2 shortcut), every padding kind, and the strided
 * input gradient's phase decomposition (odd sizes, batch 1, size-1 dims, phases without taps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { geometry, maxPoolGradFirstMax64, type Pad, type Shape4 } from './helpers/convFloat64.ts';
import { seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';

const available = nativeAvailable('native direct conv');

interface Case { n: number; h: number; w: number; ci: number; co: number; k: number; kw?: number; stride: number; pad: Pad; dilation?: number }
const cases: Case[] = [
  { n: 3, h: 28, w: 28, ci: 1, co: 16, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 12, w: 12, ci: 16, co: 16, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 12, w: 11, ci: 16, co: 32, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 12, w: 12, ci: 16, co: 32, k: 1, stride: 2, pad: 'same' },
  { n: 2, h: 9, w: 7, ci: 17, co: 5, k: 3, stride: 1, pad: 'valid' },
  { n: 2, h: 8, w: 9, ci: 3, co: 33, k: 2, stride: 1, pad: 'same' },
  { n: 1, h: 10, w: 10, ci: 8, co: 8, k: 5, stride: 1, pad: 2 },
  { n: 2, h: 7, w: 8, ci: 5, co: 17, k: 3, kw: 2, stride: 3, pad: 'valid' },
  { n: 2, h: 6, w: 6, ci: 9, co: 7, k: 3, stride: 1, pad: 4 },
  // Strided input gradient by phases (directConv.cc phaseInputGradient): odd sizes, batch 1,
  // a size-1 dimension, uncovered last rows ('valid'), phases with one tap (2×2) and with none
  // (1×1, forced direct), stride 3 with a non-square filter, padding past a phase's taps.
  { n: 1, h: 13, w: 15, ci: 16, co: 32, k: 3, stride: 2, pad: 'same' },
  { n: 3, h: 15, w: 8, ci: 8, co: 16, k: 3, stride: 2, pad: 'valid' },
  { n: 2, h: 1, w: 9, ci: 16, co: 8, k: 3, stride: 2, pad: 'same' },
  { n: 1, h: 1, w: 1, ci: 16, co: 16, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 10, w: 9, ci: 16, co: 16, k: 2, stride: 2, pad: 'valid' },
  { n: 2, h: 9, w: 9, ci: 16, co: 32, k: 1, stride: 2, pad: 'valid' },
  { n: 2, h: 11, w: 10, ci: 20, co: 12, k: 5, kw: 4, stride: 3, pad: 2 },
  { n: 1, h: 7, w: 6, ci: 16, co: 16, k: 3, stride: 2, pad: 4 },
  // 2.2·10⁷ flops (≥ 2·10⁷): the direct kernels split the images over two threads.
  { n: 12, h: 28, w: 27, ci: 16, co: 32, k: 3, stride: 2, pad: 'same' },
];

/** y, ∂L/∂x and ∂L/∂w of L = ⟨c, conv(x, w)⟩ in float64 (NHWC, filter [kh, kw, ci, co]). */
function reference(x: Float64Array, w: Float64Array, c: Float64Array, s: Case) {
  const kw = s.kw ?? s.k;
  const d = s.dilation ?? 1;
  const gh = geometry(s.h, s.w, (s.k - 1) * d + 1, (kw - 1) * d + 1, s.stride, s.pad);
  const y = new Float64Array(s.n * gh.outH * gh.outW * s.co);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < s.n; n++) for (let oy = 0; oy < gh.outH; oy++) for (let ox = 0; ox < gh.outW; ox++) {
    for (let a = 0; a < s.k; a++) for (let b = 0; b < kw; b++) {
      const r = oy * s.stride + a * d - gh.top, q = ox * s.stride + b * d - gh.left;
      if (r < 0 || r >= s.h || q < 0 || q >= s.w) continue;
      for (let i = 0; i < s.ci; i++) {
        const xi = ((n * s.h + r) * s.w + q) * s.ci + i;
        for (let o = 0; o < s.co; o++) {
          const yi = ((n * gh.outH + oy) * gh.outW + ox) * s.co + o;
          const wi = ((a * kw + b) * s.ci + i) * s.co + o;
          y[yi] += x[xi] * w[wi];
          dx[xi] += c[yi] * w[wi];
          dw[wi] += c[yi] * x[xi];
        }
      }
    }
  }
  return { y, dx, dw, outShape: [s.n, gh.outH, gh.outW, s.co] as Shape4 };
}

/** Worst |got − want| relative to the largest |want| (sums of many terms: an absolute scale). */
function scaledError(got: ArrayLike<number>, want: Float64Array): number {
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
}

describe.runIf(available)('native conv: direct and im2col against float64', () => {
  const saved = process.env.IBL_NATIVE_CONV;
  beforeAll(async () => {
    expect((await setupBackend('native')).name).toBe('native');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.IBL_NATIVE_CONV; else process.env.IBL_NATIVE_CONV = saved;
  });

  for (const algorithm of ['direct', 'im2col', 'auto'] as const) {
    for (const [index, s] of cases.entries()) {
      const kw = s.kw ?? s.k;
      it(`${algorithm}: ${s.ci}→${s.co}, ${s.k}×${kw}, stride ${s.stride}, pad ${s.pad} (${s.n}×${s.h}×${s.w})`, () => {
        if (algorithm === 'auto') delete process.env.IBL_NATIVE_CONV; else process.env.IBL_NATIVE_CONV = algorithm;
        const xs: Shape4 = [s.n, s.h, s.w, s.ci];
        const ws: Shape4 = [s.k, kw, s.ci, s.co];
        const x = seededValues(xs.reduce((a, b) => a * b, 1), 500 + index);
        const w = seededValues(ws.reduce((a, b) => a * b, 1), 600 + index, 0.5);
        const x32 = Float64Array.from(Float32Array.from(x));
        const w32 = Float64Array.from(Float32Array.from(w));
        const probe = reference(x32, w32, new Float64Array(0), s);
        const c = Float64Array.from(Float32Array.from(seededValues(probe.y.length, 700 + index)));
        const want = reference(x32, w32, c, s);
        const [y, gx, gw] = tf.tidy(() => {
          const xt = tf.tensor4d(Float32Array.from(x), xs);
          const wt = tf.tensor4d(Float32Array.from(w), ws);
          const ct = tf.tensor4d(Float32Array.from(c), want.outShape);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ct, tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s.stride, s.pad)));
          const [dx, dw] = tf.grads(f)([xt, wt]);
          return [tf.conv2d(xt, wt, s.stride, s.pad).dataSync(), dx.dataSync(), dw.dataSync()];
        });
        expect(scaledError(y, want.y), 'forward').toBeLessThan(1e-6);
        expect(scaledError(gx, want.dx), 'input gradient').toBeLessThan(1e-6);
        expect(scaledError(gw, want.dw), 'filter gradient').toBeLessThan(1e-6);
      });
    }
  }
});

describe.runIf(available)('native conv forward with dilation (TF.js has no dilated conv gradients)', () => {
  beforeAll(async () => {
    expect((await setupBackend('native')).name).toBe('native');
  });
  const dilated: Case[] = [
    { n: 2, h: 11, w: 10, ci: 16, co: 16, k: 3, stride: 1, pad: 'same', dilation: 2 },
    { n: 2, h: 9, w: 12, ci: 5, co: 19, k: 2, kw: 3, stride: 1, pad: 'valid', dilation: 3 },
  ];
  for (const algorithm of ['direct', 'im2col'] as const) {
    for (const [index, s] of dilated.entries()) {
      it(`${algorithm}: ${s.ci}→${s.co}, ${s.k}×${s.kw ?? s.k}, dilation ${s.dilation}, pad ${s.pad}`, () => {
        process.env.IBL_NATIVE_CONV = algorithm;
        try {
          const xs: Shape4 = [s.n, s.h, s.w, s.ci];
          const ws: Shape4 = [s.k, s.kw ?? s.k, s.ci, s.co];
          const x = Float64Array.from(Float32Array.from(seededValues(xs.reduce((a, b) => a * b, 1), 950 + index)));
          const w = Float64Array.from(Float32Array.from(seededValues(ws.reduce((a, b) => a * b, 1), 960 + index, 0.5)));
          const want = reference(x, w, new Float64Array(0), s);
          const y = tf.tidy(() => tf.conv2d(tf.tensor4d(Float32Array.from(x), xs), tf.tensor4d(Float32Array.from(w), ws), 1, s.pad as 'same', 'NHWC', s.dilation).dataSync());
          expect(y.length).toBe(want.y.length);
          expect(scaledError(y, want.y)).toBeLessThan(1e-6);
        } finally {
          delete process.env.IBL_NATIVE_CONV;
        }
      });
    }
  }
});

describe.runIf(available)('native MaxPoolGrad on windows that tile the input (no zero-fill pass)', () => {
  beforeAll(async () => {
    expect((await setupBackend('native')).name).toBe('native');
  });
  // 3×3 stride 3 and 2×2 stride 2 'valid' on 8×7 and 7×9: uncovered last rows and columns; values on
  // a 0.5 grid so windows hold ties (the gradient goes to the first maximum in row-major order).
  for (const [k, h, w] of [[3, 8, 7], [2, 7, 9], [2, 8, 8]] as const) {
    it(`${k}×${k} stride ${k} on ${h}×${w}×17 equals the float64 first-arg-max routing`, () => {
      const xs: Shape4 = [2, h, w, 17];
      const x = Float64Array.from(seededValues(xs.reduce((a, b) => a * b, 1), 800 + k + h), (v) => Math.round(v * 3) / 2);
      const outShape: Shape4 = [2, Math.floor(h / k), Math.floor(w / k), 17];
      const c = Float64Array.from(Float32Array.from(seededValues(outShape.reduce((a, b) => a * b, 1), 900 + k)));
      const [got] = tf.tidy(() => tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.tensor4d(Float32Array.from(c), outShape),
        tf.maxPool(t as tf.Tensor4D, k, k, 'valid'))))([tf.tensor4d(Float32Array.from(x), xs)]).map((g) => g.dataSync()));
      const want = maxPoolGradFirstMax64(c, x, xs, k, k, 'valid');
      expect(Array.from(got)).toEqual(Array.from(want, (v) => Math.fround(v)));
    });
  }
});
