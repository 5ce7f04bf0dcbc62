/**
 * The probes recorded during a run, as one function of (model, params, data) returning plain
 * numbers: train/test loss and accuracy, parameter norms, normalized margin and the Hutchinson
 * Hessian-trace estimate of the training loss (over the curvature subset).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import type { TensorData } from '../train/tensorData.ts';
import { softmaxCrossEntropy } from '../train/loss.ts';
import { createRng } from '../util/rng.ts';
import { evaluateClassifier } from './evaluate.ts';
import { hessianTraceHutchinson } from './hessianTrace.ts';
import { normalizedMargin } from './margin.ts';
import { parameterNorms } from './norms.ts';
import type { LossFunction } from './hvp.ts';

export interface ProbeOptions {
  trace: { samples: number; relativeStderr?: number } | false;
  margin: boolean;
  norms: boolean;
  /** Seed for the Hutchinson probe vectors. */
  seed: number;
}

export interface ProbeRecord {
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  paramNormL2?: number;
  paramNormL1?: number;
  paramNormLinf?: number;
  minMargin?: number;
  normalizedMargin?: number | null;
  normalizedMarginLayerProduct?: number | null;
  hessianTrace?: number;
  hessianTraceStderr?: number;
  hessianTraceSamples?: number;
  hessianTraceMethod?: string;
}

export function classificationLoss(model: Model, data: TensorData): LossFunction {
  return (params) => softmaxCrossEntropy(model.apply(params, data.x), data.oneHot);
}

export function runProbes(model: Model, params: tf.Tensor[], data: { train: TensorData; test?: TensorData; curvature: TensorData }, options: ProbeOptions, step: number): ProbeRecord {
  const train = evaluateClassifier(model, params, data.train.x, data.train.oneHot, data.train.labels);
  const record: ProbeRecord = { step, trainLoss: train.loss, trainAccuracy: train.accuracy };
  if (data.test) {
    const test = evaluateClassifier(model, params, data.test.x, data.test.oneHot, data.test.labels);
    record.testLoss = test.loss;
    record.testAccuracy = test.accuracy;
  }
  if (options.norms) {
    const norms = parameterNorms(params);
    record.paramNormL2 = norms.l2;
    record.paramNormL1 = norms.l1;
    record.paramNormLinf = norms.linf;
  }
  if (options.margin) {
    const margin = normalizedMargin(model, params, data.train.x, data.train.labels);
    record.minMargin = margin.minUnnormalized;
    record.normalizedMargin = margin.normalized;
    record.normalizedMarginLayerProduct = margin.normalizedByLayerProduct;
  }
  if (options.trace) {
    const trace = hessianTraceHutchinson(classificationLoss(model, data.curvature), params, {
      samples: options.trace.samples,
      relativeStderrTarget: options.trace.relativeStderr,
      rng: createRng(options.seed),
    });
    record.hessianTrace = trace.estimate;
    record.hessianTraceStderr = trace.stderr;
    record.hessianTraceSamples = trace.samples;
    record.hessianTraceMethod = trace.method;
  }
  return record;
}
