import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/setup.ts';
import { loadDigits } from '../src/data/digits.ts';
import { balancedSample } from '../src/data/subset.ts';
import { createMlp } from '../src/models/mlp.ts';
import { createRng } from '../src/util/rng.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { classificationObjective, objectiveGradient, objectiveHessian } from '../src/probes/objective.ts';
import { gradientOf, hessianVectorProduct } from '../src/probes/hvp.ts';
import { squaredErrorOneHot, softmaxCrossEntropy } from '../src/train/loss.ts';
export {};
const b = await setupBackend();
console.log(b.name);
const split = loadDigits({ seed: 0 });
const train = toTensorData(balancedSample(split.train, 200, createRng(1)));
for (const act of ['tanh', 'relu'] as const) for (const [lname, lf] of [['mse', squaredErrorOneHot], ['ce', softmaxCrossEntropy]] as const) {
  const model = createMlp({ widths: [64, 64, 64, 10], activation: act });
  const params = model.init(createRng(2));
  const loss = (p: tf.Tensor[]) => lf(model.apply(p, train.x) as tf.Tensor2D, train.oneHot);
  const time = (f: () => void, k = 20) => { f(); const t0 = performance.now(); for (let i = 0; i < k; i++) f(); return (performance.now() - t0) / k; };
  const g = time(() => tf.tidy(() => { const { value, grads } = gradientOf(loss, params); value.dataSync(); grads[0].dataSync(); }));
  const v = params.map((p) => tf.randomNormal(p.shape));
  const h = time(() => tf.tidy(() => { const hv = hessianVectorProduct(loss, params, v); hv[0].dataSync(); }));
  const op = objectiveHessian(classificationObjective(model, train, 1024, lname === 'mse' ? 'mse' : 'cross-entropy'), params);
  const x = new Float64Array(op.dimension).map(() => Math.random());
  const ho = time(() => op.apply(x));
  console.log(act, lname, `grad ${g.toFixed(1)} ms, hvp ${h.toFixed(1)} ms, operator hvp ${ho.toFixed(1)} ms`, tf.memory().numTensors);
}
{
  const { createSharpnessTracker } = await import('../src/probes/sharpnessTracker.ts');
  const model = createMlp({ widths: [64, 64, 64, 10], activation: 'tanh' });
  const params = model.init(createRng(2));
  const obj = classificationObjective(model, train, 1024, 'mse');
  const tr = createSharpnessTracker({ seed: 1 });
  for (let i = 0; i < 4; i++) {
    const op = objectiveHessian(obj, params);
    const t0 = performance.now();
    const s = tr.measure(op, i);
    console.log('measure', s.iterations, op.matvecs, ((performance.now() - t0)).toFixed(0), 'ms', s.seconds);
  }
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) objectiveGradient(obj, params);
  console.log('objectiveGradient', ((performance.now() - t0) / 5).toFixed(1), 'ms');
}
