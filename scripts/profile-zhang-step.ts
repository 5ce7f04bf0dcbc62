/**
 * One SGD step (forward, gradient, update) of the Zhang quick preset's resnet-cnn (stages [16, 32],
 * stride-2 stem, batch norm) on a batch of 100 28×28×1 images: median wall time over --steps
 * steps, then CPU time per kernel and input shape over --profile-steps profiled steps. Not a test.
 *
 *   npx tsx scripts/profile-zhang-step.ts [--backend native] [--steps 30] [--profile-steps 10]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';
import { buildModel } from '../src/experiments/runExperiment.ts';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { zhangPreset } from '../src/experiments/zhang/config.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { gradientOf } from '../src/probes/hvp.ts';
import { oneHotFloat, softmaxCrossEntropy } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'native' }, steps: { type: 'string', default: '30' }, 'profile-steps': { type: 'string', default: '10' } } });
const info = await setupBackend(values.backend);
const line = (s: string) => process.stdout.write(`${s}\n`);
const arch = zhangPreset('quick', 'fashion-mnist').architectures.find((a) => a.id === 'resnet-cnn');
if (!arch) throw new Error('the quick preset has no resnet-cnn');
const config = parseRunConfig({ model: arch.model, optimizer: { learningRate: 0.1 }, training: { steps: 1 } });
const model = buildModel(config, [28, 28, 1], 10);
const n = 100;
const rng = createRng(1);
const x = tf.tensor2d(Float32Array.from({ length: n * 784 }, () => rng.next() - 0.5), [n, 784]);
const y = oneHotFloat(Int32Array.from({ length: n }, () => rng.int(10)), 10);
const rule = gradientDescent();
let params = model.init(createRng(2));
const state = rule.initState(params);
const step = () => {
  const grads = tf.tidy(() => gradientOf((ps) => softmaxCrossEntropy(model.apply(ps, x), y), params).grads);
  const next = rule.update(params, grads, state, { step: 0, learningRate: 0.01 });
  next.params.forEach((p) => p.dataSync());
  tf.dispose([...grads, ...params]);
  params = next.params;
};
for (let i = 0; i < 3; i++) step();
const times: number[] = [];
for (let i = 0; i < Number(values.steps); i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
line(`backend ${info.name}; ${arch.id} (stride-2 stem); step median ${times[times.length >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}, ${times.length} steps)`);
const profileSteps = Number(values['profile-steps']);
const byKernel = new Map<string, { ms: number; count: number }>();
for (let i = 0; i < profileSteps; i++) {
  const profile = await tf.profile(() => { step(); });
  for (const k of profile.kernels) {
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
    const e = byKernel.get(key) ?? { ms: 0, count: 0 };
    e.ms += k.kernelTimeMs as number;
    e.count++;
    byKernel.set(key, e);
  }
}
const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((s, [, e]) => s + e.ms, 0) / profileSteps;
line(`kernel time per step ${total.toFixed(1)} ms (sum over kernels); top:`);
for (const [k, e] of rows.slice(0, 20)) line(`  ${(e.ms / profileSteps).toFixed(2).padStart(6)} ms  ${(e.count / profileSteps).toFixed(0)}×  ${k}`);
tf.dispose([...params, x, y]);
