/**
 * Everything a run builds from its config before training: data on the backend, the model, the
 * update rule, the curvature subset, the laziness probes and the training loop's options. One
 * place, so that `ibl run` (runExperiment.ts) and a study's duration estimate (study/estimate.ts,
 * which times a few steps of the very same loop) cannot drift apart.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.ts';
import { createMlp } from '../models/mlp.ts';
import { createCnn } from '../models/cnn.ts';
import { createResidualMlp } from '../models/residualMlp.ts';
import { createResnetCnn } from '../models/resnetCnn.ts';
import type { Model } from '../models/types.ts';
import { createUpdateRule, trainingBatchSize } from '../optim/registry.ts';
import { learningRateAt } from '../optim/schedule.ts';
import type { UpdateRule } from '../optim/types.ts';
import { withLossScale } from '../optim/lossScale.ts';
import type { ProbeRecord } from '../probes/probeSuite.ts';
import { derivedSeed } from '../train/batches.ts';
import { toTensorData, disposeTensorData, type TensorData } from '../train/tensorData.ts';
import type { TrainLoopOptions } from '../train/trainLoop.ts';
import { createRng } from '../util/rng.ts';
import { curvatureSubsetIndices } from './curvatureData.ts';
import { lazinessProbesFor, lossScaleOf, withLazyScale } from './laziness.ts';
import { loadDataForRun } from './loadData.ts';
import type { RunConfig } from './runConfig.ts';

export function buildModel(config: Pick<RunConfig, 'model'>, inputShape: number[], numClasses: number): Model {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const m = config.model;
  const common = { init: m.init, initScale: m.initScale, outputs: numClasses };
  const needImages = (kind: string) => {
    if (inputShape.length !== 3) {
      throw new Error(`model.kind '${kind}' needs image data with featureShape [height, width, channels]; this dataset has featureShape [${inputShape}]`);
    }
    return inputShape;
  };
  switch (m.kind) {
    case 'mlp':
      return createMlp({ widths: [inputSize, ...m.hidden, numClasses], activation: m.activation, bias: m.bias, init: m.init, initScale: m.initScale });
    case 'cnn':
      return createCnn({ ...common, inputShape: needImages(m.kind), channels: m.channels, kernelSize: m.kernelSize, pool: m.pool, dense: m.dense });
    case 'residual-mlp':
      return createResidualMlp({ ...common, inputSize, width: m.width, depth: m.depth, branchScaling: m.branchScaling, norm: m.norm });
    case 'resnet-cnn':
      return createResnetCnn({ ...common, inputShape: needImages(m.kind), stages: m.stages, blocksPerStage: m.blocksPerStage, kernelSize: m.kernelSize, stemStride: m.stemStride, norm: m.norm });
  }
}

/** A short human-readable description of the model section, e.g. "mlp [512]" or "cnn [16,32] max". */
export function describeModel(model: RunConfig['model']): string {
  switch (model.kind) {
    case 'mlp': return `mlp ${JSON.stringify(model.hidden)}`;
    case 'cnn': return `cnn ${JSON.stringify(model.channels)} ${model.pool}-pool${model.dense.length ? ` dense ${JSON.stringify(model.dense)}` : ''}`;
    case 'residual-mlp': return `residual-mlp ${model.width}×${model.depth}${model.norm !== 'none' ? ` ${model.norm}-norm` : ''}`;
    case 'resnet-cnn': return `resnet-cnn ${JSON.stringify(model.stages)}×${model.blocksPerStage}${model.stemStride !== 1 ? ` stem stride ${model.stemStride}` : ''}${model.norm !== 'none' ? ` ${model.norm}-norm` : ''}`;
  }
}

export interface PreparedRun {
  split: { train: Dataset; test: Dataset };
  model: Model;
  rule: UpdateRule;
  /** θ₀ regenerated from the seed (the distance-from-initialisation probe; not the loop's start). */
  init: tf.Tensor[];
  train: TensorData;
  test: TensorData;
  curvature: TensorData;
  laziness: ReturnType<typeof lazinessProbesFor>;
  /** The training loop's options that follow from the config alone (no start, no hooks). */
  loopOptions: Omit<TrainLoopOptions, 'start' | 'onProbe' | 'onStep' | 'checkpointEvery' | 'onCheckpoint'>;
  dispose(): void;
}

export function prepareRun(config: RunConfig): PreparedRun {
  const split = loadDataForRun(config);
  const model = withLazyScale(buildModel(config, split.train.featureShape, split.train.numClasses), config);
  const rule = withLossScale(createUpdateRule(config.optimizer, { seed: config.seed }), lossScaleOf(config));
  const init = model.init(createRng(derivedSeed(config.seed, 'init')));
  const train = toTensorData(split.train);
  const test = toTensorData(split.test);
  const curvatureIndices = curvatureSubsetIndices(config, split.train.n);
  const curvature = curvatureIndices ? toTensorData(split.train, curvatureIndices) : train;
  const learningRate = (t: number) => learningRateAt(config.optimizer.learningRate, config.optimizer.schedule, t, config.training.steps);
  const laziness = lazinessProbesFor(config, model, init, split, { train, test }, learningRate);
  const stopAtAccuracy = config.training.stopAtTrainAccuracy;
  const stopAtLoss = config.training.stopAtTrainLoss;
  const loopOptions: PreparedRun['loopOptions'] = {
    model,
    rule,
    data: { train, test, curvature },
    steps: config.training.steps,
    batchSize: trainingBatchSize(config.optimizer),
    withReplacement: config.optimizer.withReplacement ?? false,
    learningRate,
    seed: config.seed,
    probeEvery: config.probes.every,
    curvatureEvery: config.probes.curvatureEvery ?? 10 * config.probes.every,
    ...(config.probes.testEvery !== undefined ? { testEvery: config.probes.testEvery } : {}),
    init,
    probes: {
      trace: config.probes.trace,
      eig: config.probes.eig,
      gradNorm: config.probes.gradNorm,
      margin: config.probes.margin,
      norms: config.probes.norms,
      chunkSize: config.probes.chunkSize,
      ...(laziness ? { laziness: laziness.probes } : {}),
      loss: config.training.loss,
    },
    divergenceLoss: config.training.divergenceLoss,
    ...(stopAtAccuracy !== undefined || stopAtLoss !== undefined
      ? { stopWhen: (r: ProbeRecord) => (stopAtAccuracy !== undefined && r.trainAccuracy >= stopAtAccuracy) || (stopAtLoss !== undefined && r.trainLoss <= stopAtLoss) }
      : {}),
    ...(config.probes.sharpnessEvery !== undefined
      ? { sharpness: { every: config.probes.sharpnessEvery, ...(config.probes.eig ? { maxIterations: config.probes.eig.maxIterations } : {}) } }
      : {}),
  };
  return {
    split, model, rule, init, train, test, curvature, laziness, loopOptions,
    dispose() {
      disposeTensorData(train);
      disposeTensorData(test);
      tf.dispose(init);
      if (curvature !== train) disposeTensorData(curvature);
      laziness?.dispose();
    },
  };
}
