/**
 * Probe cost benchmark (`npm run bench`; not a test). Prints, on the selected backend:
 *  1. gradient, exact-HVP and finite-difference-HVP times on a 784-512-512-10 MLP over 1,000
 *     examples, as ratios to one gradient (target: exact HVP ≤ 3× a gradient);
 *  2. seconds for a Hutchinson trace estimate at 5% relative standard error;
 *  3. probe overhead as a fraction of training time at the default schedule (digits, 64-64 MLP,
 *     SGD batch 64, probes every 100 steps with 20 Hutchinson probes; target ≤ 10%), and with
 *     the optional λ_max probe;
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

// 3. Probe overhead at the default schedule (digits, as configs use by default).
const { train, test } = loadDigits({ seed: 0 });
const digitsModel = createMlp({ widths: [64, 64, 64, 10] });
const dTrain = toTensorData(train);
const dTest = toTensorData(test);
const dParams = digitsModel.init(createRng(4));
const rule = gradientDescent();
let state = rule.initState(dParams);
let current = dParams;
const order = permutation(train.n, createRng(5));
const stepTime = time(() => {
  const idx = tf.tensor1d(order.slice(0, 64), 'int32');
  const next = tf.tidy(() => {
    const xb = tf.gather(dTrain.x, idx);
    const yb = tf.gather(dTrain.oneHot, idx);
    const { grads } = gradientOf((p) => softmaxCrossEntropy(digitsModel.apply(p, xb), yb), current);
    return rule.update(current, grads, state, { step: 0, learningRate: 0.1 });
  });
  idx.dispose();
  next.params.forEach((p) => p.dataSync());
  if (current !== dParams) tf.dispose(current);
  current = next.params;
  state = next.state;
}, 50, 10);
const every = 100;
const probe = (eig: boolean, trace = true) => time(() => {
  runProbes(digitsModel, current, { train: dTrain, test: dTest, curvature: dTrain, init: dParams }, { trace: trace ? { samples: 20 } : false, margin: true, norms: true, seed: 1, eig: eig ? { k: 1 } : false, learningRate: 0.1 }, 0);
}, 3, 1);
const tProbe = probe(false);
const tProbeEig = probe(true);
const tProbeCheap = probe(false, false);
line(`\n3. Default schedule (digits ${train.n} train, 64-64 MLP, SGD batch 64, probes every ${every} steps, 20 Hutchinson probes on all training examples)`);
line(`   training step ${(stepTime * 1000).toFixed(2)} ms; one probe ${(tProbe * 1000).toFixed(0)} ms; overhead ${(100 * tProbe / (every * stepTime)).toFixed(1)}% of training time (target ≤ 10%)`);
line(`   with probes.eig (Lanczos λ_max): one probe ${(tProbeEig * 1000).toFixed(0)} ms; overhead ${(100 * tProbeEig / (every * stepTime)).toFixed(1)}%`);
line(`   without the trace (loss/accuracy, margins, norms only): one probe ${(tProbeCheap * 1000).toFixed(0)} ms; overhead ${(100 * tProbeCheap / (every * stepTime)).toFixed(1)}%
   one HVP over the ${train.n} examples costs ≈ ${(((tProbe - tProbeCheap) / 20) / stepTime).toFixed(0)} training steps, so 20 probes every ${every} steps cannot fit in 10%;
   with probes.subset = 500 the curvature part scales by 500/${train.n}`);

// 4. Achieved GFLOP/s.
const size = 1024;
const a = tf.randomUniform([size, size]);
const b = tf.randomUniform([size, size]);
const tMat = time(() => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }, 5, 2);
const peak = (2 * size ** 3) / tMat / 1e9;
const weights = parameterCount(model);
// Gradient: forward (2nP) + two backward matMuls (4nP); an HVP is about twice a gradient (12nP).
const gradFlops = 6 * n * weights;
line(`\n4. matMul throughput on ${info.name}`);
line(`   ${size}×${size} square matMul: ${peak.toFixed(1)} GFLOP/s (the backend's practical peak)`);
line(`   gradient: ${(gradFlops / tGrad / 1e9).toFixed(1)} GFLOP/s (${(100 * gradFlops / tGrad / 1e9 / peak).toFixed(0)}% of peak); exact HVP ≈ ${(2 * gradFlops / tHvp / 1e9).toFixed(1)} GFLOP/s (${(100 * 2 * gradFlops / tHvp / 1e9 / peak).toFixed(0)}%)`);
