/**
 * The conv/pool checks run identically on each backend (one test file per backend calls
 * `defineConvSuite`): first-order gradients against float64 references, exact HVPs of tiny conv
 * nets against a float64 mixed second difference, the failure without the second-order
 * registrations, and tensor-count stability.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, withoutConvSecondOrderGradients } from '../../src/backend/index.ts';
import { hessianVectorProduct, hessianVectorProductFiniteDifference } from '../../src/probes/hvp.ts';
import { hessianVectorProductFloat64, relativeError, seededValues } from './float64.ts';
import { conv2d64, dot64, gradientCentral64, maxPoolGradFirstMax64, pool64, type Pad, type Shape4 } from './convFloat64.ts';
import { netLoss64, netLossTf, paramShapes, tidyValue, unpack, type Layer, type NetData } from './convNets.ts';

const TOL = 1e-4;
const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

function grads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): Float64Array[] {
  return tidyValue(() => tf.grads((...a: tf.Tensor[]) => f(...a) as tf.Scalar)(xs).map((g) => Float64Array.from(g.dataSync())));
}

// ---------------------------------------------------------------- first order: conv2d
const xs: Shape4 = [2, 8, 7, 2];
const xConv = seededValues(2 * 8 * 7 * 2, 101);
/**
 * 8 rows (even) × 7 columns (odd) exercise both 'same' splits and 'valid' remainders. The
 * input-gradient replacement (convInputKernel.ts) also gets: an even filter ('same' pads only
 * bottom/right), a 1×1 stride-2 shortcut, stride 3, and explicit padding larger than the
 * filter (its crop path).
 */
const convCases: Array<{ stride: number; pad: Pad; ws?: Shape4 }> = [
  { stride: 1, pad: 'same' }, { stride: 1, pad: 'valid' }, { stride: 2, pad: 'same' }, { stride: 2, pad: 'valid' }, { stride: 2, pad: 1 },
  { stride: 1, pad: 'same', ws: [2, 2, 2, 3] }, { stride: 2, pad: 'same', ws: [1, 1, 2, 3] }, { stride: 3, pad: 'same' },
  { stride: 3, pad: 'valid' }, { stride: 2, pad: 3 },
];

function convFirstOrder(stride: number, pad: Pad, ws: Shape4 = [3, 3, 2, 3]) {
  const wConv = seededValues(ws.reduce((a, b) => a * b, 1), 102, 0.5);
  const outShape = conv2d64(xConv, xs, wConv, ws, stride, pad).shape;
  const c = seededValues(outShape.reduce((a, b) => a * b, 1), 103);
  const loss64 = (x: ArrayLike<number>, w: ArrayLike<number>) => dot64(c, conv2d64(x, xs, w, ws, stride, pad).y);
  const [gx, gw] = grads((x, w) => tf.sum(tf.mul(tf.tensor4d(f32(c), outShape), tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad))),
    [tf.tensor4d(f32(xConv), xs), tf.tensor4d(f32(wConv), ws)]);
  const forward = tidyValue(() => Float64Array.from(tf.conv2d(tf.tensor4d(f32(xConv), xs), tf.tensor4d(f32(wConv), ws), stride, pad).dataSync()));
  return {
    forward, forwardRef: conv2d64(xConv, xs, wConv, ws, stride, pad).y,
    gx, gxRef: gradientCentral64((x) => loss64(x, wConv), xConv),
    gw, gwRef: gradientCentral64((w) => loss64(xConv, w), wConv),
  };
}

// ---------------------------------------------------------------- first order: pooling
const ps: Shape4 = [2, 7, 6, 3];
const poolSize = 2 * 7 * 6 * 3;
const xPool = seededValues(poolSize, 201);
/** Quantised to halves in [-1.5, 1.5]: many ties and many all-negative windows. */
const xTies = Float64Array.from(seededValues(poolSize, 202), (v) => Math.round(v * 3) / 2);
/** Distinct, all negative. */
const xNegative = Float64Array.from(seededValues(poolSize, 203), (v, i) => -1 - Math.abs(v) - i * 1e-3);

function poolGrad(kind: 'avg' | 'max', x: Float64Array, k: number, stride: number, pad: Pad) {
  const outShape = pool64(kind, x, ps, k, stride, pad).shape;
  const c = seededValues(outShape.reduce((a, b) => a * b, 1), 204);
  const op = kind === 'avg' ? tf.avgPool : tf.maxPool;
  const [g] = grads((t) => tf.sum(tf.mul(tf.tensor4d(f32(c), outShape), op(t as tf.Tensor4D, k, stride, pad))), [tf.tensor4d(f32(x), ps)]);
  return { g, c, central: () => gradientCentral64((t) => dot64(c, pool64(kind, t, ps, k, stride, pad).y), x, 1e-4) };
}

// ---------------------------------------------------------------- second order: tiny conv nets
const data: NetData = {
  images: seededValues(4 * 6 * 6, 301), shape: [4, 6, 6, 1], labels: [0, 1, 2, 1], classes: 3,
};
const nets: Array<{ name: string; layers: Layer[] }> = [
  { name: "(a) conv → relu → avgPool('same') → dense → CE", layers: [
    { kind: 'conv', k: 3, filters: 2, stride: 1, pad: 'same' }, { kind: 'act', fn: 'relu' },
    { kind: 'pool', pool: 'avg', k: 3, stride: 2, pad: 'same' }, { kind: 'dense', units: 3 }] },
  { name: "(b) conv → relu → maxPool('same') → dense → CE", layers: [
    { kind: 'conv', k: 3, filters: 2, stride: 1, pad: 'same' }, { kind: 'act', fn: 'relu' },
    { kind: 'pool', pool: 'max', k: 3, stride: 2, pad: 'same' }, { kind: 'dense', units: 3 }] },
  { name: "(c) conv(stride 2, 'same') → sigmoid → dense → CE", layers: [
    { kind: 'conv', k: 3, filters: 2, stride: 2, pad: 'same' }, { kind: 'act', fn: 'sigmoid' }, { kind: 'dense', units: 3 }] },
  { name: "(d) conv → tanh → conv(stride 2, 'valid') → elu → dense → CE", layers: [
    { kind: 'conv', k: 3, filters: 2, stride: 1, pad: 'same' }, { kind: 'act', fn: 'tanh' },
    { kind: 'conv', k: 3, filters: 2, stride: 2, pad: 'valid' }, { kind: 'act', fn: 'elu' }, { kind: 'dense', units: 3 }] },
];

interface NetPoint { shapes: number[][]; theta: Float64Array; v: Float64Array; reference: Float64Array; seed: number; margin: number; halvingError: number }

const pointCache = new Map<string, NetPoint>();

/**
 * A seeded evaluation point at least 5e-3 from every kink (the perturbations of the second
 * difference move pre-activations by < 1e-3), with the float64 reference at h = 1e-4 and its
 * change when h, k halve.
 */
function netPoint(layers: Layer[], name: string): NetPoint {
  const cached = pointCache.get(name);
  if (cached) return cached;
  const shapes = paramShapes(layers, data.shape);
  const size = shapes.reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  for (let seed = 400; seed < 500; seed++) {
    const theta = seededValues(size, seed, 0.5);
    const { margin } = netLoss64(layers, data, theta);
    if (margin < 5e-3) continue;
    const v = seededValues(size, seed + 1000);
    const f = (t: Float64Array) => netLoss64(layers, data, t).loss;
    const reference = hessianVectorProductFloat64(f, theta, v, 1e-4, 1e-4);
    const halved = hessianVectorProductFloat64(f, theta, v, 5e-5, 5e-5);
    const point = { shapes, theta, v, reference, seed, margin, halvingError: relativeError(halved, reference) };
    pointCache.set(name, point);
    return point;
  }
  throw new Error(`no seed puts ${name} 5e-3 away from its kinks`);
}

function exactNetHvp(layers: Layer[], p: NetPoint): Float64Array | Error {
  try {
    return tidyValue(() => {
      const params = unpack(p.theta, p.shapes);
      const v = unpack(p.v, p.shapes);
      const hv = hessianVectorProduct((ps) => netLossTf(layers, data, ps), params, v);
      const out = new Float64Array(p.theta.length);
      let offset = 0;
      for (const t of hv) { out.set(t.dataSync(), offset); offset += t.size; }
      return out;
    });
  } catch (error) {
    return error as Error;
  }
}

export function defineConvSuite(backend: 'wasm' | 'cpu' | 'native'): void {
  describe(`conv and pooling on ${backend}`, () => {
    beforeAll(async () => {
      const info = await setupBackend(backend);
      expect(info.name).toBe(backend);
    });

    describe('first order against float64 references', () => {
      for (const { stride, pad, ws } of convCases) {
        it(`conv2d ${ws ? `${ws[0]}×${ws[1]}` : '3×3'} stride ${stride}, pad ${pad}: forward, filter and input gradients`, () => {
          const r = convFirstOrder(stride, pad, ws);
          expect(relativeError(r.forward, r.forwardRef)).toBeLessThan(TOL);
          expect(relativeError(r.gw, r.gwRef)).toBeLessThan(TOL);
          expect(relativeError(r.gx, r.gxRef)).toBeLessThan(TOL);
        });
      }

      const avgCases: Array<[number, number, Pad]> = [[3, 1, 'same'], [3, 2, 'same'], [2, 2, 'same'], [3, 2, 'valid'], [3, 2, 1]];
      for (const [k, stride, pad] of avgCases) {
        it(`avgPool ${k}×${k} stride ${stride} pad ${pad}: gradient (in-bounds divisor)`, () => {
          const r = poolGrad('avg', xPool, k, stride, pad);
          expect(relativeError(r.g, r.central())).toBeLessThan(TOL);
        });
      }

      const maxCases: Array<[number, number, Pad]> = [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same']];
      for (const [k, stride, pad] of maxCases) {
        it(`maxPool ${k}×${k} stride ${stride} pad ${pad}: ties and negatives route to the first maximum`, () => {
          const r = poolGrad('max', xTies, k, stride, pad);
          expect(relativeError(r.g, maxPoolGradFirstMax64(r.c, xTies, ps, k, stride, pad))).toBeLessThan(TOL);
        });
        it(`maxPool ${k}×${k} stride ${stride} pad ${pad}: all-negative distinct inputs match central differences`, () => {
          const r = poolGrad('max', xNegative, k, stride, pad);
          expect(relativeError(r.g, r.central())).toBeLessThan(TOL);
        });
      }
    });

    describe('exact HVP of tiny conv nets against a float64 mixed second difference', () => {
      for (const net of nets) {
        it(net.name, () => {
          const p = netPoint(net.layers, net.name);
          expect(p.theta.length).toBeLessThanOrEqual(200);
          expect(p.halvingError, 'float64 reference changes when h halves').toBeLessThan(1e-6);
          const got = exactNetHvp(net.layers, p);
          expect(got).not.toBeInstanceOf(Error);
          expect(relativeError(got as Float64Array, p.reference)).toBeLessThan(TOL);
        });
      }

      for (const net of nets.filter((x) => x.name.startsWith('(c)') || x.name.startsWith('(d)'))) {
        it(`${net.name}: the finite-difference HVP agrees with the exact one to 1e-3 (smooth net)`, () => {
          const p = netPoint(net.layers, net.name);
          const exact = exactNetHvp(net.layers, p) as Float64Array;
          const fd = tidyValue(() => {
            const hv = hessianVectorProductFiniteDifference((ps) => netLossTf(net.layers, data, ps), unpack(p.theta, p.shapes), unpack(p.v, p.shapes), 1e-2);
            const out = new Float64Array(p.theta.length);
            let offset = 0;
            for (const t of hv) { out.set(t.dataSync(), offset); offset += t.size; }
            return out;
          });
          expect(relativeError(fd, exact)).toBeLessThan(1e-3);
        });
      }

      it('without the second-order registrations every net HVP throws or is wrong', () => {
        for (const net of nets) {
          const p = netPoint(net.layers, net.name);
          const got = withoutConvSecondOrderGradients(() => exactNetHvp(net.layers, p));
          const failed = got instanceof Error || relativeError(got, p.reference) > 1e-2;
          expect(failed, `${net.name} passes without the registrations`).toBe(true);
        }
        // And they are back afterwards.
        const p = netPoint(nets[0].layers, nets[0].name);
        expect(exactNetHvp(nets[0].layers, p)).not.toBeInstanceOf(Error);
      });

      it('tf.memory().numTensors does not grow across repeated HVPs', () => {
        const runAll = () => {
          for (const net of nets) {
            const hv = exactNetHvp(net.layers, netPoint(net.layers, net.name));
            expect(hv).not.toBeInstanceOf(Error);
          }
        };
        runAll();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) runAll();
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  });
}
