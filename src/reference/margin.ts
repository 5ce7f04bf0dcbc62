/**
 * ℓ1 and ℓ∞ maximum-margin separators (through the origin) and the normalised margin.
 *
 * Steepest descent w.r.t. a norm ‖·‖ on separable exponential-type losses converges in
 * direction to the ‖·‖-max-margin separator (Gunasekar et al. 2018): ℓ1-steepest descent
 * (coordinate descent / AdaBoost) → max ℓ1-margin, sign descent → max ℓ∞-margin.
 *
 * With z_i = y_i x_i and Z the matrix of rows z_iᵀ, both are LPs
 *   γ* = max_{w, γ} γ  s.t.  z_iᵀw ≥ γ,  ‖w‖ ≤ 1,
 * whose LP dual is γ* = min_{α ∈ simplex} ‖Zᵀα‖_* (dual norm: ℓ∞ for ℓ1, ℓ1 for ℓ∞). The row
 * duals of the margin constraints are exactly that α, so we return it as a certificate: the
 * optimum is proven when ‖Zᵀα‖_* equals the achieved margin.
 *
 * The optimal *margin* is unique; the optimal *direction* need not be (LPs can have a face
 * of optima) — compare iterates with the optimum through `normalizedMargin`, not coordinates.
 */
import { matTVec, matVec, maxOf, minOf, norm1, norm2, normInf, shapeOf, type Mat, type Vec } from './linalg.ts';
import { solveLp } from './lp.ts';
import { checkLabels } from './svm.ts';

export type MarginNorm = 1 | 2 | 'inf';

export interface MaxMarginLpResult {
  /** Optimal direction, unit length in the problem's norm (ℓ1 or ℓ∞). */
  direction: number[];
  /** min_i y_i x_iᵀ direction (= γ*). */
  margin: number;
  /** Dual certificate α ≥ 0, Σα = 1 (weights on examples; support on the margin). */
  dual: number[];
  /** ‖Zᵀα‖_* — an upper bound on every achievable margin; equals `margin` at the optimum. */
  dualBound: number;
}

function dualNorm(v: Vec, norm: 1 | 'inf'): number {
  return norm === 1 ? normInf(v) : norm1(v);
}

/** ‖w‖ in the given norm. */
export function vectorNorm(w: Vec, norm: MarginNorm): number {
  return norm === 1 ? norm1(w) : norm === 2 ? norm2(w) : normInf(w);
}

/**
 * Normalised margin min_i y_i x_iᵀw / ‖w‖ (norm 1, 2 or 'inf'); scale-invariant in w, so it
 * compares any iterate with the max-margin optimum of the same norm (≤ it, with equality
 * iff w is an optimal direction). Negative when some example is misclassified.
 *
 * @throws Error if w = 0.
 */
export function normalizedMargin(X: Mat, y: Vec, w: Vec, norm: MarginNorm): number {
  const who = 'normalizedMargin';
  const { p } = shapeOf(X, y, who);
  if (w.length !== p) throw new Error(`${who}: w has length ${w.length}, expected ${p}`);
  const wn = vectorNorm(w, norm);
  if (!(wn > 0)) throw new Error(`${who}: w is zero (or not finite), the normalised margin is undefined`);
  const fm = matVec(X, w).map((v, i) => y[i] * v);
  return minOf(fm) / wn;
}

/**
 * ℓ1 max-margin: max γ s.t. y_i x_iᵀw ≥ γ, ‖w‖₁ ≤ 1, as an LP in (w⁺, w⁻, γ) with
 * w = w⁺ − w⁻, w± ≥ 0, Σ(w⁺ + w⁻) ≤ 1. When γ⋆ > 0 the split is tight, Σ(w⁺ + w⁻) = ‖w‖₁:
 * otherwise shrinking both w⁺_j and w⁻_j frees ℓ1 budget and rescaling w would raise γ.
 * (We normalise by the true ‖w‖₁ and recompute the margin anyway.)
 *
 * @param y labels in {−1, +1}
 * @throws Error if the data is not linearly separable through the origin (γ* ≤ 0).
 */
export async function maxMarginL1(X: Mat, y: Vec): Promise<MaxMarginLpResult> {
  const who = 'maxMarginL1';
  const { n, p } = shapeOf(X, y, who);
  checkLabels(y, who);
  const Z = X.map((row, i) => row.map((v) => y[i] * v));
  // Variables [w⁺ (p), w⁻ (p), γ]; minimise −γ.
  const c = [...new Array<number>(2 * p).fill(0), -1];
  const A_ub = [
    ...Z.map((z) => [...z.map((v) => -v), ...z, 1]), // γ − zᵀw⁺ + zᵀw⁻ ≤ 0
    [...new Array<number>(2 * p).fill(1), 0], // ‖w‖₁ ≤ 1
  ];
  const b_ub = [...new Array<number>(n).fill(0), 1];
  const bounds = [...Array.from({ length: 2 * p }, () => [0, Infinity] as const), [-Infinity, Infinity] as const];
  const res = await solveLp({ c, A_ub, b_ub, bounds });
  const w = res.x.slice(0, p).map((v, j) => v - res.x[p + j]);
  return finish(who, X, y, Z, w, res.status, res.dualUb.slice(0, n), 1);
}

/**
 * ℓ∞ max-margin: max γ s.t. y_i x_iᵀw ≥ γ, −1 ≤ w_j ≤ 1, as an LP in (w, γ).
 *
 * @param y labels in {−1, +1}
 * @throws Error if the data is not linearly separable through the origin (γ* ≤ 0).
 */
export async function maxMarginLinf(X: Mat, y: Vec): Promise<MaxMarginLpResult> {
  const who = 'maxMarginLinf';
  const { n, p } = shapeOf(X, y, who);
  checkLabels(y, who);
  const Z = X.map((row, i) => row.map((v) => y[i] * v));
  const c = [...new Array<number>(p).fill(0), -1];
  const A_ub = Z.map((z) => [...z.map((v) => -v), 1]); // γ − zᵀw ≤ 0
  const bounds = [...Array.from({ length: p }, () => [-1, 1] as const), [-Infinity, Infinity] as const];
  const res = await solveLp({ c, A_ub, b_ub: new Array<number>(n).fill(0), bounds });
  return finish(who, X, y, Z, res.x.slice(0, p), res.status, res.dualUb, 'inf');
}

function finish(
  who: string,
  X: Mat,
  y: Vec,
  Z: number[][],
  w: number[],
  status: string,
  rowDuals: number[],
  norm: 1 | 'inf',
): MaxMarginLpResult {
  if (status !== 'optimal') throw new Error(`${who}: LP solver did not reach an optimum (status ${status})`);
  const scaleZ = maxOf(Z.map((z) => normInf(z)));
  const wn = vectorNorm(w, norm);
  const gamma = wn > 0 ? normalizedMargin(X, y, w, norm) : 0;
  if (!(gamma > 1e-12 * scaleZ)) {
    throw new Error(
      `${who}: data is not linearly separable through the origin (optimal margin ${gamma.toExponential(3)} ≤ 0)`,
    );
  }
  // Row duals are ∂(−γ*)/∂b_i ≤ 0; α = −dual lies on the simplex (stationarity in γ).
  // Clipping round-off negatives and renormalising keeps α exactly feasible for the dual, so
  // dualBound is a valid upper bound on the margin whatever the solver's accuracy.
  const clipped = rowDuals.map((d) => Math.max(0, -d));
  const total = clipped.reduce((a, b) => a + b, 0);
  const alpha = total > 0 ? clipped.map((a) => a / total) : clipped;
  return {
    direction: w.map((v) => v / wn),
    margin: gamma,
    dual: alpha,
    dualBound: dualNorm(matTVec(Z, alpha), norm),
  };
}
