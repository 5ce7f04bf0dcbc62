/**
 * The probes recorded during a run, as one function of (model, params, data) returning plain
 * numbers: train/test loss and accuracy, parameter norms and distance from initialisation,
 * normalized margin, the Hutchinson Hessian-trace estimate of the training loss (over the
 * curvature subset), and optionally the sharpness λ_max next to the stability threshold 2/η
 * (Cohen et al. 2021's edge of stability) and ‖∇L‖². Curvature probes run over data chunks.
 *
 * Reproducibility: the trace uses createRng(probeSeed) and λ_max createRng(derivedSeed(probeSeed,
 * 'eig')); the record stores `probeSeed`, so `ibl probe --seed <probeSeed>` on the checkpoint
 * with the same data recomputes the same numbers.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { modelForProbes } from './inferenceMode.ts';
import type { TensorData } from '../train/tensorData.ts';
import { classificationLossOf, type ClassificationLossKind } from '../train/loss.ts';
import { derivedSeed } from '../train/batches.ts';
import { createRng } from '../util/rng.ts';
import { evaluateClassifier, evaluateClassifierWithMargins } from './evaluate.ts';
import { hutchinsonTrace } from './hessianTrace.ts';
import { topEigenvalues } from './eigen.ts';
import { normalizedMargin } from './margin.ts';
import { distanceFromInit, parameterNorms } from './norms.ts';
import { classificationObjective, defaultChunkSize, gradientNormSquared, objectiveHessian } from './objective.ts';
import type { LossFunction } from './hvp.ts';
import type { LazinessProbes, LazinessRecord } from './lazinessProbes.ts';

export interface EigenProbeOptions {
  /** Number of top eigenvalues (default 1: the sharpness λ_max). */
  k?: number;
  method?: 'lanczos' | 'power';
  /** Relative residual (Lanczos) or Rayleigh-quotient change (power) tolerance (default 1e-5). */
  tol?: number;
  /** Maximum Lanczos steps / power iterations per eigenvalue (default 100 / 1000). */
  maxIterations?: number;
}

export interface ProbeOptions {
  trace: { samples: number; relativeStderr?: number } | false;
  margin: boolean;
  norms: boolean;
  /** Seed of the curvature probes' random vectors (recorded as `probeSeed`). */
  seed: number;
  /** Top Hessian eigenvalues (sharpness), or false/absent to skip. */
  eig?: EigenProbeOptions | false;
  /** Record ‖∇L‖² over the training set. */
  gradNorm?: boolean;
  /** Examples per data chunk for curvature probes (default 1024). */
  chunkSize?: number;
  /** The learning rate in effect, for the stability threshold 2/η. */
  learningRate?: number;
  /** Lazy-versus-rich probes (parameter movement, tangent kernel, linearisation, kernel predictor). */
  laziness?: LazinessProbes;
  /** The training loss every loss and curvature probe is of (default cross-entropy). */
  loss?: ClassificationLossKind;
}

export interface ProbeRecord extends LazinessRecord {
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  paramNormL2?: number;
  paramNormL1?: number;
  paramNormLinf?: number;
  distanceFromInit?: number;
  minMargin?: number;
  normalizedMargin?: number | null;
  normalizedMarginLayerProduct?: number | null;
  hessianTrace?: number;
  hessianTraceStderr?: number;
  hessianTraceSamples?: number;
  hessianTraceMethod?: string;
  /** 'exact' (reverse-over-reverse) or 'finite-difference'. */
  hessianHvp?: string;
  /** λ_max of the training-loss Hessian (curvature subset). */
  sharpness?: number;
  topEigenvalues?: number[];
  sharpnessIterations?: number;
  sharpnessMethod?: string;
  /** ‖Hu − λu‖/|λ| of the returned top pair. */
  sharpnessResidual?: number;
  /** 2/η: GD is unstable along eigen-directions with λ > 2/η. */
  stabilityThreshold?: number;
  /** Which data the Hessian (trace, λ_max) is of: the whole training set or a seeded subset of it. */
  curvatureData?: 'train' | 'train-subset';
  curvatureExamples?: number;
  /** A sharpness-tracking record (loss, accuracy, λ_max, ‖∇L‖² only), between full probes. */
  tracking?: boolean;
  /** The record at the step where training diverged (cheap probes of θ at that step). */
  diverged?: boolean;
  /** Minibatch loss that triggered divergence (SGD), when it differs from the training loss. */
  batchLoss?: number;
  gradNormSquared?: number;
  /** Seed of this probe's random vectors. */
  probeSeed?: number;
  /** 'batch-inference' when batch-norm layers used training-set population statistics. */
  normalisation?: string;
}

export function classificationLoss(model: Model, data: TensorData, loss: ClassificationLossKind = 'cross-entropy'): LossFunction {
  const lossOf = classificationLossOf(loss);
  return (params) => lossOf(model.apply(params, data.x), data.oneHot);
}

/** The seed λ_max's start vector is drawn from, given the probe seed. */
export function eigenSeed(probeSeed: number): number {
  return derivedSeed(probeSeed, 'eig');
}

export function runProbes(baseModel: Model, params: tf.Tensor[], data: { train: TensorData; test?: TensorData; curvature: TensorData; init?: tf.Tensor[] }, options: ProbeOptions, step: number): ProbeRecord {
  const probed = modelForProbes(baseModel, params, data.train.x);
  try {
    const record = probeWith(probed.model, params, data, options, step, probed.statisticsDataLogits);
    if (probed.normalisation !== 'none') record.normalisation = probed.normalisation;
    return record;
  } finally {
    probed.dispose();
  }
}

/** `trainLogits`: model.apply(params, data.train.x) if already computed (see ProbedModel). */
function probeWith(model: Model, params: tf.Tensor[], data: { train: TensorData; test?: TensorData; curvature: TensorData; init?: tf.Tensor[] }, options: ProbeOptions, step: number, trainLogits: tf.Tensor2D | null): ProbeRecord {
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const train = options.margin
    ? evaluateClassifierWithMargins(model, params, data.train.x, data.train.oneHot, data.train.labels, undefined, options.loss, trainLogits)
    : evaluateClassifier(model, params, data.train.x, data.train.oneHot, data.train.labels, undefined, options.loss, trainLogits);
  const record: ProbeRecord = { step, trainLoss: train.loss, trainAccuracy: train.accuracy };
  if (data.test) {
    const test = evaluateClassifier(model, params, data.test.x, data.test.oneHot, data.test.labels, undefined, options.loss);
    record.testLoss = test.loss;
    record.testAccuracy = test.accuracy;
  }
  if (options.norms) {
    const norms = parameterNorms(params);
    record.paramNormL2 = norms.l2;
    record.paramNormL1 = norms.l1;
    record.paramNormLinf = norms.linf;
    if (data.init) record.distanceFromInit = distanceFromInit(params, data.init).l2;
  }
  if (options.margin) {
    const margin = normalizedMargin(model, params, data.train.x, data.train.labels, undefined, 'margins' in train ? train.margins as Float64Array : undefined);
    record.minMargin = margin.minUnnormalized;
    record.normalizedMargin = margin.normalized;
    record.normalizedMarginLayerProduct = margin.normalizedByLayerProduct;
  }
  const curvature = () => objectiveHessian(classificationObjective(model, data.curvature, chunkSize, options.loss), params);
  if (options.trace || options.eig) {
    record.probeSeed = options.seed;
    record.curvatureData = data.curvature === data.train ? 'train' : 'train-subset';
    record.curvatureExamples = data.curvature.n;
  }
  if (options.trace) {
    const trace = hutchinsonTrace(curvature(), {
      samples: options.trace.samples,
      relativeStderrTarget: options.trace.relativeStderr,
      rng: createRng(options.seed),
    });
    record.hessianTrace = trace.estimate;
    record.hessianTraceStderr = trace.stderr;
    record.hessianTraceSamples = trace.samples;
    record.hessianTraceMethod = trace.method;
    record.hessianHvp = trace.hvp;
  }
  if (options.eig) {
    const { k = 1, method = 'lanczos', tol = 1e-5, maxIterations } = options.eig;
    const eig = topEigenvalues(curvature(), {
      k, method, tol, rng: createRng(eigenSeed(options.seed)),
      ...(maxIterations !== undefined ? (method === 'power' ? { maxIterations } : { maxSteps: maxIterations }) : {}),
    });
    record.sharpness = eig.eigenvalues[0];
    if (k > 1) record.topEigenvalues = eig.eigenvalues;
    record.sharpnessIterations = eig.iterations;
    record.sharpnessResidual = eig.relativeResiduals[0];
    record.sharpnessMethod = eig.method;
    record.hessianHvp = eig.hvp;
    if (options.learningRate !== undefined) record.stabilityThreshold = 2 / options.learningRate;
  }
  if (options.gradNorm) record.gradNormSquared = gradientNormSquared(classificationObjective(model, data.train, chunkSize, options.loss), params);
  if (options.laziness) Object.assign(record, options.laziness.record(params, step));
  return record;
}
