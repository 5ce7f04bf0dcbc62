/**
 * Training and probe cost benchmark (`npm run bench`; not a test). Prints, on the selected backend:
 *  1. gradient, exact-HVP and finite-difference-HVP times on a 784-512-512-10 MLP over 1,000
 *     examples, as ratios to one gradient (target: exact HVP ≤ 3× a gradient);
 *  2. seconds for a Hutchinson trace estimate at 5% relative standard error;
 *  3. probe overhead as a fraction of training time at the default schedule (the run config's
 *     defaults; target ≤ 10%): one training run timed with and without probes;
 *  4. achieved matMul GFLOP/s of the gradient and HVP against a large square matMul;
 *  5. seconds per epoch of SGD (lr 0.01, batch 128, last partial batch kept) on that MLP over the
 *     first 10,000 Fashion-MNIST training images, through the toolkit's training loop;
 *  6. one SGD step (forward, gradient, update) of a cnn [16, 32] with dense [64] and max pooling,
 *     and of a resnet-cnn, stages [16, 32], one block per stage, batch norm, stem stride 1, on a
 *     batch of 100 28×28×1 images.
 * Data: the first images of Fashion-MNIST when Debian's dataset-fashion-mnist is installed, else
 * synthetic images of the same shape (uniform bytes / 255, random labels); the output says which.
 * The same workloads in PyTorch: scripts/pytorch_baseline.py (README, "Speed against PyTorch").
 *
 *   npm run bench [-- --backend native|wasm|cpu|tensorflow] [-- --json]
 * --json skips 2–4 and prints, last on stdout, one JSON object: backend, data, epochSeconds,
 * gradientMs, hvpMs, cnnStepMs, resnetStepMs (each a median of repetitions). Without --backend
 * the fastest available backend runs (IBL_BACKEND also chooses).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';
import { createMlp } from '../src/models/mlp.ts';
import { gradientOf, hessianVectorProduct, hessianVectorProductFiniteDifference } from '../src/probes/hvp.ts';
import { classificationObjective, objectiveHessian } from '../src/probes/objective.ts';
import { hutchinsonTrace } from '../src/probes/hessianTrace.ts';
import { runProbes } from '../src/probes/probeSuite.ts';
import { softmaxCrossEntropy, oneHotFloat } from '../src/train/loss.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { loadDigits } from '../src/data/digits.ts';
import { parameterCount } from '../src/models/types.ts';
import { createRng, permutation } from '../src/util/rng.ts';
import { createUpdateRule, trainingBatchSize } from '../src/optim/registry.ts';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { buildModel } from '../src/experiments/runExperiment.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from '../src/data/fashionMnist.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time (s) of `f` over `reps` runs after `warmup` runs; f must block (dataSync). */
function time(f: () => void, reps = 5, warmup = 2): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

const { values: flags } = parseArgs({ options: { json: { type: 'boolean', default: false }, backend: { type: 'string' } } });
const info = await setupBackend(flags.backend);
const line = (s: string) => process.stdout.write(`${s}\n`);
line(`backend: ${info.name} (TF.js ${info.tfjsVersion}), node ${process.version}`);
if (info.native) line(`  native addon: ${info.native.blas}`);
for (const s of info.skipped) line(`  skipped ${s.slice(0, 200)}`);

/** The first `count` Fashion-MNIST training images, or synthetic images of the same shape. */
function benchImages(count: number): { data: Dataset; source: string } {
  if (existsSync(`${FASHION_MNIST_DEFAULT_DIR}/train-images-idx3-ubyte.gz`) || existsSync(`${FASHION_MNIST_DEFAULT_DIR}/train-images-idx3-ubyte`)) {
    const train = loadFashionMnist().train;
    const d = 784;
    return {
      data: { ...train, x: train.x.slice(0, count * d), y: train.y.slice(0, count), n: count },
      source: `fashion-mnist (Debian dataset-fashion-mnist), first ${count} training images`,
    };
  }
  const r = createRng(12);
  return {
    data: { name: 'synthetic', x: Float32Array.from({ length: count * 784 }, () => r.int(256) / 255), y: Int32Array.from({ length: count }, () => r.int(10)),
      n: count, featureShape: [28, 28, 1], numClasses: 10 },
    source: `synthetic uniform-byte 28×28 images, random labels (fashion-mnist not installed at ${FASHION_MNIST_DEFAULT_DIR})`,
  };
}
const images = benchImages(10_000);
line(`data: ${images.source}`);

// 1. Gradient vs HVP on 784-512-512-10 over 1,000 examples.
const widths = [784, 512, 512, 10];
const model = createMlp({ widths });
const params = model.init(createRng(1));
const n = 1000;
const rng = createRng(2);
const x = tf.tensor2d(images.data.x.subarray(0, n * 784), [n, 784]);
const labels = images.data.y.slice(0, n);
const y = oneHotFloat(labels, 10);
const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, x), y);
const v = params.map((p) => tf.tensor(Float32Array.from({ length: p.size }, () => rng.sign()), p.shape));
const sync = (ts: tf.Tensor[]) => { ts.forEach((t) => t.dataSync()); tf.dispose(ts); };
const tGrad = time(() => { const { value, grads } = gradientOf(loss, params); sync([value, ...grads]); });
const tHvp = time(() => sync(hessianVectorProduct(loss, params, v)));
const tFd = time(() => sync(hessianVectorProductFiniteDifference(loss, params, v)));
const data = { x: x as tf.Tensor2D, oneHot: y, labels, n };
const op = objectiveHessian(classificationObjective(model, data), params);
const flatV = Float64Array.from({ length: op.dimension }, () => rng.sign());
const tOp = time(() => { op.apply(flatV); }, 5, 1);
line(`\n1. ${widths.join('-')} MLP (${parameterCount(model).toLocaleString('en')} parameters), ${n} examples`);
line(`   gradient                      ${(tGrad * 1000).toFixed(0)} ms   1.00×`);
line(`   exact HVP (reverse-over-rev.) ${(tHvp * 1000).toFixed(0)} ms   ${(tHvp / tGrad).toFixed(2)}×   (target ≤ 3×)`);
line(`   finite-difference HVP         ${(tFd * 1000).toFixed(0)} ms   ${(tFd / tGrad).toFixed(2)}×`);
line(`   exact HVP as a flat operator  ${(tOp * 1000).toFixed(0)} ms   ${(tOp / tGrad).toFixed(2)}×   (incl. float64 ↔ tensor copies)`);

if (!flags.json) {
// 2. Trace at 5% relative standard error.
const t0 = performance.now();
const trace = hutchinsonTrace(op, { samples: 400, relativeStderrTarget: 0.05, minSamples: 10, rng: createRng(3) });
const tTrace = (performance.now() - t0) / 1000;
line(`\n2. Hutchinson trace to 5% relative stderr: ${tTrace.toFixed(1)} s (${trace.samples} probes; tr = ${trace.estimate.toPrecision(4)} ± ${trace.stderr.toPrecision(2)})`);

// 3. Probe overhead at the default schedule: the same training run (schema defaults: digits,
//    64-64 bias-free ReLU MLP, SGD batch 64) timed with the default probes and with none.
const defaults = parseRunConfig({ optimizer: { learningRate: 0.1 }, training: { steps: 2000 } });
const { train, test } = loadDigits({ seed: 0 });
const dTrain = toTensorData(train);
const dTest = toTensorData(test);
const curvatureIdx = defaults.probes.subset !== 'all' && defaults.probes.subset < train.n
  ? permutation(train.n, createRng(5)).slice(0, defaults.probes.subset) : undefined;
const dCurvature = curvatureIdx ? toTensorData(train, curvatureIdx) : dTrain;
const digitsModel = buildModel(defaults, train.featureShape, train.numClasses);
const timedRun = (withProbes: boolean) => {
  const rule = createUpdateRule(defaults.optimizer);
  const params = digitsModel.init(createRng(4));
  const t0 = performance.now();
  const result = trainLoop({
    model: digitsModel, rule, data: { train: dTrain, test: dTest, curvature: dCurvature },
    steps: defaults.training.steps, batchSize: trainingBatchSize(defaults.optimizer), withReplacement: false,
    learningRate: () => defaults.optimizer.learningRate, seed: 0,
    probeEvery: withProbes ? defaults.probes.every : defaults.training.steps + 1,
    curvatureEvery: defaults.probes.curvatureEvery ?? 10 * defaults.probes.every,
    probes: withProbes
      ? { trace: defaults.probes.trace, eig: defaults.probes.eig, gradNorm: defaults.probes.gradNorm, margin: defaults.probes.margin, norms: defaults.probes.norms, chunkSize: defaults.probes.chunkSize }
      : { trace: false, eig: false, gradNorm: false, margin: false, norms: false, chunkSize: defaults.probes.chunkSize },
    divergenceLoss: defaults.training.divergenceLoss,
    start: { params, state: rule.initState(params), step: 0 },
  });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose(result.params);
  return seconds;
};
timedRun(false);
const tBare = timedRun(false);
const tProbed = timedRun(true);
const p = defaults.probes;
line(`\n3. Probe overhead at the default schedule (digits ${train.n} train, 64-64 MLP, SGD batch 64, ${defaults.training.steps} steps;`);
line(`   probes every ${p.every} steps, trace ${p.trace ? `${p.trace.samples} Hutchinson probes` : 'off'} every ${p.curvatureEvery ?? 10 * p.every} steps on ${curvatureIdx ? curvatureIdx.length : train.n} examples)`);
line(`   training alone ${tBare.toFixed(2)} s; with probes ${tProbed.toFixed(2)} s; overhead ${(100 * (tProbed - tBare) / tBare).toFixed(1)}% of training time (target ≤ 10%)`);

// 4. Achieved GFLOP/s. The peak is the best plain matMul over square sizes and the gradient's
//    own layer shapes (one size alone is not a peak: cache effects favour some shapes).
const matMulShapes: [number, number, number][] = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 2048, 2048], [1000, 784, 512], [1000, 512, 512], [512, 1000, 784]];
let peak = 0;
let peakShape = '';
for (const [m, k, nn] of matMulShapes) {
  const a = tf.randomUniform([m, k]);
  const b = tf.randomUniform([k, nn]);
  const t = time(() => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }, 3, 1);
  tf.dispose([a, b]);
  const rate = (2 * m * k * nn) / t / 1e9;
  if (rate > peak) { peak = rate; peakShape = `${m}×${k}·${k}×${nn}`; }
}
const size = peakShape;
const weights = parameterCount(model);
// Gradient: forward (2nP) + two backward matMuls (4nP); an HVP is about twice a gradient (12nP).
const gradFlops = 6 * n * weights;
line(`\n4. matMul throughput on ${info.name}`);
line(`   best plain matMul (${size}): ${peak.toFixed(1)} GFLOP/s (the backend's practical peak)`);
line(`   gradient: ${(gradFlops / tGrad / 1e9).toFixed(1)} GFLOP/s (${(100 * gradFlops / tGrad / 1e9 / peak).toFixed(0)}% of peak); exact HVP ≈ ${(2 * gradFlops / tHvp / 1e9).toFixed(1)} GFLOP/s (${(100 * 2 * gradFlops / tHvp / 1e9 / peak).toFixed(0)}%)`);
}

// 5. Seconds per epoch of SGD through the training loop (epoch 1 is a warm-up; median of 3).
const epochData = toTensorData(images.data);
const mlpForEpochs = createMlp({ widths });
const batchSize = 128;
const stepsPerEpoch = Math.ceil(images.data.n / batchSize);
const epochs = 3;
const stepEnds: number[] = [];
const sgd = gradientDescent();
const epochParams = mlpForEpochs.init(createRng(7));
const epochRun = trainLoop({
  model: mlpForEpochs, rule: sgd, data: { train: epochData, test: toTensorData(images.data, Int32Array.from({ length: 100 }, (_, i) => i)), curvature: epochData },
  steps: (epochs + 1) * stepsPerEpoch, batchSize, withReplacement: false, seed: 0, learningRate: () => 0.01,
  probeEvery: Number.MAX_SAFE_INTEGER, divergenceLoss: 1e4,
  probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false },
  start: { params: epochParams, state: sgd.initState(epochParams), step: 0 },
  onStep: (step) => { if (step % stepsPerEpoch === 0) stepEnds.push(performance.now()); },
});
tf.dispose(epochRun.params);
const epochSeconds = median(stepEnds.slice(1).map((t, i) => (t - stepEnds[i]) / 1000));
line(`\n5. SGD epoch, ${widths.join('-')} MLP, batch ${batchSize} (${stepsPerEpoch} steps), ${images.data.n} images: ${epochSeconds.toFixed(3)} s (median of ${epochs})`);

// 6. One SGD step (forward, gradient, update) of the conv nets on a batch of 100 images.
function convStepMs(modelConfig: Record<string, unknown>): number {
  const config = parseRunConfig({ model: modelConfig, optimizer: { learningRate: 0.01 }, training: { steps: 1 } });
  const convModel = buildModel(config, [28, 28, 1], 10);
  const batch = 100;
  const xb = tf.tensor2d(images.data.x.subarray(0, batch * 784), [batch, 784]);
  const yb = oneHotFloat(images.data.y.slice(0, batch), 10);
  let current = convModel.init(createRng(3));
  const rule = gradientDescent();
  const state = rule.initState(current);
  const step = () => {
    const grads = tf.tidy(() => gradientOf((ps) => softmaxCrossEntropy(convModel.apply(ps, xb), yb), current).grads);
    const next = rule.update(current, grads, state, { step: 0, learningRate: 0.01 });
    next.params.forEach((p) => p.dataSync());
    tf.dispose([...grads, ...current]);
    current = next.params;
  };
  const seconds = time(step, 7, 2);
  tf.dispose([...current, xb, yb]);
  return seconds * 1000;
}
const cnnStepMs = convStepMs({ kind: 'cnn', channels: [16, 32], dense: [64], pool: 'max' });
const resnetStepMs = convStepMs({ kind: 'resnet-cnn', stages: [16, 32], blocksPerStage: 1, norm: 'batch', stemStride: 1 });
line(`\n6. SGD step, batch 100 of 28×28×1: cnn [16, 32] dense [64] max pool ${cnnStepMs.toFixed(1)} ms; resnet-cnn [16, 32] batch norm ${resnetStepMs.toFixed(1)} ms`);

if (flags.json) {
  line(JSON.stringify({
    backend: info.name, data: images.source, epochSeconds, gradientMs: tGrad * 1000, hvpMs: tHvp * 1000, cnnStepMs, resnetStepMs,
    ...(info.native ? { blas: info.native.blas } : {}), node: process.version, tfjs: info.tfjsVersion,
  }));
}
