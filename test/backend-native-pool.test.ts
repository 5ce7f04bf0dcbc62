/**
 * The `native` backend's output buffer pool (src/backend/native/bufferPool.ts) and GatherV2:
 * a recycled buffer never changes a value anyone can still see (arrays from dataSync, views made
 * by the stock Slice, tensors sharing data through reshape/clone), training is bit-identical with
 * and without recycling, and memory (tensor count, RSS, the pool's free bytes) stays flat over
 * 10⁴ steps. GatherV2 is checked against the stock cpu kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { BufferPool, outputPool, minPooledBytes } from '../src/backend/native/bufferPool.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { createMlp } from '../src/models/mlp.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { hessianVectorProduct } from '../src/probes/hvp.ts';
import { softmaxCrossEntropy } from '../src/train/loss.ts';
import { toTensorData, disposeTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import { nativeAvailable } from './helpers/native.ts';

const available = nativeAvailable('native buffer pool and GatherV2');

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** Elements in a pooled output (twice the threshold). */
const big = (2 * minPooledBytes) / 4;

describe.runIf(available)('native output buffer pool', () => {
  beforeAll(async () => {
    await setupBackend('native');
    outputPool.configure({ enabled: true });
  });
  afterAll(() => outputPool.configure({ enabled: process.env.IBL_NATIVE_POOL !== '0' }));

  /** Many same-size native outputs, so that any recycled buffer is overwritten with other values. */
  const churn = (shape: number[]) => {
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => tf.add(tf.mul(tf.fill(shape, 1000 + i), tf.fill(shape, 2)), tf.fill(shape, -7)).dataSync().length);
    }
  };

  it('recycles freed outputs of the same length (the pool is actually used)', () => {
    const before = outputPool.stats().reused;
    for (let i = 0; i < 10; i++) tf.tidy(() => { tf.relu(tf.neg(tf.ones([big]))); });
    expect(outputPool.stats().reused).toBeGreaterThan(before + 5);
  });

  it('an array from dataSync() is never recycled: it keeps its values after the tensor is disposed and others are made', () => {
    const x = tf.tidy(() => tf.add(tf.tensor1d(seeded(big, 1)), 1));
    const held = x.dataSync() as Float32Array;
    const copy = Float32Array.from(held);
    x.dispose();
    churn([big]);
    expect(held).toEqual(copy);
  });

  it('the async read (data()) also keeps its array out of the pool', async () => {
    const x = tf.tidy(() => tf.mul(tf.tensor1d(seeded(big, 2)), 3));
    const held = (await x.data()) as Float32Array;
    const copy = Float32Array.from(held);
    x.dispose();
    churn([big]);
    expect(held).toEqual(copy);
  });

  it('a stock Slice view of a pooled output keeps its values after the sliced tensor is disposed', () => {
    // The stock cpu Slice returns a subarray of its input for a contiguous slice.
    const x = tf.tidy(() => tf.add(tf.tensor2d(seeded(big, 3), [big / 64, 64]), 0.5));
    const part = tf.slice(x, [4, 0], [big / 64 - 8, 64]);
    const want = tf.tidy(() => tf.slice(tf.add(tf.tensor2d(seeded(big, 3), [big / 64, 64]), 0.5), [4, 0], [big / 64 - 8, 64]).arraySync());
    x.dispose();
    churn([big / 64, 64]);
    expect(part.arraySync()).toEqual(want);
    part.dispose();
  });

  it('a buffer shared by an output and a stock Slice view is recycled once both are disposed, not before', () => {
    const pool = outputPool.stats();
    const x = tf.tidy(() => tf.add(tf.tensor1d(seeded(big, 8)), 2));
    const head = tf.slice(x, [0], [big / 2]);
    const tail = tf.slice(x, [big / 2], [big / 2]);
    const wantTail = Array.from(seeded(big, 8).subarray(big / 2)).map((v) => Math.fround(Math.fround(v) + 2));
    x.dispose();
    head.dispose();
    churn([big]);
    expect(Array.from(tail.dataSync())).toEqual(wantTail);
    tail.dispose();
    // tail was read (dataSync): that buffer is never recycled.
    expect(outputPool.stats().escaped).toBeGreaterThan(pool.escaped);
    const y = tf.tidy(() => tf.add(tf.tensor1d(seeded(big, 9)), 2));
    const yHead = tf.slice(y, [0], [big / 2]);
    const released = outputPool.stats().released;
    y.dispose();
    expect(outputPool.stats().released).toBe(released);
    yHead.dispose();
    expect(outputPool.stats().released).toBe(released + 1);
  });

  it('tensors sharing data (reshape, clone) keep it until the last one is disposed', () => {
    const x = tf.tidy(() => tf.sub(tf.tensor1d(seeded(big, 4)), 0.25));
    const want = tf.tidy(() => tf.sub(tf.tensor1d(seeded(big, 4)), 0.25).dataSync().slice());
    const r = x.reshape([big / 2, 2]);
    const c = x.clone();
    x.dispose();
    churn([big]);
    r.dispose();
    churn([big]);
    expect(Float32Array.from(c.dataSync())).toEqual(want);
    c.dispose();
  });

  it('small outputs (4–64 KiB) are recycled zero-filled, like the new arrays they replace', () => {
    const n = 2048;
    const ones = tf.ones([n]);
    tf.tidy(() => { tf.add(ones, 5); });
    const before = outputPool.stats().reused;
    const zeros = tf.zerosLike(ones);
    expect(outputPool.stats().reused).toBe(before + 1);
    expect(zeros.dataSync().every((v) => v === 0)).toBe(true);
    tf.dispose([zeros, ones]);
    // The pool itself: a dirty small buffer comes back zeroed, a dirty large one as it was.
    const pool = new BufferPool(true, 2 ** 20);
    for (const [size, want] of [[n, 0], [big, 3]] as const) {
      const a = pool.allocate(size);
      pool.attached(a);
      a.fill(3);
      pool.release(a);
      const b = pool.allocate(size);
      expect(b).toBe(a);
      expect(b.every((v) => v === want)).toBe(true);
    }
  });

  it('a user array given to tf.tensor is never taken into the pool', () => {
    const mine = seeded(big, 5);
    const copy = Float32Array.from(mine);
    const x = tf.tensor1d(mine);
    tf.tidy(() => tf.relu(x));
    x.dispose();
    churn([big]);
    expect(mine).toEqual(copy);
  });

  it('training is bit-identical with and without recycling (GatherV2 batches, gradients, SGD updates)', () => {
    const n = 512;
    const d = 200;
    const ds = { name: 'synthetic', n, featureShape: [d], numClasses: 10, x: seeded(n * d, 6), y: Int32Array.from({ length: n }, (_, i) => (i * 7) % 10) };
    const train = toTensorData(ds);
    const model = createMlp({ widths: [d, 256, 256, 10] });
    const run = (enabled: boolean) => {
      outputPool.configure({ enabled });
      const params = model.init(createRng(3));
      const rule = gradientDescent();
      const losses: number[] = [];
      const result = trainLoop({
        model, rule, data: { train, curvature: train }, steps: 40, batchSize: 128, withReplacement: false, learningRate: () => 0.05, seed: 2,
        probeEvery: 1000, probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false }, divergenceLoss: 1e4,
        start: { params, state: rule.initState(params), step: 0 }, onStep: (_, loss) => losses.push(loss),
      });
      const values = result.params.map((p) => Array.from(p.dataSync()));
      tf.dispose(result.params);
      return { losses, values };
    };
    const pooled = run(true);
    const reused = outputPool.stats().reused;
    const again = run(true);
    expect(outputPool.stats().reused).toBeGreaterThan(reused);
    const fresh = run(false);
    outputPool.configure({ enabled: true });
    expect(pooled.losses.length).toBe(40);
    expect(pooled).toEqual(fresh);
    expect(again).toEqual(fresh);
    disposeTensorData(train);
  });

  it('over 10⁴ SGD steps the tensor count, the RSS and the pool stay flat', () => {
    const n = 1024;
    const d = 128;
    const ds = { name: 'synthetic', n, featureShape: [d], numClasses: 10, x: seeded(n * d, 7), y: Int32Array.from({ length: n }, (_, i) => i % 10) };
    const train = toTensorData(ds);
    // Batch 128 × width 128 floats = 64 KiB: activations and weights are pooled sizes.
    const model = createMlp({ widths: [d, 128, 128, 10] });
    let params = model.init(createRng(4));
    const rule = gradientDescent();
    const measure = () => ({ tensors: tf.memory().numTensors, rss: process.memoryUsage().rss, pool: outputPool.stats() });
    const chunk = (steps: number, start: number) => {
      const result = trainLoop({
        model, rule, data: { train, curvature: train }, steps: start + steps, batchSize: 128, withReplacement: false, learningRate: () => 0.01, seed: 5,
        probeEvery: 1e9, probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false }, divergenceLoss: 1e4,
        start: { params, state: rule.initState(params), step: start },
      });
      params = result.params;
    };
    chunk(500, 0);
    const early = measure();
    chunk(9500, 500);
    const late = measure();
    tf.dispose(params);
    disposeTensorData(train);
    expect(late.tensors).toBe(early.tensors);
    expect(late.pool.freeBytes).toBeLessThanOrEqual(late.pool.maxFreeBytes);
    expect(late.pool.allocated - early.pool.allocated).toBeLessThan(50);
    expect(late.pool.reused - early.pool.reused).toBeGreaterThan(9500 * 5);
    expect(late.rss - early.rss).toBeLessThan(64 * 2 ** 20);
  }, 120_000);

  it('repeated exact HVPs hold tensor count and pool size flat (only the read results leave the pool)', () => {
    const model = createMlp({ widths: [64, 128, 128, 10] });
    const params = model.init(createRng(6));
    const n = 128;
    const x = tf.tensor2d(seeded(n * 64, 13), [n, 64]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat());
    const v = params.map((p, i) => tf.tensor(seeded(p.size, 30 + i), p.shape));
    const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, x) as tf.Tensor2D, y as tf.Tensor2D);
    const hvp = () => { const out = hessianVectorProduct(loss, params, v); out.forEach((t) => t.dataSync()); tf.dispose(out); };
    for (let i = 0; i < 20; i++) hvp();
    const early = { tensors: tf.memory().numTensors, pool: outputPool.stats() };
    for (let i = 0; i < 300; i++) hvp();
    const late = { tensors: tf.memory().numTensors, pool: outputPool.stats() };
    expect(late.tensors).toBe(early.tensors);
    // Each call's three results are read (dataSync), so they leave the pool: about 3 new buffers per call, no more.
    expect(late.pool.allocated - early.pool.allocated).toBeLessThanOrEqual(300 * 3 + 10);
    expect(late.pool.reused - early.pool.reused).toBeGreaterThan(300 * 20);
    expect(late.pool.freeBytes).toBeLessThanOrEqual(early.pool.freeBytes + 2 ** 20);
    tf.dispose([...params, ...v, x, y]);
  }, 60_000);

  it('the free lists never hold more than the bound', () => {
    outputPool.configure({ enabled: true, maxFreeBytes: 3 * big * 4 });
    const xs = Array.from({ length: 10 }, (_, i) => tf.tidy(() => tf.add(tf.ones([big]), i)));
    tf.dispose(xs);
    expect(outputPool.stats().freeBytes).toBe(3 * big * 4);
    outputPool.configure({ enabled: true, maxFreeBytes: 256 * 2 ** 20 });
    expect(outputPool.stats().freeBytes).toBe(0);
  });
});

describe.runIf(available)('native GatherV2', () => {
  beforeAll(async () => { await setupBackend('native'); });

  async function both(f: () => tf.Tensor): Promise<void> {
    const results: { values: number[]; shape: number[]; dtype: string }[] = [];
    for (const backend of ['native', 'cpu']) {
      await tf.setBackend(backend);
      results.push(tf.tidy(() => { const t = f(); return { values: Array.from(t.dataSync() as ArrayLike<number>), shape: t.shape, dtype: t.dtype }; }));
    }
    await tf.setBackend('native');
    expect(results[0]).toEqual(results[1]);
  }

  const cases: [string, number[], number[], number[], number, number][] = [
    // label, x shape, indices shape, indices, axis, batchDims
    ['rows of a matrix (long slices)', [10, 40], [4], [3, 0, 9, 3], 0, 0],
    ['columns (short slices)', [6, 5], [3], [4, 4, 0], 1, 0],
    ['middle axis of rank 3', [3, 4, 5], [2, 2], [1, 3, 0, 2], 1, 0],
    ['last axis, negative', [2, 3, 7], [5], [6, 0, 1, 6, 2], -1, 0],
    ['size-1 dims', [1, 1, 8], [1], [0], 1, 0],
    ['no indices', [5, 3], [0], [], 0, 0],
    ['zero-size other dim', [4, 0], [3], [1, 2, 3], 0, 0],
    ['batchDims 1', [2, 4, 3], [2, 2], [3, 0, 1, 1], 1, 1],
  ];
  for (const [label, xShape, iShape, indices, axis, batchDims] of cases) {
    it(`${label}: equal to stock cpu for float32, int32 and bool`, async () => {
      const size = xShape.reduce((a, b) => a * b, 1);
      const values = Array.from(seeded(size, 11));
      await both(() => tf.gather(tf.tensor(values, xShape), tf.tensor(indices, iShape, 'int32'), axis, batchDims));
      await both(() => tf.gather(tf.tensor(values.map((v) => Math.round(v * 100)), xShape, 'int32'), tf.tensor(indices, iShape, 'int32'), axis, batchDims));
      await both(() => tf.gather(tf.tensor(values.map((v) => v > 0 ? 1 : 0), xShape, 'bool'), tf.tensor(indices, iShape, 'int32'), axis, batchDims));
    });
  }

  it('a gathered batch of pooled size equals stock cpu, and an index out of range fails like it', async () => {
    await both(() => tf.gather(tf.tensor2d(Array.from(seeded(300 * 784, 12)), [300, 784]), tf.tensor1d([5, 299, 0, 17, 17, 100], 'int32')));
    const x = tf.ones([4, 2]);
    const bad = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.gather(x, bad)).toThrow(/GatherV2: the index value 4 is not in \[0, 3\]/);
    tf.dispose([x, bad]);
  });
});

describe.runIf(available)('native Concat', () => {
  beforeAll(async () => { await setupBackend('native'); });

  async function both(f: () => tf.Tensor): Promise<void> {
    const results: { values: number[]; shape: number[]; dtype: string }[] = [];
    for (const backend of ['native', 'cpu']) {
      await tf.setBackend(backend);
      results.push(tf.tidy(() => { const t = f(); return { values: Array.from(t.dataSync() as ArrayLike<number>), shape: t.shape, dtype: t.dtype }; }));
    }
    await tf.setBackend('native');
    expect(results[0]).toEqual(results[1]);
  }
  const make = (shape: number[], seed: number, dtype: 'float32' | 'int32' | 'bool') => {
    const values = Array.from(seeded(shape.reduce((a, b) => a * b, 1), seed));
    return tf.tensor(dtype === 'float32' ? values : dtype === 'int32' ? values.map((v) => Math.round(v * 50)) : values.map((v) => (v > 0 ? 1 : 0)), shape, dtype);
  };
  const cases: [string, number[][], number][] = [
    ['1-d pieces', [[5], [1], [7]], 0],
    ['rows', [[2, 3], [4, 3]], 0],
    ['columns', [[3, 2], [3, 5], [3, 1]], 1],
    ['middle axis of rank 3', [[2, 1, 4], [2, 3, 4]], 1],
    ['last axis, negative', [[2, 2, 3], [2, 2, 1]], -1],
    ['with an empty piece', [[3, 0], [3, 2], [3, 4]], 1],
    ['all empty', [[0, 2], [0, 2]], 0],
    ['one non-empty piece', [[0, 3], [2, 3]], 0],
    ['pooled size', [[300, 100], [300, 120]], 1],
  ];
  for (const [label, shapes, axis] of cases) {
    it(`${label}: equal to stock cpu for float32, int32 and bool`, async () => {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        await both(() => tf.concat(shapes.map((s, i) => make(s, 20 + i, dtype)), axis));
      }
    });
  }
  it('GatherV2 and Concat are the native kernels on native', () => {
    for (const name of ['GatherV2', 'Concat', 'ZerosLike']) expect(tf.getKernel(name, 'native')?.kernelFunc).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
  });

  it('mismatched shapes fail as on stock cpu', () => {
    const a = tf.ones([2, 3]);
    const b = tf.ones([3, 3]);
    expect(() => tf.concat([a, b], 1)).toThrow(/concat/i);
    tf.dispose([a, b]);
  });
});

if (!available) {
  describe.skip('native buffer pool (skipped: addon not built)', () => {
    it('needs the native addon', () => {});
  });
}
