/**
 * Shared pieces of the seed claims: the result type, verdict formatting, tensors from plain
 * arrays, objectives, and float64 vector helpers for comparing iterates with references.
 */
import * as tf from '@tensorflow/tfjs';
import type { Figure } from '../../report/figure.ts';
import type { Model } from '../../models/types.ts';
import { halfMeanSquaredError, logisticLoss } from '../../train/loss.ts';
import type { ProgressReporter } from '../../util/progress.ts';
import { thinSvd } from '../../reference/linalg.ts';

export type ClaimSize = 'full' | 'smoke';

export interface ClaimOptions {
  /** 'full' for the command, 'smoke' for fast tests (smaller problems, fewer steps). */
  size: ClaimSize;
  progress?: ProgressReporter;
}

export interface ClaimResult {
  id: number;
  title: string;
  citation: string;
  pass: boolean;
  /** e.g. "1−cos = 2.1e-3 after 1e5 steps". */
  measured: string;
  /** e.g. "threshold 1e-2". */
  threshold: string;
  /** Extra measured numbers for the summary table and tests. */
  details: Record<string, number | string | boolean>;
  figure: Figure;
  seconds: number;
}

/** `claim 3  PASS  1−cos = 2.1e-3 after 1e5 steps (threshold 1e-2)` */
export function verdictLine(r: Pick<ClaimResult, 'id' | 'pass' | 'measured' | 'threshold'>): string {
  return `claim ${r.id}  ${r.pass ? 'PASS' : 'FAIL'}  ${r.measured} (${r.threshold})`;
}

/** Compact scientific notation: 2.1e-3, 1e5; plain for 0.1 ≤ |x| < 1000 (0.35, 14). */
export function sci(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.1 && a < 1000) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  const m = mantissa.replace(/\.?0+$/, '');
  return `${m}e${Number(exponent)}`;
}

export function tensorsOf(X: number[][], y: number[]): { Xt: tf.Tensor2D; yt: tf.Tensor1D } {
  return { Xt: tf.tensor2d(X), yt: tf.tensor1d(y) };
}

export function squaredLossObjective(model: Model, Xt: tf.Tensor2D, yt: tf.Tensor1D) {
  return (params: tf.Tensor[]) => halfMeanSquaredError(model.apply(params, Xt), yt);
}

export function logisticObjective(model: Model, Xt: tf.Tensor2D, yt: tf.Tensor1D) {
  return (params: tf.Tensor[]) => logisticLoss(model.apply(params, Xt), yt);
}

/** All parameter values, concatenated, as float64 numbers. */
export function valuesOf(params: tf.Tensor[]): number[] {
  return params.flatMap((p) => Array.from(p.dataSync()));
}

export function norm2(a: number[]): number {
  return Math.sqrt(a.reduce((s, v) => s + v * v, 0));
}

/** ‖a − b‖₂ / ‖b‖₂. */
export function relativeDistance(a: number[], b: number[]): number {
  return norm2(a.map((v, i) => v - b[i])) / norm2(b);
}

export function cosine(a: number[], b: number[]): number {
  let ab = 0;
  for (let i = 0; i < a.length; i++) ab += a[i] * b[i];
  return ab / (norm2(a) * norm2(b));
}

/** 1 − cos(a, b), computed as ½‖â − b̂‖² so that it stays accurate when tiny. */
export function oneMinusCosine(a: number[], b: number[]): number {
  const na = norm2(a);
  const nb = norm2(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] / na - b[i] / nb) ** 2;
  return s / 2;
}

/** Largest eigenvalue of XᵀX/n: the smoothness constant of (1/2n)‖Xθ − y‖². */
export function leastSquaresSmoothness(X: number[][]): number {
  return thinSvd(X).s[0] ** 2 / X.length;
}

/** Steps 0, 1, …, 9, 10, 12, 15, … : about `perDecade` points per decade up to `steps`. */
export function logSpacedSteps(steps: number, perDecade = 20): number[] {
  const out = new Set<number>([0]);
  for (let k = 0; ; k++) {
    const s = Math.round(10 ** (k / perDecade));
    if (s >= steps) break;
    out.add(s);
  }
  out.add(steps);
  return [...out].sort((a, b) => a - b);
}

/** Progress over a claim's whole budget of steps, across several training runs. */
export function claimProgress(options: ClaimOptions, label: string, totalSteps: number): { advance: (n?: number) => void; done: () => void } {
  const reporter = options.progress;
  let done = 0;
  reporter?.start(totalSteps, 0, label);
  return {
    advance: (n = 1) => {
      done += n;
      if (reporter && (done % 200 === 0 || done === totalSteps)) reporter.update(done);
    },
    done: () => reporter?.stop(),
  };
}
