/**
 * Every kernel the `native` backend replaces, against the stock cpu kernel (elementwise,
 * reductions: equal to float32 rounding, most of them bit for bit) or a float64 reference
 * (matMul: the stock cpu kernel is wrong for mixed batch broadcasting), over shapes with
 * broadcasting, size-1 and zero-size dimensions and all transpose flags.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { nativeKernels } from '../src/backend/native/nativeBackend.ts';
import { scaledAdd } from '../src/backend/native/scaledAdd.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { momentumDescent } from '../src/optim/momentum.ts';
import { nativeAvailable } from './helpers/native.ts';
import { createMlp } from '../src/models/mlp.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { toTensorData, disposeTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';

const available = nativeAvailable('native kernels against stock cpu and float64');

interface Result { values: number[]; shape: number[]; dtype: string }

/** Runs `f` on a backend from plain arrays; returns plain values (tensors disposed). */
async function on(backend: 'native' | 'cpu', f: () => tf.Tensor): Promise<Result> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const t = f();
    return { values: Array.from(t.dataSync() as ArrayLike<number>), shape: t.shape, dtype: t.dtype };
  });
}

function seeded(n: number, seed: number, scale = 2): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}
/** Values on a 0.5 grid, so comparisons and max/min meet ties. */
const grid = (n: number, seed: number) => seeded(n, seed, 2).map((v) => Math.round(v * 2) / 2);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const t = (shape: number[], seed: number, values = grid) => tf.tensor(values(size(shape), seed), shape);

/** Worst |got − want| / max(|want|, floor), NaN = NaN counted as equal. */
function worstRelative(got: number[], want: number[], floor = 1e-30): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    if (got[i] === want[i]) continue;
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), floor));
  }
  return worst;
}

async function expectSameAsCpu(f: () => tf.Tensor, tolerance: number): Promise<void> {
  const got = await on('native', f);
  const want = await on('cpu', f);
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  if (tolerance === 0) expect(got.values).toEqual(want.values);
  else expect(worstRelative(got.values, want.values)).toBeLessThanOrEqual(tolerance);
}

const ulp = 2 ** -23;

describe.runIf(available)('native kernels', () => {
  beforeAll(async () => {
    const info = await setupBackend('native');
    expect(info.name).toBe('native');
    expect(info.native?.blas).toMatch(/BLAS/);
  });

  it('replaces the hot kernels (the rest stay the stock cpu kernels)', () => {
    for (const name of ['BatchMatMul', 'GatherV2', 'Transpose', 'Add', 'Multiply', 'Relu', 'Step', 'Sum', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPool']) {
      expect(Object.keys(nativeKernels())).toContain(name);
      expect(tf.getKernel(name, 'native')?.kernelFunc).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
    expect(tf.getKernel('Tile', 'native')?.kernelFunc).toBe(tf.getKernel('Tile', 'cpu')?.kernelFunc);
  });

  const shapePairs: [number[], number[]][] = [
    [[2, 3], [2, 3]], [[2, 3], [3]], [[3], [2, 3]], [[2, 1], [1, 3]], [[4, 1, 3], [2, 1]], [[], [5]], [[5], []], [[], []],
    [[2, 0, 3], [3]], [[1], [1]], [[3, 1, 2, 1], [1, 4, 1, 5]], [[128, 10], [128, 1]], [[1, 1, 1], [1000]],
  ];
  const binaryOps: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference], ['equal', tf.equal], ['notEqual', tf.notEqual], ['greater', tf.greater],
    ['greaterEqual', tf.greaterEqual], ['less', tf.less], ['lessEqual', tf.lessEqual],
  ];
  for (const [name, op] of binaryOps) {
    it(`${name}: bit-identical to stock cpu over broadcasting, size-1 and zero-size shapes`, async () => {
      for (const [i, [sa, sb]] of shapePairs.entries()) {
        await expectSameAsCpu(() => op(t(sa, 10 + i), t(sb, 50 + i)), 0);
      }
      // Non-grid values (division, rounding) and division by zero.
      await expectSameAsCpu(() => op(t([64, 33], 3, seeded), t([33], 4, seeded)), 0);
      await expectSameAsCpu(() => op(tf.tensor1d([1, -1, 0, 2]), tf.tensor1d([0, 0, 0, NaN])), 0);
    });
  }

  const unaryOps: [string, (x: tf.Tensor) => tf.Tensor, number][] = [
    ['relu', tf.relu, 0], ['neg', tf.neg, 0], ['square', tf.square, 0], ['abs', tf.abs, 0], ['relu6', tf.relu6, 0],
    ['step', (x) => tf.step(x), 0], ['step(α = 0.3)', (x) => tf.step(x, 0.3), 0],
    ['exp', tf.exp, ulp], ['log', (x) => tf.log(tf.abs(x)), ulp], ['sqrt', (x) => tf.sqrt(tf.abs(x)), ulp], ['rsqrt', (x) => tf.rsqrt(tf.abs(x)), ulp],
    ['reciprocal', tf.reciprocal, ulp], ['sigmoid', tf.sigmoid, ulp], ['tanh', tf.tanh, ulp],
  ];
  for (const [name, op, tol] of unaryOps) {
    it(`${name}: equal to stock cpu${tol ? ' within one float32 rounding' : ', bit for bit'} (incl. NaN, ±0, empty)`, async () => {
      for (const [i, shape] of [[0], [1], [3, 4], [2, 0, 2], [1000]].entries()) {
        await expectSameAsCpu(() => op(t(shape, 90 + i, seeded)), tol);
      }
      await expectSameAsCpu(() => op(tf.tensor1d([NaN, 0, -0, 1e-30, -1e-30, 88, -88, 7])), tol);
    });
  }

  it('transpose: bit-identical to stock cpu for every permutation of rank 2–4, size-1 and zero-size dims', async () => {
    const perms = (n: number): number[][] => (n === 1 ? [[0]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
    for (const shape of [[3, 5], [1, 7], [100, 70], [2, 3, 4], [2, 1, 3, 4], [3, 0, 2], [5, 4, 3, 2]]) {
      for (const perm of perms(shape.length)) {
        await expectSameAsCpu(() => tf.transpose(t(shape, 21, seeded), perm), 0);
      }
    }
  });

  it('Sum and Mean gradients (native rule: onesLike) are bit-identical to the stock rules on cpu', async () => {
    for (const axis of [undefined, 0, [1, 2], [0, 1, 2], -1]) {
      for (const op of [tf.sum, tf.mean]) {
        const f = () => tf.grad((x: tf.Tensor) => tf.sum(tf.square((op as (x: tf.Tensor, a?: number | number[]) => tf.Tensor)(x, axis))))(t([3, 4, 5, 2], 17, seeded));
        await expectSameAsCpu(f, 0);
      }
    }
    await expectSameAsCpu(() => tf.onesLike(t([3, 0, 2], 1)), 0);
    await expectSameAsCpu(() => tf.onesLike(t([300, 7], 1)), 0);
  });

  it('select (where) and addN: bit-identical to stock cpu', async () => {
    for (const shape of [[0], [1], [4, 5], [3, 1, 2]]) {
      await expectSameAsCpu(() => tf.where(tf.greater(t(shape, 1), 0), t(shape, 2), t(shape, 3)), 0);
      await expectSameAsCpu(() => tf.addN([t(shape, 4, seeded), t(shape, 5, seeded), t(shape, 6, seeded)]), 0);
    }
  });

  it('gather: bit-identical to stock cpu on every axis, int32/bool/float32, repeated, empty and 2-d indices; same error out of range', async () => {
    const cases: { shape: number[]; axis: number; indices: number[]; indicesShape?: number[] }[] = [
      { shape: [10, 6], axis: 0, indices: [3, 3, 9, 0] },
      { shape: [10, 6], axis: 1, indices: [5, 0, 2] },
      { shape: [10, 6], axis: -1, indices: [1] },
      { shape: [4, 5, 3], axis: 1, indices: [4, 0, 2, 2, 1, 3], indicesShape: [2, 3] },
      { shape: [4, 5, 3], axis: 2, indices: [2, 0] },
      { shape: [7], axis: 0, indices: [6, 5, 4, 3, 2, 1, 0] },
      { shape: [5, 3], axis: 0, indices: [] },
      { shape: [0, 3], axis: 1, indices: [2, 1] },
    ];
    for (const c of cases) {
      const index = () => tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], 'int32');
      await expectSameAsCpu(() => tf.gather(t(c.shape, 7, seeded), index(), c.axis), 0);
      await expectSameAsCpu(() => tf.gather(tf.cast(t(c.shape, 8), 'int32'), index(), c.axis), 0);
      await expectSameAsCpu(() => tf.gather(tf.greater(t(c.shape, 9), 0), index(), c.axis), 0);
    }
    await tf.setBackend('native');
    expect(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([3], 'int32'))).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([-1], 'int32'))).toThrow('GatherV2: the index value -1 is not in [0, 2]');
  });

  it('sum, mean, max, min over every axis set, with keepDims, equal to stock cpu within float32 rounding', async () => {
    const axisSets: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, [0, 1], [1, 2], [0, 2], [0, 1, 2]];
    for (const [name, op] of [['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min]] as const) {
      for (const axis of axisSets) {
        for (const keepDims of [false, true]) {
          await expectSameAsCpu(() => (op as (x: tf.Tensor, a?: number | number[], k?: boolean) => tf.Tensor)(t([3, 4, 5], 7, seeded), axis, keepDims), ulp);
        }
      }
      await expectSameAsCpu(() => (op as (x: tf.Tensor, a?: number) => tf.Tensor)(t([1, 1000], 8, seeded), 1), ulp);
    }
    await expectSameAsCpu(() => tf.sum(tf.zeros([0, 3]), 0), 0);
    await expectSameAsCpu(() => tf.sum(tf.zeros([3, 0]), 1), 0);
    await expectSameAsCpu(() => tf.max(tf.tensor2d([[NaN, 1], [2, 3]]), 1), 0);
  });

  /** Float64 batched matMul with explicit broadcasting of the batch dims. */
  function matMul64(a: number[], as: number[], b: number[], bs: number[], ta: boolean, tb: boolean): { values: number[]; shape: number[] } {
    const m = ta ? as[as.length - 1] : as[as.length - 2];
    const k = ta ? as[as.length - 2] : as[as.length - 1];
    const n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
    const ab = as.slice(0, -2);
    const bb = bs.slice(0, -2);
    const rank = Math.max(ab.length, bb.length);
    const ap = [...Array(rank - ab.length).fill(1), ...ab];
    const bp = [...Array(rank - bb.length).fill(1), ...bb];
    const ob = ap.map((d, i) => Math.max(d, bp[i]));
    const values: number[] = [];
    for (let i = 0; i < size(ob); i++) {
      let rest = i;
      let ai = 0;
      let bi = 0;
      const idx = ob.map(() => 0);
      for (let d = rank - 1; d >= 0; d--) { idx[d] = rest % ob[d]; rest = Math.floor(rest / ob[d]); }
      for (let d = 0; d < rank; d++) { ai = ai * ap[d] + (ap[d] === 1 ? 0 : idx[d]); bi = bi * bp[d] + (bp[d] === 1 ? 0 : idx[d]); }
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) {
          const av = a[ai * m * k + (ta ? j * m + r : r * k + j)];
          const bv = b[bi * k * n + (tb ? c * k + j : j * n + c)];
          s += av * bv;
        }
        values.push(s);
      }
    }
    return { values, shape: [...ob, m, n] };
  }

  const matMulCases: [number[], number[]][] = [
    [[3, 4], [4, 5]], [[1, 1], [1, 1]], [[64, 33], [33, 17]], [[2, 1, 7, 5], [1, 3, 5, 6]], [[3, 4, 5], [5, 2]],
    [[4, 5], [2, 5, 3]], [[0, 5], [5, 3]], [[3, 0], [0, 4]], [[2, 3], [3, 0]], [[2, 0, 3], [3, 4]], [[130, 257], [257, 129]],
  ];
  for (const ta of [false, true]) for (const tb of [false, true]) {
    it(`matMul transposeA=${ta} transposeB=${tb}: float64 reference to 1e-6 over batch broadcasting, size-1 and zero-size shapes`, async () => {
      for (const [i, [as0, bs0]] of matMulCases.entries()) {
        const swap = (s: number[], flag: boolean) => (flag ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
        const as = swap(as0, ta);
        const bs = swap(bs0, tb);
        const a = seeded(size(as), 200 + i);
        const b = seeded(size(bs), 300 + i);
        const got = await on('native', () => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb));
        const want = matMul64(a, as, b, bs, ta, tb);
        expect(got.shape).toEqual(want.shape);
        const scale = Math.max(1e-30, ...want.values.map(Math.abs));
        const worst = got.values.reduce((w, g, j) => Math.max(w, Math.abs(g - want.values[j]) / scale), 0);
        expect(worst, `${as} × ${bs}`).toBeLessThan(1e-6);
      }
    });
  }

  it('matMul with mixed batch broadcasting is right where the stock cpu kernel is wrong', async () => {
    const a = seeded(2 * 7 * 5, 1);
    const b = seeded(3 * 5 * 6, 2);
    const f = () => tf.matMul(tf.tensor(a, [2, 1, 7, 5]), tf.tensor(b, [1, 3, 5, 6]));
    const want = matMul64(a, [2, 1, 7, 5], b, [1, 3, 5, 6], false, false).values;
    const errorOf = (r: Result) => Math.max(...r.values.map((g, j) => Math.abs(g - want[j])));
    expect(errorOf(await on('native', f))).toBeLessThan(1e-5);
    expect(errorOf(await on('cpu', f))).toBeGreaterThan(0.1);
  });

  it('fused matMul + bias + relu equals matMul, add, relu on stock cpu', async () => {
    for (const [as, bs, bias] of [[[5, 4], [4, 3], [3]], [[2, 5, 4], [4, 3], [5, 1]]] as const) {
      const a = t([...as], 1, seeded);
      const b = t([...bs], 2, seeded);
      const c = t([...bias], 3, seeded);
      const got = await on('native', () => tf.fused.matMul({ a: a.clone(), b: b.clone(), bias: c.clone(), activation: 'relu' }));
      const want = await on('cpu', () => tf.relu(tf.add(tf.matMul(a.clone(), b.clone()), c.clone())));
      expect(worstRelative(got.values, want.values, 1e-3)).toBeLessThan(1e-6);
    }
  });

  it('conv2d and both gradients on batches split into several im2col chunks equal stock cpu to 1e-5', async () => {
    // 8×8×64 with a 3×3 filter: 64·576 patch floats per image, so 56 images per chunk; 60 → 56 + 4.
    const [N, H, C] = [60, 8, 64];
    const x = seeded(N * H * H * C, 31, 1);
    const w = seeded(3 * 3 * C * 2, 32, 0.3);
    for (const [stride, pad] of [[1, 'same'], [2, 'valid']] as const) {
      // Forward output and both gradients of Σ conv², flattened into one tensor.
      const f = () => {
        const xt = tf.tensor4d(x, [N, H, H, C]);
        const wt = tf.tensor4d(w, [3, 3, C, 2]);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))))([xt, wt]);
        return tf.concat([tf.conv2d(xt, wt, stride, pad).flatten(), gx.flatten(), gw.flatten()]);
      };
      const got = await on('native', f);
      const want = await on('cpu', f);
      const scale = want.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = got.values.reduce((m, g, j) => Math.max(m, Math.abs(g - want.values[j]) / scale), 0);
      expect(worst, `stride ${stride} ${pad}`).toBeLessThan(1e-5);
    }
  });

  it('scaledAdd and the SGD / momentum updates on native are bit-identical to the Mul + Add/Sub form on stock cpu', async () => {
    const p = seeded(1001, 5);
    const g = seeded(1001, 6);
    const lr = 0.01;
    expect((await on('native', () => scaledAdd(tf.tensor(p), tf.tensor(g), -lr))).values)
      .toEqual((await on('cpu', () => tf.sub(tf.tensor(p), tf.mul(tf.tensor(g), lr)))).values);
    const stepOf = (backend: 'native' | 'cpu', rule: ReturnType<typeof gradientDescent>) => on(backend, () => {
      const params = [tf.tensor(p, [7, 143])];
      let state = rule.initState(params);
      let current = params;
      for (let i = 0; i < 3; i++) {
        const next = rule.update(current, [tf.tensor(g, [7, 143])], state, { learningRate: lr, step: i });
        current = next.params;
        state = next.state;
      }
      return current[0];
    });
    for (const rule of [gradientDescent(), momentumDescent({ momentum: 0.9 }), momentumDescent({ momentum: 0.9, nesterov: true })]) {
      expect((await stepOf('native', rule)).values).toEqual((await stepOf('cpu', rule)).values);
    }
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const x = tf.tensor(p);
    const y = tf.tensor(g);
    for (let i = 0; i < 200; i++) scaledAdd(x, y, 0.5).dispose();
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.runIf(available)('native training memory', () => {
  it('tensor count, bytes and backend data ids after 1,000 momentum-SGD steps equal those after 20', async () => {
    await setupBackend('native');
    const model = createMlp({ widths: [12, 32, 32, 4] });
    const n = 96;
    const ds = { name: 'synthetic', n, featureShape: [12], numClasses: 4, x: Float32Array.from(seeded(n * 12, 9)), y: Int32Array.from({ length: n }, (_, i) => i % 4) };
    const train = toTensorData(ds);
    const run = (steps: number) => {
      const params = model.init(createRng(1));
      const rule = momentumDescent({ momentum: 0.9 });
      const result = trainLoop({
        model, rule, data: { train, curvature: train }, steps, batchSize: 16, withReplacement: false, learningRate: () => 0.01, seed: 1,
        probeEvery: steps, probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false }, divergenceLoss: 1e4,
        start: { params, state: rule.initState(params), step: 0 },
      });
      expect(result.status).toBe('completed');
      tf.dispose([...result.params, ...Object.values(result.state).flat()]);
      const memory = tf.memory();
      return [memory.numTensors, memory.numBytes, tf.backend().numDataIds()];
    };
    const after20 = run(20);
    const after1000 = run(1000);
    expect(after1000).toEqual(after20);
    disposeTensorData(train);
  });
});

// Without the addon, one visibly skipped entry says why; with it, nothing here is reported.
if (!available) {
  describe.skip('native kernels (skipped: addon not built)', () => {
    it('needs the native addon', () => {});
  });
}
