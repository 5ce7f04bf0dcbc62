/**
 * A model is a pure function of its parameters: `apply(params, x)` returns logits and keeps no
 * state, so that probes can differentiate with respect to any parameter set (a Hessian probe
 * differentiates twice; a margin probe rescales layers) without touching the model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';

export interface ParamSpec {
  /** Checkpoint tensor name, e.g. 'dense0/kernel'. */
  name: string;
  shape: number[];
  /** Which layer the tensor belongs to (for per-layer probes and homogeneity). */
  layer: number;
}

export interface Model {
  /** Checkpoint `architecture` object (ibl-checkpoint/1), fully describing the forward pass. */
  architecture: { kind: string } & Record<string, unknown>;
  paramSpecs: ParamSpec[];
  /**
   * Degree L of positive homogeneity in the parameters, f(cθ) = c^L f(θ) for c > 0, or null if
   * the model is not homogeneous (biases, normalisation, residual sums with scaling, …).
   */
  homogeneityDegree: number | null;
  /** Number of output logits. */
  outputSize: number;
  init(rng: Rng): tf.Tensor[];
  apply(params: tf.Tensor[], x: tf.Tensor): tf.Tensor2D;
}

export function parameterCount(model: Pick<Model, 'paramSpecs'>): number {
  return model.paramSpecs.reduce((total, spec) => total + spec.shape.reduce((a, b) => a * b, 1), 0);
}
