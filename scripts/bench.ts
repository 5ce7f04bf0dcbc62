/**
 * Probe cost benchmark (`npm run bench`; not a test). Prints, on the selected backend:
 *  1. gradient, exact-HVP and finite-difference-HVP times on a 784-512-512-10 MLP over 1,000
 *     examples, as ratios to one gradient (target: exact HVP ≤ 3× a gradient);
 *  2. seconds for a Hutchinson trace estimate at 5% relative standard error;
 *  3. probe overhead as a fraction of training time at the default schedule (the run config's
 *     defaults; target ≤ 10%): one training run timed with and without probes;
 *  4. achieved matMul GFLOP/s of the gradient and HVP against a large square matMul.
 * IBL_BACKEND=wasm|cpu|tensorflow chooses the backend.
 */
import * as tf from '@tensorflow/tfjs';
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

const info = await setupBackend();
const line = (s: string) => process.stdout.write(`${s}\n`);
line(`backend: ${info.name} (TF.js ${info.tfjsVersion}), node ${process.version}`);

// 1. Gradient vs HVP on 784-512-512-10 over 1,000 examples.
const widths = [784, 512, 512, 10];
const model = createMlp({ widths });
const params = model.init(createRng(1));
const n = 1000;
const rng = createRng(2);
const x = tf.tensor2d(Float32Array.from({ length: n * 784 }, () => rng.next()), [n, 784]);
const labels = Int32Array.from({ length: n }, () => rng.int(10));
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
