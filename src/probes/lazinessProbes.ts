/**
 * The lazy-versus-rich probes recorded during a run, bundled because they share the
 * initialisation θ₀ and state computed once from it:
 *   movement        ‖θ_t − θ₀‖/‖θ₀‖ overall and per layer                      (parameterMovement.ts)
 *   tangentKernel   ‖K_t − K₀‖_F/‖K₀‖_F and the kernel–target alignment of K_t on a fixed
 *                   seeded training subset; K₀ is computed once and kept        (tangentKernel.ts)
 *   linearisation   distance between f(θ_t) and f_lin(θ_t) = f₀ + J₀(θ_t − θ₀) on the training
 *                   and test sets                                               (linearisation.ts)
 *   kernelPredictor distance between f(θ_t) and the kernel predictor after the same number of
 *                   GD steps: full-batch GD in function space with the initial full tangent
 *                   kernel Θ₀, the same loss, loss scale and step sizes — the linearised model
 *                   trained exactly like the network (src/reference/kernelRegression.ts). It is
 *                   computed once, advanced to each probe step; it needs Θ₀ over all n·K
 *                   training (example, output) pairs, so n·K is capped (`maxKernelPairs`).
 * Each is a function of (model, θ_t, θ₀, data); the class only caches what depends on θ₀.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import type { TensorData } from '../train/tensorData.ts';
import { kernelGradientDescent, type KernelLoss } from '../reference/kernelRegression.ts';
import { parameterMovement } from './parameterMovement.ts';
import { kernelTargetAlignment, relativeKernelChange, tangentKernel, type KernelMatrix } from './tangentKernel.ts';
import { linearisationDistance, linearisedOutputs } from './linearisation.ts';
import { withScope } from './operator.ts';

export const maxKernelPairs = 4000;

export interface LazinessProbeOptions {
  movement: boolean;
  /** Kernel on these training examples (a fixed subset), trace over outputs or one logit. */
  tangentKernel: false | { data: TensorData; outputs: 'trace' | number; chunkSize: number };
  linearisation: false | { chunkSize: number };
  kernelPredictor: false | {
    /** Test points the predictor is compared on (a fixed subset of the test set). */
    test: TensorData | null;
    loss: KernelLoss;
    learningRate: (step: number) => number;
    lossScale: number;
    chunkSize: number;
  };
}

export interface LazinessRecord {
  relativeMovement?: number | null;
  relativeMovementPerLayer?: (number | null)[];
  kernelChange?: number;
  kernelAlignment?: number;
  kernelAlignmentInitial?: number;
  linearisationDistanceTrain?: number;
  linearisationRelativeTrain?: number | null;
  linearisationDistanceTest?: number;
  linearisationRelativeTest?: number | null;
  kernelPredictorDistanceTrain?: number;
  kernelPredictorRelativeTrain?: number | null;
  kernelPredictorDistanceTest?: number;
  kernelPredictorRelativeTest?: number | null;
  kernelPredictorTestAccuracy?: number;
}

interface PredictorState {
  step: number;
  kernel: Float64Array;
  cross: Float64Array | null;
  targets: Float64Array;
  initialTrain: Float64Array;
  initialTest: Float64Array | null;
  train: Float64Array;
  test: Float64Array | null;
}

/** Bitwise equal tensors (the step-0 probe reuses what it computed at θ₀). */
function identical(a: tf.Tensor[], b: tf.Tensor[]): boolean {
  return a.every((t, i) => t === b[i] || tf.tidy(() => tf.all(tf.equal(t, b[i])).dataSync()[0] === 1));
}

function outputsOf(model: Model, params: tf.Tensor[], x: tf.Tensor, chunkSize: number): Float64Array {
  const n = x.shape[0];
  const out = new Float64Array(n * model.outputSize);
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    withScope(() => out.set(model.apply(params, x.slice(start, size)).dataSync(), start * model.outputSize));
  }
  return out;
}

/** rms over examples of ‖a_i − b_i‖, and ‖a − b‖_F/‖b − base‖_F (null when b = base). */
function distance(a: Float64Array, b: Float64Array, base: Float64Array, n: number): { rms: number; relative: number | null } {
  let d = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; c += (b[i] - base[i]) ** 2; }
  return { rms: Math.sqrt(d / n), relative: c > 0 ? Math.sqrt(d / c) : null };
}

function accuracy(outputs: Float64Array, labels: Int32Array, K: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (outputs[i * K + k] > outputs[i * K + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

export class LazinessProbes {
  private initialKernel: KernelMatrix | null = null;
  private predictor: PredictorState | null = null;

  /** `init` (θ₀) and the data are not owned. */
  constructor(
    private readonly model: Model,
    private readonly init: tf.Tensor[],
    private readonly data: { train: TensorData; test?: TensorData },
    private readonly options: LazinessProbeOptions,
  ) {
    if (options.kernelPredictor && data.train.n * model.outputSize > maxKernelPairs) {
      throw new Error(`probes.kernelPredictor: the full tangent kernel over ${data.train.n} training examples × ${model.outputSize} outputs = ${data.train.n * model.outputSize} pairs exceeds ${maxKernelPairs} (use data.trainSize ≤ ${Math.floor(maxKernelPairs / model.outputSize)})`);
    }
  }

  record(params: tf.Tensor[], step: number): LazinessRecord {
    const { model, init, options } = this;
    const out: LazinessRecord = {};
    if (options.movement) {
      const m = parameterMovement(model.paramSpecs, params, init);
      out.relativeMovement = m.relative;
      out.relativeMovementPerLayer = m.perLayer.map((l) => l.relative);
    }
    if (options.tangentKernel) {
      const { data, outputs, chunkSize } = options.tangentKernel;
      this.initialKernel ??= tangentKernel(model, init, data.x, undefined, { outputs, chunkSize });
      const current = identical(params, init) ? this.initialKernel : tangentKernel(model, params, data.x, undefined, { outputs, chunkSize });
      out.kernelChange = relativeKernelChange(current, this.initialKernel);
      out.kernelAlignment = kernelTargetAlignment(current, data.labels);
      out.kernelAlignmentInitial = kernelTargetAlignment(this.initialKernel, data.labels);
    }
    if (options.linearisation) {
      const train = linearisationDistance(linearisedOutputs(model, params, init, this.data.train.x, options.linearisation.chunkSize));
      out.linearisationDistanceTrain = train.rms;
      out.linearisationRelativeTrain = train.relative;
      if (this.data.test) {
        const test = linearisationDistance(linearisedOutputs(model, params, init, this.data.test.x, options.linearisation.chunkSize));
        out.linearisationDistanceTest = test.rms;
        out.linearisationRelativeTest = test.relative;
      }
    }
    if (options.kernelPredictor) Object.assign(out, this.kernelPredictorRecord(params, step));
    return out;
  }

  private kernelPredictorRecord(params: tf.Tensor[], step: number): LazinessRecord {
    const spec = this.options.kernelPredictor;
    if (!spec) return {};
    const { model, init } = this;
    const K = model.outputSize;
    const train = this.data.train;
    if (this.predictor === null || this.predictor.step > step) {
      const kernel = tangentKernel(model, init, train.x, undefined, { outputs: 'full', chunkSize: spec.chunkSize }).values;
      const cross = spec.test ? tangentKernel(model, init, spec.test.x, train.x, { outputs: 'full', chunkSize: spec.chunkSize }).values : null;
      const initialTrain = outputsOf(model, init, train.x, 256);
      const initialTest = spec.test ? outputsOf(model, init, spec.test.x, 256) : null;
      const targets = Float64Array.from(train.oneHot.dataSync());
      this.predictor = { step: 0, kernel, cross, targets, initialTrain, initialTest, train: initialTrain, test: initialTest };
    }
    const p = this.predictor;
    if (step > p.step) {
      const advanced = kernelGradientDescent({
        kernel: p.kernel, cross: p.cross ?? undefined, n: train.n, outputs: K,
        initialTrain: p.train, initialTest: p.test ?? undefined, targets: p.targets, loss: spec.loss,
        learningRate: (t) => spec.learningRate(t + p.step), lossScale: spec.lossScale, steps: step - p.step,
      });
      p.train = advanced.train;
      p.test = advanced.test;
      p.step = step;
    }
    const out: LazinessRecord = {};
    const trainNow = outputsOf(model, params, train.x, 256);
    const dTrain = distance(trainNow, p.train, p.initialTrain, train.n);
    out.kernelPredictorDistanceTrain = dTrain.rms;
    out.kernelPredictorRelativeTrain = dTrain.relative;
    if (spec.test && p.test && p.initialTest) {
      const testNow = outputsOf(model, params, spec.test.x, 256);
      const dTest = distance(testNow, p.test, p.initialTest, spec.test.n);
      out.kernelPredictorDistanceTest = dTest.rms;
      out.kernelPredictorRelativeTest = dTest.relative;
      out.kernelPredictorTestAccuracy = accuracy(p.test, spec.test.labels, K);
    }
    return out;
  }
}
