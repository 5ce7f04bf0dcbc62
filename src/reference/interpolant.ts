/**
 * Minimum-ℓ2 interpolants: the points gradient descent on least squares converges to.
 *
 * GD on L(θ) = ½‖Xθ − y‖² only ever moves along ∇L = Xᵀ(Xθ − y) ∈ row(X), so from θ₀ it
 * stays in θ₀ + row(X). If an interpolant exists, the unique interpolant in that affine set
 * is the Euclidean projection of θ₀ onto {θ : Xθ = y}, which is what we compute here.
 */
import { checkLength, matVec, normInf, shapeOf, spectralApply, sub, thinSvd, type Mat, type Vec } from './linalg.ts';

export interface InterpolantResult {
  theta: number[];
  /** ‖Xθ − y‖∞ recomputed in float64 from the returned θ. */
  residual: number;
  /** σ_max(X)/σ_min(X) over the n singular values (√cond(XXᵀ)). */
  condition: number;
}

export interface InterpolantOptions {
  /**
   * Largest acceptable σ_max/σ_min of X. Default 1e8, i.e. cond(XXᵀ) = 1e16, where XXᵀ is
   * numerically singular in float64 and θ would carry no trustworthy digits.
   */
  maxCondition?: number;
}

const DEFAULT_MAX_CONDITION = 1e8;

/**
 * Minimum-norm interpolant θ = Xᵀ(XXᵀ)⁻¹y = argmin ‖θ‖₂ s.t. Xθ = y.
 *
 * Requires n ≤ p and X of full row rank. Computed as θ = V diag(1/σ) Uᵀ y from the thin SVD
 * X = U diag(σ) Vᵀ, which equals Xᵀ(XXᵀ)⁻¹y without forming XXᵀ (squaring cond(X)).
 *
 * @throws Error if n > p, or X is rank deficient / cond(X) > maxCondition.
 */
export function minNormInterpolant(X: Mat, y: Vec, opts: InterpolantOptions = {}): InterpolantResult {
  const who = 'minNormInterpolant';
  shapeOf(X, y, who);
  return projectOntoInterpolants(X, y, null, opts, who);
}

/**
 * Closest interpolant to θ₀: θ = θ₀ + Xᵀ(XXᵀ)⁻¹(y − Xθ₀) = argmin ‖θ − θ₀‖₂ s.t. Xθ = y.
 *
 * This is the limit of GD (any stable step size) or gradient flow on ½‖Xθ − y‖² started at
 * θ₀, by the row-space argument in the file comment.
 *
 * @throws Error if n > p, or X is rank deficient / cond(X) > maxCondition.
 */
export function closestInterpolant(
  X: Mat,
  y: Vec,
  theta0: Vec,
  opts: InterpolantOptions = {},
): InterpolantResult {
  const who = 'closestInterpolant';
  const { p } = shapeOf(X, y, who);
  checkLength(theta0, p, 'theta0', who);
  return projectOntoInterpolants(X, y, theta0, opts, who);
}

function projectOntoInterpolants(
  X: Mat,
  y: Vec,
  theta0: Vec | null,
  opts: InterpolantOptions,
  who: string,
): InterpolantResult {
  const n = X.length;
  const p = X[0].length;
  const maxCondition = opts.maxCondition ?? DEFAULT_MAX_CONDITION;
  if (n > p) {
    throw new Error(
      `${who}: X has more rows than columns (n=${n} > p=${p}), so XXᵀ is singular and an exact interpolant is not generic; use least squares instead`,
    );
  }
  const svd = thinSvd(X);
  const sMax = svd.s[0];
  const sMin = svd.s[svd.s.length - 1];
  const condition = sMin > 0 ? sMax / sMin : Infinity;
  if (!(sMax > 0) || !(condition <= maxCondition)) {
    throw new Error(
      `${who}: XXᵀ is singular or ill-conditioned (σ_max/σ_min of X = ${condition.toExponential(3)} > ${maxCondition.toExponential(1)}); X must have full row rank`,
    );
  }
  // Residual to be explained by a row-space correction: y − Xθ₀ (or y itself from 0).
  const r = theta0 ? sub(y, matVec(X, theta0)) : [...y];
  const delta = spectralApply(svd, r, (s) => 1 / s, 0);
  const theta = theta0 ? delta.map((d, j) => d + theta0[j]) : delta;
  return { theta, residual: normInf(sub(matVec(X, theta), y)), condition };
}
