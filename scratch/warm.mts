import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.ts';
import { loadDigits } from '../src/data/digits.ts';
import { balancedSample } from '../src/data/subset.ts';
import { createMlp } from '../src/models/mlp.ts';
import { createRng } from '../src/util/rng.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { classificationObjective, objectiveGradient, objectiveHessian } from '../src/probes/objective.ts';
import { createSharpnessTracker } from '../src/probes/sharpnessTracker.ts';
import { unflatten, layoutOf, flatten } from '../src/probes/operator.ts';
export {};
await setupBackend();
const split = loadDigits({ seed: 0 });
const train = toTensorData(balancedSample(split.train, 500, createRng(1)));
const model = createMlp({ widths: [64, 64, 64, 10], activation: 'tanh', init: 'lecun' });
let params = model.init(createRng(2));
const obj = classificationObjective(model, train, 1024, 'mse');
const combos = [[0.1, 1e-4], [0.01, 1e-4], [0.01, 1e-3], [0.001, 1e-3], [0.1, 1e-3]];
const trackers = combos.map(([p, tol]) => createSharpnessTracker({ seed: 1, perturbation: p, tol }));
const iters = combos.map(() => 0); const errs = combos.map(() => 0); let coldIters = 0; let count = 0;
const lr = 0.1;
for (let t = 0; t <= 400; t++) {
  if (t % 20 === 0) {
    const cold = createSharpnessTracker({ seed: 99 + t, tol: 1e-6 }).measure(objectiveHessian(obj, params), t);
    coldIters += cold.iterations; count++;
    trackers.forEach((tr, i) => { const s = tr.measure(objectiveHessian(obj, params), t); if (t > 0) { iters[i] += s.iterations; errs[i] = Math.max(errs[i], Math.abs(s.sharpness - cold.sharpness) / cold.sharpness); } });
    if (t % 100 === 0) console.log(t, cold.sharpness, cold.iterations);
  }
  const { gradient } = objectiveGradient(obj, params);
  const flat = flatten(params); for (let i = 0; i < flat.length; i++) flat[i] -= lr * gradient[i];
  tf.dispose(params); params = unflatten(flat, layoutOf(params));
}
combos.forEach((c, i) => console.log(`pert ${c[0]} tol ${c[1]}: mean iterations ${(iters[i] / (count - 1)).toFixed(1)}, max rel err vs cold(1e-6) ${errs[i].toExponential(2)}`));
console.log('cold tol 1e-6 mean iterations', coldIters / count);
