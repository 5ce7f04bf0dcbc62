/**
 * The new architectures on the cpu backend (conv gradients on wasm need the Conv2DBackpropFilter
 * kernel from the `kernels` branch; see wasm-conv.test.ts): homogeneity, checkpoint round trips,
 * batch-norm inference mode, config → model, and memory stability.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createCnn } from '../../src/models/cnn.ts';
import { createResidualMlp } from '../../src/models/residualMlp.ts';
import { createResnetCnn } from '../../src/models/resnetCnn.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { hasBatchNormInference, disposeBatchNormStatistics } from '../../src/models/batchNormState.ts';
import { modelFromArchitecture } from '../../src/models/fromArchitecture.ts';
import type { Model } from '../../src/models/types.ts';
import { saveCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.ts';
import { trainLoop } from '../../src/train/trainLoop.ts';
import { toTensorData, disposeTensorData } from '../../src/train/tensorData.ts';
import { momentumDescent } from '../../src/optim/momentum.ts';
import { withWeightDecay } from '../../src/optim/weightDecay.ts';
import { buildModel } from '../../src/experiments/runExperiment.ts';
import { parseRunConfig, ConfigError } from '../../src/experiments/runConfig.ts';
import { createRng } from '../../src/util/rng.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { seededValues } from '../helpers/float64.ts';

function images(n: number, shape: number[], k: number, seed: number): Dataset {
  const d = shape.reduce((a, b) => a * b, 1);
  return {
    name: 'synthetic-images', n, featureShape: shape, numClasses: k,
    x: Float32Array.from(seededValues(n * d, seed)),
    y: Int32Array.from({ length: n }, (_, i) => i % k),
  };
}

const logits = (model: Model, params: tf.Tensor[], x: tf.Tensor) => Array.from(tf.tidy(() => model.apply(params, x).dataSync()));

function maxRelativeDiff(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs), 1e-12);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

const shape = [8, 8, 2];
const all: [string, () => Model][] = [
  ['cnn max', () => createCnn({ inputShape: shape, channels: [3, 4], pool: 'max', dense: [5], outputs: 3 })],
  ['cnn avg', () => createCnn({ inputShape: shape, channels: [3], kernelSize: 5, pool: 'avg', outputs: 3, init: 'glorot' })],
  ['residual-mlp', () => createResidualMlp({ inputSize: 128, width: 6, depth: 3, outputs: 3, branchScaling: true })],
  ['residual-mlp layer', () => createResidualMlp({ inputSize: 128, width: 6, depth: 2, outputs: 3, norm: 'layer', init: 'lecun' })],
  ['residual-mlp batch', () => createResidualMlp({ inputSize: 128, width: 6, depth: 2, outputs: 3, norm: 'batch' })],
  ['resnet-cnn', () => createResnetCnn({ inputShape: shape, stages: [3, 4], outputs: 3 })],
  ['resnet-cnn batch', () => createResnetCnn({ inputShape: shape, stages: [3, 5], blocksPerStage: 2, norm: 'batch', outputs: 3 })],
  ['resnet-cnn layer', () => createResnetCnn({ inputShape: shape, stages: [4], norm: 'layer', outputs: 3 })],
];

describe('architectures (cpu)', () => {
  let x: tf.Tensor2D;
  beforeAll(async () => {
    await setupBackend('cpu');
    x = tf.tensor2d(Float32Array.from(seededValues(6 * 128, 11)), [6, 128]);
  });

  it('bias-free ReLU CNNs with max and average pooling are homogeneous: f(cθ) = c^L f(θ) with L = #weight layers', () => {
    for (const pool of ['max', 'avg'] as const) {
      const model = createCnn({ inputShape: shape, channels: [3, 4], pool, dense: [5], outputs: 3 });
      expect(model.homogeneityDegree).toBe(4);
      const params = model.init(createRng(3));
      for (const c of [0.5, 1.7, 3]) {
        const scaled = params.map((p) => tf.mul(p, c));
        const want = logits(model, params, x).map((v) => v * c ** 4);
        expect(maxRelativeDiff(logits(model, scaled, x), want)).toBeLessThan(1e-5);
        // and not of degree L ± 1 (the test would pass for any L if f were 0)
        expect(maxRelativeDiff(logits(model, scaled, x), want.map((v) => v / c))).toBeGreaterThan(0.1);
        tf.dispose(scaled);
      }
      tf.dispose(params);
    }
  });

  it('residual models report no homogeneity degree, and indeed are not homogeneous of any degree', () => {
    for (const model of [createResidualMlp({ inputSize: 128, width: 6, depth: 3, outputs: 3 }), createResnetCnn({ inputShape: shape, stages: [3, 4], outputs: 3 })]) {
      expect(model.homogeneityDegree).toBeNull();
      const params = model.init(createRng(4));
      const f1 = logits(model, params, x);
      const twice = params.map((p) => tf.mul(p, 2));
      const f2 = logits(model, twice, x);
      // f(2θ)/f(θ) would be one constant 2^L for a homogeneous model
      const ratios = f2.map((v, i) => v / f1[i]).filter((r) => Number.isFinite(r));
      expect(Math.max(...ratios) - Math.min(...ratios)).toBeGreaterThan(0.5);
      tf.dispose([...params, ...twice]);
    }
  });

  /**
   * For n i.i.d. N(0, σ²) draws, n·s²/σ² ~ χ²_n (s² = Σw²/n, the mean is known to be 0). The
   * interval below holds with probability 1 − 2·10⁻⁶ (z = 4.753 per tail, Wilson–Hilferty
   * quantiles, accurate to < 10⁻³ relative at these n), so a scale off by more than ≈ 1.3% fails.
   */
  function expectGaussianStd(values: ArrayLike<number>, sigma: number, label: string) {
    const n = values.length;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) { sum += values[i]; squares += values[i] ** 2; }
    const z = 4.753;
    const c = 2 / (9 * n);
    const ratio = Math.sqrt(squares / n) / sigma;
    expect(ratio, `${label}: s/σ`).toBeGreaterThan(Math.sqrt((1 - c - z * Math.sqrt(c)) ** 3));
    expect(ratio, `${label}: s/σ`).toBeLessThan(Math.sqrt((1 - c + z * Math.sqrt(c)) ** 3));
    expect(Math.abs(sum / n), `${label}: mean`).toBeLessThan(z * sigma / Math.sqrt(n));
  }

  it('init schemes and α set the weight scale: sample std within a χ² bound of α·√(2/fan_in) (He), √(1/fan_in) (LeCun), √(2/(fan_in+fan_out)) (Glorot)', () => {
    // He on a conv kernel [3, 3, 16, 512]: fan_in = 3·3·16 = 144, n = 73,728 (bound ±1.2%).
    const cnn = createCnn({ inputShape: [8, 8, 16], channels: [512], kernelSize: 3, outputs: 2, initScale: 0.25 });
    const [kernel, dense] = cnn.init(createRng(5));
    expect(kernel.shape).toEqual([3, 3, 16, 512]);
    expectGaussianStd(kernel.dataSync(), 0.25 * Math.sqrt(2 / 144), 'he conv α = 0.25');
    tf.dispose([kernel, dense]);
    // Dense kernels [256, 512] (n = 131,072, bound ±0.9%) and [512, 64].
    for (const [init, std0, std1] of [
      ['lecun', Math.sqrt(1 / 256), Math.sqrt(1 / 512)],
      ['glorot', Math.sqrt(2 / (256 + 512)), Math.sqrt(2 / (512 + 64))],
      ['he', 3 * Math.sqrt(2 / 256), 3 * Math.sqrt(2 / 512)],
    ] as const) {
      const mlp = createMlp({ widths: [256, 512, 64], init, initScale: init === 'he' ? 3 : 1 });
      const [w0, w1] = mlp.init(createRng(8));
      expectGaussianStd(w0.dataSync(), std0, `${init} layer 0`);
      expectGaussianStd(w1.dataSync(), std1, `${init} layer 1`);
      tf.dispose([w0, w1]);
    }
  });

  it.each(all)('%s round-trips through an ibl-checkpoint/1 folder (kind, tensors, identical logits)', (_, make) => {
    const model = make();
    const params = model.init(createRng(6));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-arch-'));
    saveCheckpoint(path.join(dir, 'ckpt'), model, params);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'ckpt', 'model.json'), 'utf8'));
    expect(meta.architecture.kind).toBe(model.architecture.kind);
    const loaded = loadCheckpoint(path.join(dir, 'ckpt'));
    expect(loaded.model.architecture).toEqual(model.architecture);
    expect(loaded.model.paramSpecs).toEqual(model.paramSpecs);
    expect(loaded.model.homogeneityDegree).toBe(model.homogeneityDegree);
    expect(logits(loaded.model, loaded.params, x)).toEqual(logits(model, params, x));
    tf.dispose([...params, ...loaded.params]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a malformed architecture names the field', () => {
    expect(() => modelFromArchitecture({ kind: 'cnn', inputShape: [8, 8], channels: [3], kernelSize: 3, pool: 'max', dense: [], outputs: 3 }))
      .toThrow(/architecture\.inputShape/);
    expect(() => modelFromArchitecture({ kind: 'resnet-cnn', inputShape: [8, 8, 1], stages: [3], blocksPerStage: 1, kernelSize: 3, norm: 'group', outputs: 3 }))
      .toThrow(/architecture\.norm must be one of none, batch, layer/);
    expect(() => modelFromArchitecture({ kind: 'transformer' })).toThrow(/unknown architecture kind 'transformer' \(known: mlp, cnn, residual-mlp, resnet-cnn\)/);
  });

  it('batch norm: training mode uses batch statistics; inference mode with population statistics of x reproduces it exactly on x, and chunking does not matter', () => {
    for (const model of [
      createResnetCnn({ inputShape: shape, stages: [3, 5], blocksPerStage: 2, norm: 'batch', outputs: 3 }),
      createResidualMlp({ inputSize: 128, width: 6, depth: 3, outputs: 3, norm: 'batch' }),
    ]) {
      if (!hasBatchNormInference(model)) throw new Error('batch-norm model without inference mode');
      const before = tf.memory().numTensors;
      const params = tf.tidy(() => model.init(createRng(7)).map((p) => tf.add(p, tf.mul(0.3, tf.randomNormal(p.shape, 0, 1, 'float32', 1)))));
      const full = model.estimateBatchNormStatistics(params, x);
      const chunked = model.estimateBatchNormStatistics(params, x, 4);
      for (let l = 0; l < full.length; l++) {
        expect(maxRelativeDiff(Array.from(chunked[l].mean.dataSync()), Array.from(full[l].mean.dataSync()))).toBeLessThan(1e-4);
        expect(maxRelativeDiff(Array.from(chunked[l].variance.dataSync()), Array.from(full[l].variance.dataSync()))).toBeLessThan(1e-4);
      }
      const training = logits(model, params, x);
      const inference = Array.from(tf.tidy(() => model.applyInference(params, full, x).dataSync()));
      expect(maxRelativeDiff(inference, training)).toBeLessThan(1e-3);
      // on a single example, training mode has no statistics to speak of; inference mode does
      const one = x.slice(0, 1);
      const single = Array.from(tf.tidy(() => model.applyInference(params, full, one).dataSync()));
      expect(maxRelativeDiff(single, training.slice(0, 3))).toBeLessThan(1e-3);
      one.dispose();
      disposeBatchNormStatistics(full);
      disposeBatchNormStatistics(chunked);
      tf.dispose(params);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('config → model: every kind builds from a config, sized by the data; conv kinds reject non-image data', () => {
    const base = { optimizer: { learningRate: 0.1 }, training: { steps: 1 } };
    const kinds = [
      { kind: 'cnn', channels: [4], pool: 'avg', dense: [8] },
      { kind: 'residual-mlp', width: 8, depth: 2, branchScaling: true, norm: 'layer' },
      { kind: 'resnet-cnn', stages: [4, 8], norm: 'batch', init: 'glorot', initScale: 0.5 },
      { hidden: [7] },
    ];
    for (const m of kinds) {
      const config = parseRunConfig({ ...base, model: m });
      const model = buildModel(config, [8, 8, 2], 3);
      expect(model.architecture.kind).toBe(m.kind ?? 'mlp');
      expect(model.outputSize).toBe(3);
    }
    expect(() => buildModel(parseRunConfig({ ...base, model: { kind: 'cnn' } }), [64], 3)).toThrow(/needs image data/);
    expect(() => parseRunConfig({ ...base, model: { kind: 'cnn', hidden: [3] } })).toThrow(ConfigError);
    expect(() => parseRunConfig({ ...base, model: { kind: 'cnn', hidden: [3] } })).toThrow(/model\.hidden: unknown field/);
    expect(() => parseRunConfig({ ...base, model: { kind: 'resnet-cnn', norm: 'group' } })).toThrow(/model\.norm/);
  });

  it('a residual CNN with batch norm trains on cpu with SGD momentum: loss decreases over a few steps, no tensor leak', () => {
    const model = createResnetCnn({ inputShape: [6, 6, 1], stages: [4, 6], norm: 'batch', outputs: 3 });
    const train = toTensorData(images(24, [6, 6, 1], 3, 21));
    const before = tf.memory().numTensors;
    const run = (steps: number) => {
      const rule = momentumDescent({ momentum: 0.9 });
      const params = model.init(createRng(8));
      const losses: number[] = [];
      const result = trainLoop({
        model, rule, data: { train, curvature: train }, steps, batchSize: null, withReplacement: false,
        learningRate: () => 0.05, seed: 1, probeEvery: 100, probes: { trace: false, margin: true, norms: true },
        divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 },
        onStep: (_, loss) => losses.push(loss),
      });
      tf.dispose(result.params);
      tf.dispose(result.state.velocity);
      return { losses, tensors: tf.memory().numTensors };
    };
    const short = run(2);
    const long = run(8);
    expect(long.losses[7]).toBeLessThan(long.losses[0] * 0.9);
    expect(short.tensors).toBe(before);
    expect(long.tensors).toBe(short.tensors);
    disposeTensorData(train);
  });

  it('memory: a homogeneous CNN and a residual MLP keep tf.memory().numTensors constant over training with probes', () => {
    const cases: [Model, Dataset][] = [
      [createCnn({ inputShape: [6, 6, 1], channels: [3], pool: 'max', outputs: 3 }), images(18, [6, 6, 1], 3, 22)],
      [createResidualMlp({ inputSize: 10, width: 8, depth: 2, outputs: 3, norm: 'layer' }), images(18, [10], 3, 23)],
      [createMlp({ widths: [10, 8, 3] }), images(18, [10], 3, 24)],
    ];
    for (const [model, ds] of cases) {
      const train = toTensorData(ds);
      const before = tf.memory().numTensors;
      const counts = [2, 6].map((steps) => {
        const rule = withWeightDecay(momentumDescent({ momentum: 0.9 }), 1e-3);
        const params = model.init(createRng(9));
        const result = trainLoop({
          model, rule, data: { train, test: train, curvature: train }, steps, batchSize: 6, withReplacement: false,
          learningRate: () => 0.05, seed: 2, probeEvery: 2,
          // the Hessian trace of conv nets needs second-order conv gradients (kernels branch)
          probes: { trace: model.architecture.kind === 'cnn' ? false : { samples: 2 }, margin: true, norms: true },
          divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 },
        });
        tf.dispose(result.params);
        tf.dispose(result.state.velocity);
        return tf.memory().numTensors;
      });
      expect(counts).toEqual([before, before]);
      disposeTensorData(train);
    }
  });
});
