/**
 * Hessian trace by Hutchinson's estimator (Hutchinson 1990; the PyHessian `trace` probe):
 *   tr(H) = E[vᵀHv] for v with i.i.d. Rademacher (±1) entries,
 * estimated by the sample mean over m probes, with standard error s/√m (s the sample standard
 * deviation of the vᵀHv values). Rademacher probes minimise the estimator's variance among
 * i.i.d. probe distributions: Var = 2 Σ_{i≠j} H_ij².
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import { dotProduct, hessianVectorProduct, type LossFunction } from './hvp.ts';

export interface TraceEstimate {
  estimate: number;
  stderr: number;
  samples: number;
  method: 'hutchinson';
}

export interface HutchinsonOptions {
  /** Maximum number of probe vectors. */
  samples: number;
  rng: Rng;
  /** Stop early once stderr / |estimate| falls below this (after at least `minSamples`). */
  relativeStderrTarget?: number;
  minSamples?: number;
}

export function rademacherLike(params: tf.Tensor[], rng: Rng): tf.Tensor[] {
  return params.map((p) => {
    const values = new Float32Array(p.size);
    for (let i = 0; i < values.length; i++) values[i] = rng.sign();
    return tf.tensor(values, p.shape);
  });
}

export function hessianTraceHutchinson(loss: LossFunction, params: tf.Tensor[], options: HutchinsonOptions): TraceEstimate {
  const { samples, rng, relativeStderrTarget, minSamples = 10 } = options;
  if (!(samples >= 2)) throw new Error(`hessianTraceHutchinson needs at least 2 samples for a standard error, got ${samples}`);
  const values: number[] = [];
  let mean = 0;
  let stderr = Infinity;
  for (let k = 0; k < samples; k++) {
    const v = rademacherLike(params, rng);
    const hv = hessianVectorProduct(loss, params, v);
    values.push(dotProduct(v, hv));
    tf.dispose([v, hv]);
    if (values.length >= 2) {
      mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
      stderr = Math.sqrt(variance / values.length);
      if (relativeStderrTarget !== undefined && values.length >= minSamples && stderr <= relativeStderrTarget * Math.abs(mean)) break;
    }
  }
  return { estimate: mean, stderr, samples: values.length, method: 'hutchinson' };
}
