/**
 * Minimum-ℓ1 interpolant — the limit of e.g. diagonal linear networks with small
 * initialisation, or of exponentiated gradient with θ = u − v started near 0.
 *
 * Primal:  min ‖θ‖₁ s.t. Xθ = y, as an LP in θ = θ⁺ − θ⁻ (θ± ≥ 0, objective Σθ⁺ + Σθ⁻).
 * Dual:    max yᵀλ s.t. ‖Xᵀλ‖∞ ≤ 1.
 * Weak duality yᵀλ = θᵀXᵀλ ≤ ‖θ‖₁‖Xᵀλ‖∞ ≤ ‖θ‖₁ for any feasible pair, so a λ with
 * ‖Xᵀλ‖∞ ≤ 1 and yᵀλ = ‖θ‖₁ certifies optimality; we return it with both residuals.
 */
import { checkLength, dot, matTVec, matVec, norm1, normInf, shapeOf, sub, type Mat, type Vec } from './linalg.ts';
import { solveLp } from './lp.ts';

export interface MinL1Result {
  theta: number[];
  /** ‖Xθ − y‖∞. */
  residual: number;
  /** Dual certificate λ (the equality-row marginals). */
  dual: number[];
  /** max(0, ‖Xᵀλ‖∞ − 1). */
  dualInfeasibility: number;
  /** ‖θ‖₁ − yᵀλ (≥ 0 up to round-off; 0 at the optimum). */
  dualityGap: number;
}

/**
 * min ‖θ‖₁ s.t. Xθ = y. The minimiser need not be unique (then any vertex of the optimal face
 * is returned; the optimal value ‖θ‖₁ is unique).
 *
 * @throws Error if Xθ = y has no solution.
 */
export async function minL1Interpolant(X: Mat, y: Vec): Promise<MinL1Result> {
  const who = 'minL1Interpolant';
  const { p } = shapeOf(X, y, who);
  const res = await solveLp({
    c: new Array<number>(2 * p).fill(1),
    A_eq: X.map((row) => [...row, ...row.map((v) => -v)]),
    b_eq: [...y],
    bounds: [0, Infinity],
  });
  if (res.status === 'infeasible') throw new Error(`${who}: no θ satisfies Xθ = y (y is not in the range of X)`);
  if (res.status !== 'optimal') throw new Error(`${who}: LP solver did not reach an optimum (status ${res.status})`);
  const theta = res.x.slice(0, p).map((v, j) => v - res.x[p + j]);
  const lambda = res.dualEq;
  return summarize(X, y, theta, lambda);
}

function summarize(X: Mat, y: Vec, theta: number[], lambda: number[]): MinL1Result {
  checkLength(theta, X[0].length, 'theta', 'minL1Interpolant');
  return {
    theta,
    residual: normInf(sub(matVec(X, theta), y)),
    dual: lambda,
    dualInfeasibility: Math.max(0, normInf(matTVec(X, lambda)) - 1),
    dualityGap: norm1(theta) - dot(y, lambda),
  };
}
