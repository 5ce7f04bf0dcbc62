/**
 * Test-only helpers. Deliberately built on ml-matrix's QR/LU directly (not on the SVD path
 * the solvers use), so the checks do not share code with what they check.
 */
import { Matrix, solve, inverse } from 'ml-matrix';
import { createRng, type Rng } from '../../src/util/rng.ts';

export function randomMatrix(rng: Rng, n: number, p: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
}

export function randomVector(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.normal());
}

export function mv(X: number[][], v: readonly number[]): number[] {
  return X.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
}

export function mtv(X: number[][], u: readonly number[]): number[] {
  const out = new Array<number>(X[0].length).fill(0);
  X.forEach((r, i) => r.forEach((x, j) => (out[j] += x * u[i])));
  return out;
}

export const maxAbs = (v: readonly number[]): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
export const l1 = (v: readonly number[]): number => v.reduce((s, x) => s + Math.abs(x), 0);
export const l2 = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
export const diff = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x - b[i]);

/** ‖v − Xᵀc‖₂/‖v‖₂ for the least-squares c (QR): 0 iff v ∈ row(X). */
export function rowSpaceResidual(X: number[][], v: readonly number[]): number {
  const Xt = new Matrix(X).transpose();
  const c = solve(Xt, Matrix.columnVector([...v])).to1DArray();
  return l2(diff(v, mtv(X, c))) / Math.max(l2(v), 1e-300);
}

/** Random unit direction in null(X): v − Xᵀ(XXᵀ)⁻¹Xv. */
export function nullDirection(rng: Rng, X: number[][]): number[] {
  const p = X[0].length;
  const v = randomVector(rng, p);
  const M = new Matrix(X);
  const G = M.mmul(M.transpose());
  const c = inverse(G).mmul(Matrix.columnVector(mv(X, v))).to1DArray();
  const d = diff(v, mtv(X, c));
  const nd = l2(d);
  return d.map((x) => x / nd);
}

/** Linearly separable (through the origin) data with |x·w₀| ≥ gap. */
export function separableData(seed: number, n: number, p: number, gap = 0.3): { X: number[][]; y: number[] } {
  const rng = createRng(seed);
  const w0 = randomVector(rng, p);
  const nw = l2(w0);
  const X: number[][] = [];
  const y: number[] = [];
  while (X.length < n) {
    const x = randomVector(rng, p);
    const s = x.reduce((a, v, j) => a + (v * w0[j]) / nw, 0);
    if (Math.abs(s) >= gap) {
      X.push(x);
      y.push(Math.sign(s));
    }
  }
  return { X, y };
}
