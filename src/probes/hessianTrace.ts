/**
 * Hessian trace estimators (the PyHessian `trace` probe and its lower-variance successor).
 *
 * Hutchinson (1990): tr(H) = E[vᵀHv] for v with i.i.d. Rademacher (±1) entries, estimated by
 * the sample mean over m probes with standard error s/√m (s the sample standard deviation of
 * the vᵀHv values). Rademacher probes minimise the variance among i.i.d. probe distributions:
 * Var = 2 Σ_{i≠j} H_ij².
 *
 * Hutch++ (Meyer, Musco, Musco & Woodruff 2021): with m products, sketch Q = orth(H S) from
 * m/3 Rademacher columns S, take tr(QᵀHQ) exactly (m/3 products), and run Hutchinson with m/3
 * probes on the deflated remainder (I−QQᵀ)H(I−QQᵀ). The top of the spectrum — the few outlier
 * eigenvalues neural-net Hessians have — is captured exactly, so the variance is much lower at
 * equal cost. Its standard error is that of the remainder's Hutchinson mean (Q is fixed given S).
 *
 * Per-layer: the trace of a diagonal block H_bb is Hutchinson with the probe vector restricted
 * to the block's coordinates (`restrictOperator`); the block traces sum to tr(H).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { LossFunction } from './hvp.ts';
import { lossFunctionObjective, objectiveHessian } from './objective.ts';
import { dot, norm2, orthogonalize, restrictOperator, type HessianOperator, type HvpMethod, type ParamBlock } from './operator.ts';

export interface TraceEstimate {
  estimate: number;
  stderr: number;
  /** Hutchinson probe vectors (for Hutch++: probes of the deflated remainder). */
  samples: number;
  method: 'hutchinson' | 'hutch++';
  /** How the Hessian-vector products were computed. */
  hvp?: HvpMethod;
  /** Hessian-vector products used. */
  matvecs?: number;
}

export interface HutchinsonOptions {
  /** Maximum number of probe vectors. */
  samples: number;
  rng: Rng;
  /** Stop early once stderr / |estimate| falls below this (after at least `minSamples`). */
  relativeStderrTarget?: number;
  minSamples?: number;
}

/** A flat Rademacher vector (entries drawn in flat parameter order). */
export function rademacher(p: number, rng: Rng): Float64Array {
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = rng.sign();
  return v;
}

/** Rademacher tensors shaped like `params` (same draw order as `rademacher`). */
export function rademacherLike(params: tf.Tensor[], rng: Rng): tf.Tensor[] {
  return params.map((p) => {
    const values = new Float32Array(p.size);
    for (let i = 0; i < values.length; i++) values[i] = rng.sign();
    return tf.tensor(values, p.shape);
  });
}

/** Sample mean of the vᵀHv values and its standard error s/√m (s with the m − 1 divisor). */
export function meanAndStderr(values: number[]): { mean: number; stderr: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, stderr: Infinity };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, stderr: Math.sqrt(variance / values.length) };
}

/** Hutchinson's estimate of tr(H) for a Hessian operator. */
export function hutchinsonTrace(op: HessianOperator, options: HutchinsonOptions): TraceEstimate {
  const { samples, rng, relativeStderrTarget, minSamples = 10 } = options;
  if (!(samples >= 2)) throw new Error(`Hutchinson needs at least 2 samples for a standard error, got ${samples}`);
  const start = op.matvecs;
  const values: number[] = [];
  let mean = 0;
  let stderr = Infinity;
  for (let k = 0; k < samples; k++) {
    const v = rademacher(op.dimension, rng);
    values.push(dot(v, op.apply(v)));
    if (values.length >= 2) {
      ({ mean, stderr } = meanAndStderr(values));
      if (relativeStderrTarget !== undefined && values.length >= minSamples && stderr <= relativeStderrTarget * Math.abs(mean)) break;
    }
  }
  return { estimate: mean, stderr, samples: values.length, method: 'hutchinson', hvp: op.method, matvecs: op.matvecs - start };
}

/** Hutchinson trace of a loss function's Hessian at `params` (one HVP per probe, unchunked). */
export function hessianTraceHutchinson(loss: LossFunction, params: tf.Tensor[], options: HutchinsonOptions): TraceEstimate {
  return hutchinsonTrace(objectiveHessian(lossFunctionObjective(loss), params), options);
}

export interface HutchPlusPlusOptions {
  /** Total Hessian-vector products (≥ 3; split into thirds). */
  matvecs: number;
  rng: Rng;
}

/** Hutch++ estimate of tr(H) with `matvecs` products (Meyer et al. 2021, Algorithm 1). */
export function hutchPlusPlusTrace(op: HessianOperator, options: HutchPlusPlusOptions): TraceEstimate {
  const { rng } = options;
  const third = Math.floor(options.matvecs / 3);
  if (third < 1) throw new Error(`Hutch++ needs at least 3 matvecs, got ${options.matvecs}`);
  const p = op.dimension;
  const start = op.matvecs;
  const sketchSize = Math.min(third, p);
  const remainderProbes = options.matvecs - 2 * sketchSize;
  // Q = orth(H S).
  const q: Float64Array[] = [];
  for (let j = 0; j < sketchSize; j++) {
    const y = op.apply(rademacher(p, rng));
    orthogonalize(y, q);
    const n = norm2(y);
    if (n > 1e-10 * Math.sqrt(p)) q.push(y.map((t) => t / n));
  }
  // tr(QᵀHQ), exactly.
  let lowRank = 0;
  for (const col of q) lowRank += dot(col, op.apply(col));
  // Hutchinson on (I−QQᵀ)H(I−QQᵀ).
  const values: number[] = [];
  for (let k = 0; k < remainderProbes; k++) {
    const g = rademacher(p, rng);
    orthogonalize(g, q);
    values.push(dot(g, op.apply(g)));
  }
  const rest = values.length > 0 ? meanAndStderr(values) : { mean: 0, stderr: 0 };
  return {
    estimate: lowRank + rest.mean,
    stderr: q.length >= p ? 0 : rest.stderr,
    samples: values.length,
    method: 'hutch++',
    hvp: op.method,
    matvecs: op.matvecs - start,
  };
}

export interface BlockTrace extends ParamBlock { trace: TraceEstimate }

/** tr(H_bb) of each diagonal block by Hutchinson restricted to the block. */
export function perLayerTrace(op: HessianOperator, blocks: readonly ParamBlock[], options: HutchinsonOptions): BlockTrace[] {
  return blocks.map((block) => ({ ...block, trace: hutchinsonTrace(restrictOperator(op, block), options) }));
}

/** Σ of block estimates with the standard error of the sum (blocks use independent probes). */
export function sumOfBlockTraces(blocks: readonly BlockTrace[]): { estimate: number; stderr: number } {
  return {
    estimate: blocks.reduce((s, b) => s + b.trace.estimate, 0),
    stderr: Math.sqrt(blocks.reduce((s, b) => s + b.trace.stderr ** 2, 0)),
  };
}

