/**
 * Where the MLP workloads of `npm run bench` spend their time on one backend (not a test), on
 * synthetic data of Fashion-MNIST's shape: seconds per SGD epoch of the 784-512-512-10 MLP (batch
 * 128, through trainLoop; wall and process CPU time), and the 1,000-example gradient and exact HVP
 * (median wall time and mean CPU time per call). CPU time (all threads) is steadier than wall
 * time on a shared machine; with IBL_NATIVE_BLAS_THREADS=1 it is the work done.
 *   --kernels       also CPU time per kernel name for one SGD step, the gradient and the HVP
 *   --epoch-only    only the epoch (with the native output pool's counters)
 *   --hvp-only <n>  only n HVP calls (for `node --cpu-prof --import tsx`)
 *   --reps, --epochs  repetitions of the gradient/HVP timings, epochs timed (after one warm-up)
 *
 *   npx tsx scripts/profile-mlp.ts [--backend native] [--kernels] [--reps 7] [--epochs 3]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';
import { createMlp } from '../src/models/mlp.ts';
import { gradientOf, hessianVectorProduct } from '../src/probes/hvp.ts';
import { softmaxCrossEntropy, oneHotFloat } from '../src/train/loss.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { outputPool } from '../src/backend/native/bufferPool.ts';

const { values: flags } = parseArgs({ options: { backend: { type: 'string' }, kernels: { type: 'boolean', default: false }, reps: { type: 'string', default: '7' }, epochs: { type: 'string', default: '3' }, 'epoch-only': { type: 'boolean', default: false }, 'hvp-only': { type: 'string' } } });
const info = await setupBackend(flags.backend);
const reps = Number(flags.reps);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => void) => { f(); f(); const ts: number[] = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } return median(ts); };

const count = 10_000;
const r = createRng(12);
const images = { name: 'synthetic', x: Float32Array.from({ length: count * 784 }, () => r.int(256) / 255), y: Int32Array.from({ length: count }, () => r.int(10)), n: count, featureShape: [28, 28, 1], numClasses: 10 };
const widths = [784, 512, 512, 10];
const model = createMlp({ widths });
const params = model.init(createRng(1));
const n = 1000;
const x = tf.tensor2d(images.x.subarray(0, n * 784), [n, 784]);
const y = oneHotFloat(images.y.slice(0, n), 10);
const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, x) as tf.Tensor2D, y);
const rng = createRng(2);
const v = params.map((p) => tf.tensor(Float32Array.from({ length: p.size }, () => rng.sign()), p.shape));
const sync = (ts: tf.Tensor[]) => { ts.forEach((t) => t.dataSync()); tf.dispose(ts); };
const gradOnce = () => { const { value, grads } = gradientOf(loss, params); sync([value, ...grads]); };
const hvpOnce = () => sync(hessianVectorProduct(loss, params, v));

const epochData = toTensorData(images);
const batchSize = 128;
const stepsPerEpoch = Math.ceil(count / batchSize);
const epochs = Number(flags.epochs);
const runEpochs = (k: number, onStep?: (step: number) => void) => {
  const sgd = gradientDescent();
  const p0 = createMlp({ widths }).init(createRng(7));
  const run = trainLoop({
    model, rule: sgd, data: { train: epochData, curvature: epochData },
    steps: k, batchSize, withReplacement: false, seed: 0, learningRate: () => 0.01,
    probeEvery: Number.MAX_SAFE_INTEGER, divergenceLoss: 1e4,
    probes: { trace: false, eig: false, gradNorm: false, margin: false, norms: false },
    start: { params: p0, state: sgd.initState(p0), step: 0 }, onStep,
  });
  tf.dispose(run.params);
};

if (flags['hvp-only']) {
  // For a CPU profile of the HVP alone: --hvp-only <calls>.
  for (let i = 0; i < Number(flags['hvp-only']); i++) hvpOnce();
  process.exit(0);
}

if (flags.kernels) {
  // CPU time (all threads) per kernel name: steadier than wall time on a shared machine.
  const by = new Map<string, { count: number; ms: number }>();
  const backendName = tf.getBackend();
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc: ((args: never) => {
      const c0 = process.cpuUsage();
      try { return (inner as (a: never) => unknown)(args); } finally {
        const u = process.cpuUsage(c0);
        const e = by.get(config.kernelName) ?? { count: 0, ms: 0 }; e.count++; e.ms += (u.user + u.system) / 1000; by.set(config.kernelName, e);
      }
    }) as never });
  }
  const show = async (label: string, f: () => void) => {
    f();
    by.clear();
    const reps = 5;
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) f();
    const u = process.cpuUsage(c0);
    const total = (u.user + u.system) / 1000 / reps;
    const inKernels = [...by.values()].reduce((a, e) => a + e.ms, 0) / reps;
    console.log(`\n${label}: CPU ${total.toFixed(2)} ms per call, ${inKernels.toFixed(2)} in kernels, ${[...by.values()].reduce((a, e) => a + e.count, 0) / reps} kernel calls`);
    for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${name.padEnd(24)} ${String(e.count / reps).padStart(5)}  ${(e.ms / reps).toFixed(3)} ms`);
  };
  const stepParams = createMlp({ widths }).init(createRng(7));
  const oneStep = () => {
    const index = tf.tensor1d(Int32Array.from({ length: batchSize }, (_, i) => (i * 37) % count), 'int32');
    const { grads } = tf.tidy(() => gradientOf((p) => softmaxCrossEntropy(model.apply(p, tf.gather(epochData.x, index)) as tf.Tensor2D, tf.gather(epochData.oneHot, index)), stepParams));
    const next = gradientDescent().update(stepParams, grads, {}, { step: 0, learningRate: 0.01 });
    tf.dispose([...grads, ...next.params, index]);
  };
  oneStep();
  await show('one SGD step (batch 128, as in trainLoop)', oneStep);
  await show('gradient, 1,000', gradOnce);
  await show('exact HVP, 1,000', hvpOnce);
}

const stepEnds: number[] = [];
const cpuEnds: number[] = [];
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now();
const c0 = cpuNow();
runEpochs((epochs + 1) * stepsPerEpoch, (step) => { if (step % stepsPerEpoch === 0) { stepEnds.push(performance.now()); cpuEnds.push(cpuNow()); } });
const epochMs = median(stepEnds.map((t, i) => t - (i === 0 ? t0 : stepEnds[i - 1])).slice(1));
const epochCpuMs = median(cpuEnds.map((t, i) => t - (i === 0 ? c0 : cpuEnds[i - 1])).slice(1));
if (flags['epoch-only']) { console.log(JSON.stringify({ epochSeconds: epochMs / 1000, epochCpuSeconds: epochCpuMs / 1000, pool: outputPool.stats() })); process.exit(0); }
const cpuPerCall = (f: () => void) => { const c0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const u = process.cpuUsage(c0); return (u.user + u.system) / 1000 / reps; };
const gradientMs = time(gradOnce);
const hvpMs = time(hvpOnce);
const gradientCpuMs = cpuPerCall(gradOnce);
const hvpCpuMs = cpuPerCall(hvpOnce);
console.log(JSON.stringify({ backend: info.name, epochSeconds: epochMs / 1000, epochCpuSeconds: epochCpuMs / 1000, gradientMs, hvpMs, hvpOverGradient: hvpMs / gradientMs, gradientCpuMs, hvpCpuMs, hvpOverGradientCpu: hvpCpuMs / gradientCpuMs, numTensors: tf.memory().numTensors, pool: outputPool.stats() }));
