export {};
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { runExperiment } from '../src/experiments/runExperiment.ts';
import * as fs from 'node:fs';
const [hidden, act, n, steps, lrs] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6].split(',').map(Number)];
for (const lr of lrs) {
  const dir = `/tmp/flat/eos-${act}-${lr}`;
  const t0 = Date.now();
  const s = await runExperiment(parseRunConfig({ name: 'eos', seed: 0, data: { dataset: 'digits', trainSize: n, testSize: 100 },
    model: { hidden, activation: act, init: act === 'tanh' ? 'lecun' : 'he' }, optimizer: { kind: 'gd', learningRate: lr },
    training: { steps, loss: 'mse' }, probes: { every: steps, trace: false, margin: false, sharpnessEvery: 10, eig: { k: 1 } } }), { outDir: dir, fresh: true });
  const m = fs.readFileSync(dir + '/metrics.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  console.log(`lr ${lr} 2/lr ${2/lr} status ${s.status} ${(Date.now()-t0)/1000}s`, JSON.stringify(s.sharpnessTracking));
  console.log(m.filter((_, i) => i % 6 === 0).map((r) => `${r.step}:${r.sharpness?.toFixed(2)}/${r.trainLoss.toFixed(4)}/${r.sharpnessIterations}`).join(' '));
}
