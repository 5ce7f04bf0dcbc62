/**
 * ℓ2 maximum-margin separator (hard-margin SVM without bias): the direction GD on
 * logistic / exponential loss converges to on separable data (Soudry et al. 2018).
 */
import { matVec, maxOf, minOf, norm2, normInf, shapeOf, type Mat, type Vec } from './linalg.ts';
import { solveQp } from './qp.ts';

export interface MaxMarginL2Result {
  /** ŵ = w/‖w‖₂, unit ℓ2 norm. */
  direction: number[];
  /** γ = min_i y_i x_iᵀŵ (= 1/‖w‖₂ at the optimum). */
  margin: number;
  /** Indices i on the margin, y_i x_iᵀw ≤ 1 + 1e-8 (includes degenerate ones with α_i = 0). */
  supportIndices: number[];
  /**
   * max of: primal infeasibility max_i (1 − y_i x_iᵀw)₊, dual infeasibility max_i (−α_i)₊,
   * complementary slackness max_i |α_i (y_i x_iᵀw − 1)|, stationarity ‖w − Σ α_i y_i x_i‖∞.
   */
  kktResidual: number;
  /** The canonical (functional-margin-1) solution w, ‖w‖₂ = 1/γ. */
  w: number[];
  /** Dual variables α_i ≥ 0 with w = Σ α_i y_i x_i. */
  alpha: number[];
}

/**
 * Hard-margin SVM through the origin:
 *   w* = argmin ½‖w‖₂²  s.t.  y_i x_iᵀw ≥ 1 for all i,
 * solved as a primal QP (identity Hessian, so always strictly convex even when n > p, which
 * the dual Gram-matrix QP is not). Its direction w/‖w‖ maximises min_i y_i x_iᵀw/‖w‖₂.
 *
 * @param y labels in {−1, +1}
 * @throws Error if a label is not ±1 or the data is not linearly separable by a hyperplane
 *   through the origin (the QP is infeasible).
 */
export function maxMarginL2(X: Mat, y: Vec): MaxMarginL2Result {
  const who = 'maxMarginL2';
  const { n, p } = shapeOf(X, y, who);
  checkLabels(y, who);
  const Z = X.map((row, i) => row.map((v) => y[i] * v));
  const H = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  const res = solveQp({ H, c: new Array<number>(p).fill(0), A_ge: Z, b_ge: new Array<number>(n).fill(1) });
  if (res.status === 'infeasible') {
    throw new Error(`${who}: data is not linearly separable through the origin (no w with y_i x_iᵀw ≥ 1 for all i)`);
  }
  const w = res.x;
  const alpha = res.multipliersGe;
  const fm = matVec(Z, w);
  const primal = Math.max(0, maxOf(fm.map((v) => 1 - v)));
  if (primal > 1e-6) {
    throw new Error(`${who}: data is not linearly separable through the origin (solver returned violation ${primal})`);
  }
  const dual = Math.max(0, maxOf(alpha.map((a) => -a)));
  const slack = Math.max(0, maxOf(alpha.map((a, i) => Math.abs(a * (fm[i] - 1)))));
  const wFromAlpha = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) wFromAlpha[j] += alpha[i] * Z[i][j];
  const stat = normInf(w.map((v, j) => v - wFromAlpha[j]));
  const wn = norm2(w);
  const direction = w.map((v) => v / wn);
  return {
    direction,
    margin: minOf(matVec(Z, direction)),
    supportIndices: fm.flatMap((v, i) => (v - 1 <= 1e-8 ? [i] : [])),
    kktResidual: Math.max(primal, dual, slack, stat),
    w,
    alpha,
  };
}

export function checkLabels(y: Vec, who: string): void {
  y.forEach((v, i) => {
    if (v !== 1 && v !== -1) throw new Error(`${who}: labels must be −1 or +1 (y[${i}] = ${v})`);
  });
}
