/**
 * One training-gradient step of the Zhang conv nets (cnn-small, resnet-cnn) on batch 100 of
 * 28×28×1 images: wall time per step and tf.profile kernel times. Not a test.
 *
 *   npx tsx scripts/bench-conv-step.ts [--backend wasm|cpu] [--steps 10] [--only ID] [--model JSON]
 * --model times one extra model section, e.g. '{"kind":"cnn","channels":[8,16]}'.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';
import { buildModel } from '../src/experiments/runExperiment.ts';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { gradientOf } from '../src/probes/hvp.ts';
import { softmaxCrossEntropy, oneHotFloat } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';
import { zhangPreset } from '../src/experiments/zhang/config.ts';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, steps: { type: 'string', default: '10' }, only: { type: 'string' }, model: { type: 'string' } } });
const info = await setupBackend(values.backend);
const steps = Number(values.steps);
const line = (s: string) => process.stdout.write(`${s}\n`);
line(`backend ${info.name}`);
const n = 100;
const rng = createRng(1);
const x = tf.tensor2d(Float32Array.from({ length: n * 784 }, () => rng.next() - 0.5), [n, 784]);
const y = oneHotFloat(Int32Array.from({ length: n }, () => rng.int(10)), 10);
const archs = values.model ? [{ id: values.model, model: JSON.parse(values.model) as Record<string, unknown> }] : zhangPreset('quick', 'fashion-mnist').architectures;
for (const arch of archs) {
  if (!String(arch.model.kind).includes('cnn')) continue;
  if (values.only && arch.id !== values.only) continue;
  const config = parseRunConfig({ model: arch.model, optimizer: { learningRate: 0.01 }, training: { steps: 1 } });
  const model = buildModel(config, [28, 28, 1], 10);
  const params = model.init(createRng(2));
  const step = () => tf.tidy(() => {
    const { value, grads } = gradientOf((ps) => softmaxCrossEntropy(model.apply(ps, x), y), params);
    grads.forEach((g) => g.dataSync());
    return value.dataSync()[0];
  });
  step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - t0) / steps;
  const profile = await tf.profile(() => { step(); });
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, t]) => `${k} ${t.toFixed(1)}`).join(', ');
  line(`${arch.id}: ${ms.toFixed(1)} ms/step; kernels (ms): ${top}`);
  tf.dispose(params);
}
