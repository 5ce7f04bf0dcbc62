/**
 * A duration estimate for a flatness study before it starts, from multiply-adds per example:
 * a full training step (forward + backward) costs about NS_PER_MAC ns per multiply-add per
 * example on wasm, measured on this study's quick nets (tanh MLP [64, 64] on 500 digits: 16 ms
 * per step, 8.9k MACs per example → 3.6 ns; CNN [8, 16]: 47 ms, 23.7k MACs → 4.0 ns). One
 * warm-started λ_max measurement costs ~18 full-batch steps (measured), a probe ~1 step.
 */
import type { StudyPoint } from '../study/types.ts';
import type { RunConfig } from '../runConfig.ts';

export const NS_PER_MAC = 4;
export const SHARPNESS_MEASUREMENT_STEPS = 18;

const inputShapes: Record<string, number[]> = { digits: [8, 8, 1], 'fashion-mnist': [28, 28, 1], mnist: [28, 28, 1], cifar10: [32, 32, 3] };

/** Multiply-adds of one forward pass of one example (MLP and CNN; other kinds: the MLP formula on their width). */
export function macsPerExample(model: RunConfig['model'], inputShape: number[], classes = 10): number {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  if (model.kind === 'mlp') {
    const widths = [inputSize, ...model.hidden, classes];
    return widths.slice(1).reduce((s, w, i) => s + widths[i] * w, 0);
  }
  if (model.kind === 'cnn') {
    let [h, w, c] = inputShape;
    let macs = 0;
    for (const out of model.channels) {
      macs += h * w * model.kernelSize ** 2 * c * out;
      h = Math.floor(h / 2); w = Math.floor(w / 2); c = out;
    }
    const widths = [h * w * c, ...model.dense, classes];
    return macs + widths.slice(1).reduce((s, x, i) => s + widths[i] * x, 0);
  }
  return inputSize * 128 + 128 * 128 * 4;
}

/** Estimated seconds of one point (upper end: its full step budget). */
export function estimatePointSeconds(point: StudyPoint): number {
  const c = point.config;
  const n = c.data.trainSize ?? 1000;
  const perExample = macsPerExample(c.model, inputShapes[c.data.dataset] ?? [28, 28, 1]) * NS_PER_MAC * 1e-9;
  const batch = c.optimizer.kind === 'gd' ? n : (c.optimizer.batchSize ?? 64);
  const fullStep = perExample * n;
  const steps = c.training.steps;
  const training = steps * perExample * batch;
  const tracking = c.probes.sharpnessEvery ? (steps / c.probes.sharpnessEvery) * SHARPNESS_MEASUREMENT_STEPS * fullStep : 0;
  const probes = (steps / c.probes.every) * fullStep + 2 * ((c.probes.trace ? c.probes.trace.samples : 0) * 3 + 20) * fullStep;
  return training + tracking + probes + 2;
}

export function estimateStudySeconds(points: StudyPoint[], jobs: number): number {
  const each = points.map(estimatePointSeconds).sort((a, b) => b - a);
  // Longest-first onto `jobs` workers.
  const load = new Array(Math.max(1, jobs)).fill(0);
  for (const t of each) { const i = load.indexOf(Math.min(...load)); load[i] += t; }
  return Math.max(...load);
}
