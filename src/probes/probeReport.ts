/**
 * Every probe of one parameter point as one JSON-ready report: the library function behind
 * `ibl probe`. Loss, accuracy, margins and norms are over all the examples given; curvature
 * probes (trace, eigenvalues, density, per-layer, gradient noise, ε-sharpness, landscape) over
 * `curvature` (the same examples, or a seeded subset), in data chunks.
 *
 * Random vectors: the trace uses createRng(seed) and the eigenvalues createRng(eigenSeed(seed)),
 * as `runProbes` does, so a run's recorded `probeSeed` reproduces its numbers exactly.
 */
import type * as tf from '@tensorflow/tfjs';
import { modelForProbes, type ProbeNormalisation } from './inferenceMode.ts';
import type { Model } from '../models/types.ts';
import { parameterCount } from '../models/types.ts';
import type { TensorData } from '../train/tensorData.ts';
import { derivedSeed } from '../train/batches.ts';
import { createRng } from '../util/rng.ts';
import { evaluateClassifier } from './evaluate.ts';
import { hutchinsonTrace, hutchPlusPlusTrace, perLayerTrace, type TraceEstimate } from './hessianTrace.ts';
import { densityMoment, perLayerLambdaMax, spectralDensitySLQ, topEigenvalues, type SpectralDensity } from './eigen.ts';
import { gradientNoiseScale } from './gradientNoise.ts';
import { lossLandscape1d, lossLandscape2d, type Landscape1d, type Landscape2d } from './landscape.ts';
import { normalizedMargin, type HomogeneityCheck } from './margin.ts';
import { parameterMovement } from './parameterMovement.ts';
import { kernelTargetAlignment, relativeKernelChange, tangentKernel } from './tangentKernel.ts';
import { linearisationDistance, linearisedOutputs } from './linearisation.ts';
import { distanceFromInit, layerNorms, parameterNorms, pathNorm } from './norms.ts';
import { classificationObjective, defaultChunkSize, objectiveGradient, objectiveHessian } from './objective.ts';
import { layerBlocks } from './operator.ts';
import { epsilonSharpness, type SharpnessResult } from './sharpness.ts';
import { eigenSeed } from './probeSuite.ts';
import type { ClassificationLossKind } from '../train/loss.ts';

export const probeNames = ['trace', 'hutchpp', 'layers', 'eig', 'density', 'gradnorm', 'noise', 'sharpness', 'margin', 'norms', 'landscape', 'lazy'] as const;
export type ProbeName = (typeof probeNames)[number];
export const defaultProbes: ProbeName[] = ['trace', 'eig', 'gradnorm', 'margin', 'norms'];

export interface ProbeReportOptions {
  probes: readonly ProbeName[];
  seed: number;
  chunkSize?: number;
  hvp?: 'exact' | 'finite-difference';
  /** Hutchinson probes (maximum) and optional early stop at a relative standard error. */
  traceSamples?: number;
  relativeStderr?: number;
  /** Top-k eigenvalues, method and tolerance. */
  topK?: number;
  eigMethod?: 'lanczos' | 'power';
  eigTol?: number;
  /** Maximum Lanczos steps / power iterations (default 200 / 1000). */
  eigMaxIterations?: number;
  /** Learning rate, for the stability threshold 2/η next to λ_max. */
  learningRate?: number;
  /** ε of the ε-sharpness box. */
  epsilon?: number;
  densityRuns?: number;
  densitySteps?: number;
  noiseExamples?: number;
  landscapePoints?: number;
  /** Initial parameters, for the distance from initialisation. */
  init?: tf.Tensor[];
  /** The loss every loss and curvature probe is of (default cross-entropy). */
  loss?: ClassificationLossKind;
}

export interface ProbeReport {
  n: number;
  curvatureExamples: number;
  params: number;
  /** The loss function `loss` and every curvature probe are of. */
  lossFunction: ClassificationLossKind;
  loss: number;
  accuracy: number;
  seed: number;
  chunkSize: number;
  /** How Hessian-vector products were computed for every second-order number. */
  hvpMethod: 'exact' | 'finite-difference';
  /** 'batch-inference': batch-norm layers used population statistics of the given examples. */
  normalisation: ProbeNormalisation;
  hessianTrace?: TraceEstimate & { seed: number };
  hutchPlusPlus?: TraceEstimate;
  perLayer?: { name: string; layer: number; params: number; trace: number; traceStderr: number; lambdaMax: number }[];
  topEigenvalues?: number[];
  eigen?: { method: string; iterations: number; matvecs: number; converged: boolean; relativeResiduals: number[]; seed: number };
  sharpness?: { lambdaMax: number; learningRate: number | null; stabilityThreshold: number | null };
  density?: { runs: number; steps: number; nodes: number[][]; weights: number[][]; moment1: number; moment2: number };
  gradNorm?: number;
  gradNormSquared?: number;
  noise?: { gradNormSquared: number; traceCovariance: number; simpleNoiseScale: number; examples: number };
  epsilonSharpness?: SharpnessResult;
  norms?: {
    l2: number; l1: number; linf: number;
    perLayerFrobenius: number[]; perLayerSpectral: (number | null)[]; productSpectral: number; productFrobenius: number;
    pathNorm: number | null; distanceFromInit: { l2: number; relative: number } | null;
  };
  margin?: {
    minUnnormalized: number; normalized: number | null; normalizedByLayerProduct: number | null;
    quantiles: { q: number; value: number }[]; quantilesOf: string; fractionPositive: number;
    homogeneity: HomogeneityCheck; undefinedReason?: string;
  };
  landscape?: { oneD: Omit<Landscape1d, 'direction'>; twoD: Omit<Landscape2d, 'directions'> };
  /** Lazy versus rich: movement from θ₀, tangent kernel on the curvature subset, linearisation on all examples. */
  lazy?: {
    relativeMovement: number | null;
    perLayerRelativeMovement: { name: string; relative: number | null }[];
    kernelChange: number; kernelAlignment: number; kernelAlignmentInitial: number;
    kernelExamples: number; kernelBackwardPasses: number;
    linearisationDistance: number; linearisationRelative: number | null;
  };
  timings: Record<string, number>;
}

export interface ProbeReportResult { report: ProbeReport; density?: SpectralDensity; landscape1d?: Landscape1d; landscape2d?: Landscape2d }

export function probeReport(baseModel: Model, params: tf.Tensor[], data: TensorData, curvatureData: TensorData, options: ProbeReportOptions): ProbeReportResult {
  const probed = modelForProbes(baseModel, params, data.x);
  try {
    return probeReportWith(probed.model, probed.normalisation, params, data, curvatureData, options);
  } finally {
    probed.dispose();
  }
}

function probeReportWith(model: Model, normalisation: ProbeNormalisation, params: tf.Tensor[], data: TensorData, curvatureData: TensorData, options: ProbeReportOptions): ProbeReportResult {
  const on = new Set(options.probes);
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const hvp = options.hvp ?? 'exact';
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    try { return f(); } finally { timings[name] = (performance.now() - t0) / 1000; }
  };
  const evaluation = timed('loss', () => evaluateClassifier(model, params, data.x, data.oneHot, data.labels, undefined, options.loss));
  const report: ProbeReport = {
    n: data.n,
    curvatureExamples: curvatureData.n,
    params: parameterCount(model),
    lossFunction: options.loss ?? 'cross-entropy',
    loss: evaluation.loss,
    accuracy: evaluation.accuracy,
    seed: options.seed,
    chunkSize,
    hvpMethod: hvp,
    normalisation,
    timings,
  };
  const result: ProbeReportResult = { report };
  const curvature = classificationObjective(model, curvatureData, chunkSize, options.loss);
  const hessian = () => objectiveHessian(curvature, params, { method: hvp });
  const blocks = layerBlocks(model.paramSpecs);
  if (on.has('trace')) {
    const t = timed('trace', () => hutchinsonTrace(hessian(), { samples: options.traceSamples ?? 20, relativeStderrTarget: options.relativeStderr, rng: createRng(options.seed) }));
    report.hessianTrace = { ...t, seed: options.seed };
  }
  if (on.has('hutchpp')) {
    report.hutchPlusPlus = timed('hutchpp', () => hutchPlusPlusTrace(hessian(), { matvecs: options.traceSamples ?? 30, rng: createRng(derivedSeed(options.seed, 'hutch++')) }));
  }
  if (on.has('eig')) {
    const eig = timed('eig', () => topEigenvalues(hessian(), {
      k: options.topK ?? 1, method: options.eigMethod ?? 'lanczos', tol: options.eigTol ?? 1e-5, rng: createRng(eigenSeed(options.seed)),
      ...(options.eigMaxIterations !== undefined ? { maxSteps: options.eigMaxIterations, maxIterations: options.eigMaxIterations } : {}),
    }));
    report.topEigenvalues = eig.eigenvalues;
    report.eigen = { method: eig.method, iterations: eig.iterations, matvecs: eig.matvecs, converged: eig.converged, relativeResiduals: eig.relativeResiduals, seed: eigenSeed(options.seed) };
    const eta = options.learningRate ?? null;
    report.sharpness = { lambdaMax: eig.eigenvalues[0], learningRate: eta, stabilityThreshold: eta === null ? null : 2 / eta };
  }
  if (on.has('layers')) {
    report.perLayer = timed('layers', () => {
      const traces = perLayerTrace(hessian(), blocks, { samples: options.traceSamples ?? 20, rng: createRng(derivedSeed(options.seed, 'layers')) });
      const lmax = perLayerLambdaMax(hessian(), blocks, { tol: options.eigTol ?? 1e-5, rng: createRng(derivedSeed(options.seed, 'layers-eig')) });
      return traces.map((b, i) => ({ name: b.name, layer: b.layer, params: b.end - b.start, trace: b.trace.estimate, traceStderr: b.trace.stderr, lambdaMax: lmax[i].lambdaMax }));
    });
  }
  if (on.has('density')) {
    const d = timed('density', () => spectralDensitySLQ(hessian(), { runs: options.densityRuns ?? 5, steps: options.densitySteps ?? 40, rng: createRng(derivedSeed(options.seed, 'slq')) }));
    result.density = d;
    report.density = { runs: d.runs, steps: d.steps, nodes: d.nodes, weights: d.weights, moment1: densityMoment(d, 1), moment2: densityMoment(d, 2) };
  }
  if (on.has('gradnorm')) {
    const g = timed('gradnorm', () => objectiveGradient(classificationObjective(model, data, chunkSize, options.loss), params).gradient);
    const sq = g.reduce((s, x) => s + x * x, 0);
    report.gradNorm = Math.sqrt(sq);
    report.gradNormSquared = sq;
  }
  if (on.has('noise')) {
    report.noise = timed('noise', () => gradientNoiseScale(curvature, params, { examples: options.noiseExamples ?? 64, rng: createRng(derivedSeed(options.seed, 'noise')) }));
  }
  if (on.has('sharpness')) {
    report.epsilonSharpness = timed('sharpness', () => epsilonSharpness(curvature, params, { epsilon: options.epsilon ?? 1e-3, rng: createRng(derivedSeed(options.seed, 'sharpness')) }));
  }
  if (on.has('norms')) {
    report.norms = timed('norms', () => {
      const basic = parameterNorms(params);
      const layers = layerNorms(model, params);
      return {
        l2: basic.l2, l1: basic.l1, linf: basic.linf,
        perLayerFrobenius: layers.perLayerFrobenius,
        perLayerSpectral: layers.perLayerSpectral,
        productSpectral: layers.productSpectral,
        productFrobenius: layers.productFrobenius,
        pathNorm: pathNorm(model, params),
        distanceFromInit: options.init ? distanceFromInit(params, options.init) : null,
      };
    });
  }
  if (on.has('margin')) {
    report.margin = timed('margin', () => {
      const m = normalizedMargin(model, params, data.x, data.labels);
      return {
        minUnnormalized: m.minUnnormalized, normalized: m.normalized, normalizedByLayerProduct: m.normalizedByLayerProduct,
        quantiles: m.quantiles, quantilesOf: m.quantilesOf, fractionPositive: m.fractionPositive,
        homogeneity: m.homogeneity, ...(m.undefinedReason ? { undefinedReason: m.undefinedReason } : {}),
      };
    });
  }
  if (on.has('lazy')) {
    const init = options.init;
    if (!init) throw new Error("probe 'lazy' needs the initialisation θ₀ (--init, or a lazy-model checkpoint, which stores it)");
    report.lazy = timed('lazy', () => {
      const movement = parameterMovement(model.paramSpecs, params, init);
      const k0 = tangentKernel(model, init, curvatureData.x);
      const k = tangentKernel(model, params, curvatureData.x);
      const lin = linearisationDistance(linearisedOutputs(model, params, init, data.x, Math.min(chunkSize, 256)));
      return {
        relativeMovement: movement.relative,
        perLayerRelativeMovement: movement.perLayer.map((l) => ({ name: l.name, relative: l.relative })),
        kernelChange: relativeKernelChange(k, k0), kernelAlignment: kernelTargetAlignment(k, curvatureData.labels),
        kernelAlignmentInitial: kernelTargetAlignment(k0, curvatureData.labels),
        kernelExamples: curvatureData.n, kernelBackwardPasses: k0.backwardPasses + k.backwardPasses,
        linearisationDistance: lin.rms, linearisationRelative: lin.relative,
      };
    });
  }
  if (on.has('landscape')) {
    timed('landscape', () => {
      const rng = createRng(derivedSeed(options.seed, 'landscape'));
      const points = options.landscapePoints ?? 11;
      const oneD = lossLandscape1d(curvature, params, { points: 2 * points - 1, rng });
      const twoD = lossLandscape2d(curvature, params, { points, rng });
      result.landscape1d = oneD;
      result.landscape2d = twoD;
      report.landscape = {
        oneD: { alphas: oneD.alphas, losses: oneD.losses, baseLoss: oneD.baseLoss },
        twoD: { alphas: twoD.alphas, betas: twoD.betas, losses: twoD.losses, baseLoss: twoD.baseLoss },
      };
    });
  }
  return result;
}
