/**
 * Small dense float64 helpers shared by the reference solvers.
 *
 * Everything here works on plain `number[]` / `number[][]` so the reference code has no
 * dependency on TF.js (whose float32 kernels are exactly what we want to check). Heavy
 * factorisations are delegated to ml-matrix.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

export type Mat = readonly (readonly number[])[];
export type Vec = readonly number[];

/** Validates an (X, y) pair and returns its shape; every solver calls this first. */
export function shapeOf(X: Mat, y: Vec, who: string): { n: number; p: number } {
  const n = X.length;
  if (n === 0) throw new Error(`${who}: X has no rows`);
  const p = X[0].length;
  if (p === 0) throw new Error(`${who}: X has no columns`);
  for (let i = 0; i < n; i++) {
    if (X[i].length !== p) {
      throw new Error(`${who}: X is ragged (row 0 has ${p} columns, row ${i} has ${X[i].length})`);
    }
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(X[i][j])) throw new Error(`${who}: X[${i}][${j}] is not finite`);
    }
  }
  if (y.length !== n) throw new Error(`${who}: y has length ${y.length} but X has ${n} rows`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) throw new Error(`${who}: y[${i}] is not finite`);
  }
  return { n, p };
}

export function checkLength(v: Vec, p: number, name: string, who: string): void {
  if (v.length !== p) throw new Error(`${who}: ${name} has length ${v.length}, expected ${p}`);
  for (let j = 0; j < p; j++) {
    if (!Number.isFinite(v[j])) throw new Error(`${who}: ${name}[${j}] is not finite`);
  }
}

/** X v */
export function matVec(X: Mat, v: Vec): number[] {
  const out = new Array<number>(X.length);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    let s = 0;
    for (let j = 0; j < row.length; j++) s += row[j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Xᵀ u */
export function matTVec(X: Mat, u: Vec): number[] {
  const p = X[0].length;
  const out = new Array<number>(p).fill(0);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    const ui = u[i];
    if (ui === 0) continue;
    for (let j = 0; j < p; j++) out[j] += ui * row[j];
  }
  return out;
}

export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function sub(a: Vec, b: Vec): number[] {
  return a.map((v, i) => v - b[i]);
}

export function add(a: Vec, b: Vec): number[] {
  return a.map((v, i) => v + b[i]);
}

export function scale(a: Vec, c: number): number[] {
  return a.map((v) => v * c);
}

export function norm1(a: Vec): number {
  let s = 0;
  for (const v of a) s += Math.abs(v);
  return s;
}

/** Euclidean norm, via hypot-style scaling so tiny/huge vectors do not under/overflow. */
export function norm2(a: Vec): number {
  const m = normInf(a);
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (const v of a) s += (v / m) * (v / m);
  return m * Math.sqrt(s);
}

/** max over an array without spreading it into arguments (no call-stack limit on size). */
export function maxOf(a: Vec): number {
  let m = -Infinity;
  for (const v of a) if (v > m || Number.isNaN(v)) m = v;
  return m;
}

export function minOf(a: Vec): number {
  let m = Infinity;
  for (const v of a) if (v < m || Number.isNaN(v)) m = v;
  return m;
}

export function normInf(a: Vec): number {
  let m = 0;
  for (const v of a) {
    const x = Math.abs(v);
    if (x > m || Number.isNaN(x)) m = x;
  }
  return m;
}

/**
 * Thin SVD X = U diag(s) Vᵀ with r = min(n, p) singular triplets, s descending.
 *
 * Why SVD rather than normal equations: every spectral formula in this folder (min-norm
 * interpolant, ridge, gradient flow, GD) is a filter f(σ) applied to the singular triplets,
 * and the SVD gets them with backward error ~ε‖X‖ instead of the ε‖X‖² error of forming
 * XXᵀ or XᵀX. It also hands us the exact condition number for the "ill-conditioned" check.
 */
export interface ThinSvd {
  /** n × r, columns are left singular vectors u_k. */
  U: number[][];
  /** r singular values, descending, ≥ 0. */
  s: number[];
  /** p × r, columns are right singular vectors v_k. */
  V: number[][];
}

export function thinSvd(X: Mat): ThinSvd {
  const n = X.length;
  const p = X[0].length;
  const r = Math.min(n, p);
  const svd = new SingularValueDecomposition(new Matrix(X as number[][]), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: true,
  });
  const sAll = svd.diagonal;
  const Ufull = svd.leftSingularVectors;
  const Vfull = svd.rightSingularVectors;
  // ml-matrix already sorts descending, but we sort defensively: the callers' rank
  // cut-offs assume s[0] is the largest.
  const order = Array.from({ length: r }, (_, k) => k).sort((a, b) => sAll[b] - sAll[a]);
  const s = order.map((k) => Math.max(0, sAll[k]));
  const U: number[][] = [];
  for (let i = 0; i < n; i++) U.push(order.map((k) => Ufull.get(i, k)));
  const V: number[][] = [];
  for (let j = 0; j < p; j++) V.push(order.map((k) => Vfull.get(j, k)));
  return { U, s, V };
}

/**
 * y ↦ Σ_k f(s_k) v_k (u_kᵀ y) for the singular triplets with s_k > 0 (after `rankTol`):
 * the common shape of every spectral estimator here.
 */
export function spectralApply(
  svd: ThinSvd,
  y: Vec,
  filter: (s: number, k: number) => number,
  rankTol: number,
): number[] {
  const { U, s, V } = svd;
  const p = V.length;
  const out = new Array<number>(p).fill(0);
  const cutoff = rankTol * (s[0] ?? 0);
  for (let k = 0; k < s.length; k++) {
    if (!(s[k] > cutoff)) continue;
    let uy = 0;
    for (let i = 0; i < U.length; i++) uy += U[i][k] * y[i];
    const c = filter(s[k], k) * uy;
    if (c === 0) continue;
    for (let j = 0; j < p; j++) out[j] += c * V[j][k];
  }
  return out;
}
