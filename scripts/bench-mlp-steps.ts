/**
 * Per-step wall times of the benchmark's MLP epoch (784-512-512-10, batch 128, SGD lr 0.01,
 * 10,000 synthetic images) through the training loop: minimum, 10th percentile and median over
 * --epochs epochs of steps. On a shared machine the low percentiles are what compare thread
 * settings (other jobs only add time); the median epoch is `npm run bench`'s. Not a test.
 *
 *   IBL_NATIVE_MATMUL_MIN_FLOPS_ALL_THREADS=5e7 npx tsx scripts/bench-mlp-steps.ts [--epochs 4]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { createMlp } from '../src/models/mlp.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { createRng } from '../src/util/rng.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, epochs: { type: 'string', default: '4' } } });
const info = await setupBackend(values.backend);
const count = 10_000;
const r = createRng(12);
const images = { name: 'synthetic', x: Float32Array.from({ length: count * 784 }, () => r.int(256) / 255), y: Int32Array.from({ length: count }, () => r.int(10)), n: count, featureShape: [28, 28, 1], numClasses: 10 };
const widths = [784, 512, 512, 10];
const model = createMlp({ widths });
const batchSize = 128;
const stepsPerEpoch = Math.ceil(count / batchSize);
const sgd = gradientDescent();
const p0 = model.init(createRng(7));
const stamps: number[] = [];
const run = trainLoop({
  model, rule: sgd, data: { train: toTensorData(images), curvature: toTensorData(images) },
  steps: (Number(values.epochs) + 1) * stepsPerEpoch, batchSize, withReplacement: false, seed: 0, learningRate: () => 0.01,
  probeEvery: Number.MAX_SAFE_INTEGER, divergenceLoss: 1e4,
  probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false },
  start: { params: p0, state: sgd.initState(p0), step: 0 }, onStep: () => { stamps.push(performance.now()); },
});
tf.dispose(run.params);
const steps = stamps.slice(stepsPerEpoch).map((t, i) => t - stamps[stepsPerEpoch - 1 + i]).sort((a, b) => a - b);
const at = (q: number) => steps[Math.floor(q * (steps.length - 1))];
process.stdout.write(`${JSON.stringify({ backend: info.name, steps: steps.length, minMs: at(0), p10Ms: at(0.1), medianMs: at(0.5), epochFromP10S: (at(0.1) * stepsPerEpoch) / 1000 })}\n`);
