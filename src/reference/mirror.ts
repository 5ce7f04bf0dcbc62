/**
 * Bregman-projection interpolants: where mirror descent on an interpolating loss converges.
 * See bregmanDual.ts for the dual characterisation ∇ψ(θ) = ∇ψ(θ₀) + Xᵀλ, Xθ = y.
 */
import { solveBregmanDual, type BregmanDualOptions, type BregmanDualResult } from './bregmanDual.ts';
import { checkLength, shapeOf, type Mat, type Vec } from './linalg.ts';

/**
 * Unnormalised relative entropy D(θ‖θ₀) = Σ θ_i log(θ_i/θ₀_i) − θ_i + θ₀_i (θ ≥ 0, θ₀ > 0;
 * 0·log 0 = 0): the Bregman divergence of ψ(θ) = Σ θ log θ − θ.
 */
export function relativeEntropy(theta: Vec, theta0: Vec): number {
  let s = 0;
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i];
    const t0 = theta0[i];
    s += (t > 0 ? t * Math.log(t / t0) : 0) - t + t0;
  }
  return s;
}

/**
 * Minimum relative-entropy interpolant — the limit of exponentiated-gradient (unnormalised
 * multiplicative-weights) mirror descent θ ← θ ⊙ exp(−η ∇L) from θ₀ on an interpolating loss:
 *   θ⋆ = argmin Σ θ_i log(θ_i/θ₀_i) − θ_i + θ₀_i  s.t.  Xθ = y,  θ > 0.
 * Optimality: log(θ⋆/θ₀) = Xᵀλ, i.e. θ⋆ = θ₀ ⊙ exp(Xᵀλ) with Xθ⋆ = y; λ found by damped Newton
 * on the dual F(λ) = Σ θ₀_i exp((Xᵀλ)_i) − yᵀλ (ψ*(z) = Σ e^z, z₀ = log θ₀).
 *
 * Boundary case: if interpolants with θ ≥ 0 exist but none with θ > 0, the infimum is not
 * attained; coordinates forced to 0 decay like θ₀ᵢe^{(Xᵀλ)ᵢ} along the Newton path, so the
 * residual tolerance is usually met and the closure point (with those θᵢ ≈ 0) is returned.
 * Inspect min θᵢ if that distinction matters.
 *
 * @param theta0 strictly positive starting point (length p)
 * @throws Error if θ₀ is not > 0, or no non-negative interpolant exists (Newton does not
 *   converge), with the residual reached in the message.
 */
export function minRelativeEntropyInterpolant(
  X: Mat,
  y: Vec,
  theta0: Vec,
  opts: BregmanDualOptions = {},
): BregmanDualResult {
  const who = 'minRelativeEntropyInterpolant';
  const { p } = shapeOf(X, y, who);
  checkLength(theta0, p, 'theta0', who);
  theta0.forEach((v, j) => {
    if (!(v > 0)) throw new Error(`${who}: theta0 must be strictly positive (theta0[${j}] = ${v})`);
  });
  const z0 = theta0.map(Math.log);
  return solveBregmanDual(
    X,
    y,
    z0,
    (z) => {
      const e = z.map(Math.exp);
      return { value: e.reduce((a, b) => a + b, 0), grad: e, hessDiag: e };
    },
    who,
    'no strictly positive θ with Xθ = y was found — the constraints Xθ = y, θ > 0 look infeasible',
    opts,
  );
}

function lpNorm(v: Vec, p: number): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  if (m === 0) return 0;
  let s = 0;
  for (const x of v) s += Math.pow(Math.abs(x) / m, p);
  return m * Math.pow(s, 1 / p);
}

/**
 * Mirror map of ψ(θ) = ½‖θ‖_r²: ∇ψ(θ) = ‖θ‖_r^{2−r} sign(θ)|θ|^{r−1} (0 at θ = 0). With r = q
 * (the conjugate exponent) this is also ∇ψ*, since ψ*(z) = ½‖z‖_q² with 1/p + 1/q = 1.
 */
export function halfSquaredNormGradient(v: Vec, r: number): number[] {
  const nv = lpNorm(v, r);
  if (nv === 0) return v.map(() => 0);
  // Work with u = v/‖v‖_r (‖u‖_r = 1) for overflow safety: ∇ = ‖v‖_r · sign(u)|u|^{r−1}.
  return v.map((x) => nv * Math.sign(x) * Math.pow(Math.abs(x) / nv, r - 1));
}

/** D_ψ(θ, θ₀) for ψ = ½‖·‖_p²: ψ(θ) − ψ(θ₀) − ⟨∇ψ(θ₀), θ − θ₀⟩. */
export function bregmanDivergenceLp(theta: Vec, theta0: Vec, p: number): number {
  const g0 = halfSquaredNormGradient(theta0, p);
  let inner = 0;
  for (let i = 0; i < theta.length; i++) inner += g0[i] * (theta[i] - theta0[i]);
  return 0.5 * lpNorm(theta, p) ** 2 - 0.5 * lpNorm(theta0, p) ** 2 - inner;
}

/**
 * Bregman projection for the p-norm potential ψ(θ) = ½‖θ‖_p², p ∈ (1, 2] — the limit of
 * p-norm mirror descent (∇ψ(θ_{t+1}) = ∇ψ(θ_t) − η∇L) from θ₀ on an interpolating loss:
 *   θ⋆ = argmin D_ψ(θ, θ₀)  s.t.  Xθ = y.
 * Optimality: ∇ψ(θ⋆) = ∇ψ(θ₀) + Xᵀλ. Dual Newton on F(λ) = ½‖z₀ + Xᵀλ‖_q² − yᵀλ with
 * q = p/(p−1) ≥ 2, using ∇²ψ*(z) = (q−1) diag(|u|^{q−2}) + (2−q) g gᵀ, u = z/‖z‖_q,
 * g = sign(u)|u|^{q−1} (ψ* is 2-homogeneous so its Hessian depends on z only through u).
 * p = 2 gives the Euclidean projection (= closestInterpolant); p → 1 approaches min-ℓ1.
 *
 * @throws Error if p ∉ (1, 2] or Newton does not converge (X must have full row rank).
 */
export function minPotentialInterpolantLp(
  X: Mat,
  y: Vec,
  p: number,
  theta0: Vec,
  opts: BregmanDualOptions = {},
): BregmanDualResult {
  const who = 'minPotentialInterpolantLp';
  const dims = shapeOf(X, y, who);
  checkLength(theta0, dims.p, 'theta0', who);
  if (!(p > 1 && p <= 2)) throw new Error(`${who}: p must lie in (1, 2] (got ${p})`);
  const q = p / (p - 1);
  const z0 = halfSquaredNormGradient(theta0, p);
  return solveBregmanDual(
    X,
    y,
    z0,
    (z) => {
      const nz = lpNorm(z, q);
      if (nz === 0) {
        // ψ* is not twice differentiable at 0; any positive definite proxy gives a descent step.
        return { value: 0, grad: z.map(() => 0), hessDiag: z.map(() => 1) };
      }
      const u = z.map((v) => v / nz);
      const g = u.map((v) => Math.sign(v) * Math.pow(Math.abs(v), q - 1));
      return {
        value: 0.5 * nz * nz,
        grad: g.map((v) => nz * v),
        hessDiag: u.map((v) => (q - 1) * Math.pow(Math.abs(v), q - 2)),
        rank1: { coef: 2 - q, vec: g },
      };
    },
    who,
    'no interpolant was found (X must have full row rank and y must lie in its range)',
    opts,
  );
}

/**
 * Hyperbolic entropy ψ_β(θ) = Σ θ_i arcsinh(θ_i/2β) − √(θ_i² + 4β²), β > 0 (Ghai et al. 2020):
 * the potential of signed EG± (w⁺ − w⁻ with w⁺w⁻ = β²) and, with β = α², of gradient flow on the
 * diagonal network θ = u⊙u − v⊙v from u₀ = v₀ = α·1 (Woodworth et al. 2020, whose Q_α is
 * D_ψ(θ, 0) up to the factor in q). Returns the Bregman projection of θ₀ onto Xθ = y:
 *   argmin D_ψβ(θ, θ₀)  s.t.  Xθ = y.
 * Optimality: arcsinh(θ⋆/2β) = arcsinh(θ₀/2β) + Xᵀλ; dual Newton with ψ*(z) = Σ 2β cosh z_i.
 * β → 0 approaches the minimum-ℓ1 interpolant (from θ₀ = 0), β → ∞ the closest-ℓ2 one.
 */
export function minHyperbolicEntropyInterpolant(
  X: Mat,
  y: Vec,
  beta: number,
  theta0?: Vec,
  opts: BregmanDualOptions = {},
): BregmanDualResult {
  const who = 'minHyperbolicEntropyInterpolant';
  const dims = shapeOf(X, y, who);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`${who}: beta must be a finite number > 0 (got ${beta})`);
  const start = theta0 ?? new Array<number>(dims.p).fill(0);
  checkLength(start, dims.p, 'theta0', who);
  const z0 = start.map((t) => Math.asinh(t / (2 * beta)));
  return solveBregmanDual(
    X,
    y,
    z0,
    (z) => {
      const s = z.map((v) => 2 * beta * Math.sinh(v));
      const c = z.map((v) => 2 * beta * Math.cosh(v));
      return { value: c.reduce((a, b) => a + b, 0), grad: s, hessDiag: c };
    },
    who,
    'no interpolant was found (X must have full row rank and y must lie in its range)',
    opts,
  );
}
