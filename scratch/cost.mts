import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { runExperiment } from '../src/experiments/runExperiment.ts';
export {};
const [model, n, steps, every, loss, lr] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6], Number(process.argv[7])];
const t0 = Date.now();
const s = await runExperiment(parseRunConfig({ name: 'cost', seed: 0, data: { dataset: 'digits', trainSize: n },
  model, optimizer: { kind: 'gd', learningRate: lr }, training: { steps, loss },
  probes: { every: 100, curvatureEvery: steps, trace: { samples: 10 }, gradNorm: true, sharpnessEvery: every } }), { outDir: '/tmp/flat/cost-' + process.pid, fresh: true });
console.log(JSON.stringify(model), n, steps, loss, lr, s.status, `${(Date.now() - t0) / 1000}s`, JSON.stringify(s.sharpnessTracking), (s.final as any).trainLoss, (s.final as any).sharpness, (s.final as any).testAccuracy);
