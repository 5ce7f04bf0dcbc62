/**
 * Spectral closed forms for least squares: ridge, gradient flow and gradient descent from 0.
 *
 * All three use the same loss scaling L(θ) = (1/(2n))‖Xθ − y‖², whose Hessian is XᵀX/n with
 * eigenpairs (λ_k = σ_k²/n, v_k) from the SVD X = Σ σ_k u_k v_kᵀ, and Xᵀy/n = Σ σ_k (u_kᵀy)/n v_k.
 * Each estimator is therefore θ = Σ_k f(σ_k) (u_kᵀy) v_k for a scalar filter f; the scaling
 * matters because the early-stopping comparison (Ali et al. 2019) pairs GD with step η after
 * t steps on this L against ridge with λ = 1/(ηt).
 *
 * Every filter below tends to 0 as σ → 0, so directions outside row(X) (and numerically
 * null ones) contribute nothing and no rank cut-off is needed.
 */
import { shapeOf, spectralApply, thinSvd, type Mat, type Vec } from './linalg.ts';

/**
 * Ridge regression θ_λ = argmin (1/(2n))‖Xθ − y‖² + (λ/2)‖θ‖², λ > 0.
 *
 * Normal equations: (XᵀX/n + λI)θ = Xᵀy/n, i.e. θ = Σ_k σ_k/(σ_k² + nλ) (u_kᵀy) v_k.
 * As λ → 0⁺ this tends to the minimum-norm least-squares solution X⁺y.
 */
export function ridge(X: Mat, y: Vec, lambda: number): number[] {
  const { n } = shapeOf(X, y, 'ridge');
  if (!(lambda > 0) || !Number.isFinite(lambda)) {
    throw new Error(`ridge: lambda must be a finite number > 0 (got ${lambda}); for λ = 0 use minNormInterpolant`);
  }
  return spectralApply(thinSvd(X), y, (s) => s / (s * s + n * lambda), 0);
}

/**
 * Exact gradient flow dθ/dt = −∇L(θ) = −Xᵀ(Xθ − y)/n from θ(0) = 0, at time t ≥ 0:
 * θ(t) = (I − exp(−t XᵀX/n)) (XᵀX)⁺ Xᵀy = Σ_k (1 − e^{−tσ_k²/n})/σ_k (u_kᵀy) v_k.
 *
 * 1 − e^{−x} is evaluated as −expm1(−x) so small-time / small-σ components keep full
 * relative accuracy. As t → ∞ this tends to X⁺y (the min-norm interpolant when n ≤ p).
 */
export function gradientFlowLeastSquares(X: Mat, y: Vec, time: number): number[] {
  const { n } = shapeOf(X, y, 'gradientFlowLeastSquares');
  if (!(time >= 0) || !Number.isFinite(time)) {
    throw new Error(`gradientFlowLeastSquares: time must be a finite number ≥ 0 (got ${time})`);
  }
  return spectralApply(
    thinSvd(X),
    y,
    (s) => (s === 0 ? 0 : -Math.expm1((-time * s * s) / n) / s),
    0,
  );
}

/**
 * Exact iterate of full-batch GD θ_{k+1} = θ_k − η Xᵀ(Xθ_k − y)/n from θ_0 = 0 after `steps`:
 * θ_t = Σ_k (1 − (1 − ηλ_k)^t)/λ_k · v_k v_kᵀ Xᵀy/n = Σ_k (1 − (1 − ησ_k²/n)^t)/σ_k (u_kᵀy) v_k,
 * with λ_k = σ_k²/n.
 *
 * Valid for any η > 0 (for η ≥ 2/λ_max the formula is still the exact, divergent, iterate).
 * For ηλ_k < 1, 1 − (1 − a)^t is evaluated as −expm1(t·log1p(−a)) to avoid cancellation.
 */
export function gdLeastSquaresClosedForm(X: Mat, y: Vec, eta: number, steps: number): number[] {
  const { n } = shapeOf(X, y, 'gdLeastSquaresClosedForm');
  if (!(eta > 0) || !Number.isFinite(eta)) {
    throw new Error(`gdLeastSquaresClosedForm: eta must be a finite number > 0 (got ${eta})`);
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new Error(`gdLeastSquaresClosedForm: steps must be an integer ≥ 0 (got ${steps})`);
  }
  const filter = (s: number): number => {
    if (s === 0) return 0;
    const a = (eta * s * s) / n;
    const oneMinus = a < 1 ? -Math.expm1(steps * Math.log1p(-a)) : 1 - Math.pow(1 - a, steps);
    return oneMinus / s;
  };
  return spectralApply(thinSvd(X), y, filter, 0);
}
