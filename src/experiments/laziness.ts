/**
 * What a run config's lazy-training options turn into: the lazy model (model.lazyScale), its
 * 1/α² loss scale on the update rule, and the lazy-versus-rich probes (probes.movement,
 * tangentKernel, linearisation, kernelPredictor) with their fixed seeded data subsets.
 */
import type { Dataset } from '../data/dataset.ts';
import { createLazyModel } from '../models/lazy.ts';
import type { Model } from '../models/types.ts';
import { LazinessProbes } from '../probes/lazinessProbes.ts';
import { toTensorData, disposeTensorData, type TensorData } from '../train/tensorData.ts';
import { derivedSeed } from '../train/batches.ts';
import { createRng, permutation } from '../util/rng.ts';
import type { RunConfig } from './runConfig.ts';

/** The plain model, or α·(f(θ) − f(θ₀)) with θ₀ the run's initialisation (regenerated from the seed). */
export function withLazyScale(base: Model, config: Pick<RunConfig, 'model' | 'seed'>): Model {
  const alpha = config.model.lazyScale;
  if (alpha === undefined) return base;
  return createLazyModel(base, base.init(createRng(derivedSeed(config.seed, 'init'))), alpha);
}

/** 1/α² for the lazy model, else 1. */
export function lossScaleOf(config: Pick<RunConfig, 'model'>): number {
  const alpha = config.model.lazyScale;
  return alpha === undefined ? 1 : 1 / (alpha * alpha);
}

function seededSubset(ds: Dataset, size: number, seed: number, label: string): TensorData | null {
  if (size >= ds.n) return null;
  return toTensorData(ds, permutation(ds.n, createRng(derivedSeed(seed, label))).slice(0, size));
}

/** The laziness probes a config asks for (null if none), and a disposer for their subsets. */
export function lazinessProbesFor(
  config: RunConfig, model: Model, init: import('@tensorflow/tfjs').Tensor[],
  split: { train: Dataset; test: Dataset }, data: { train: TensorData; test: TensorData },
  learningRate: (step: number) => number,
): { probes: LazinessProbes; dispose(): void } | null {
  const p = config.probes;
  if (!p.movement && p.tangentKernel === false && !p.linearisation && p.kernelPredictor === false) return null;
  const owned: TensorData[] = [];
  const subset = (ds: Dataset, size: number, label: string, whole: TensorData) => {
    const s = seededSubset(ds, size, config.seed, label);
    if (s) owned.push(s);
    return s ?? whole;
  };
  const probes = new LazinessProbes(model, init, data, {
    movement: p.movement,
    tangentKernel: p.tangentKernel === false ? false
      : { data: subset(split.train, p.tangentKernel.subset, 'kernel-subset', data.train), outputs: p.tangentKernel.outputs, chunkSize: p.tangentKernel.chunkSize },
    linearisation: p.linearisation ? { chunkSize: Math.min(p.chunkSize, 256) } : false,
    kernelPredictor: p.kernelPredictor === false ? false : {
      test: split.test.n > 0 ? subset(split.test, p.kernelPredictor.testSubset, 'kernel-test-subset', data.test) : null,
      loss: config.training.loss === 'mse' ? 'squared' : 'cross-entropy', learningRate, lossScale: lossScaleOf(config), chunkSize: p.kernelPredictor.chunkSize,
    },
  });
  return { probes, dispose: () => owned.forEach(disposeTensorData) };
}
