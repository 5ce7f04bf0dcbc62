/**
 * Damped Newton on the dual of a Bregman projection onto {θ : Xθ = y}.
 *
 * Mirror descent with a Legendre potential ψ on a loss L(Xθ) keeps ∇ψ(θ_t) ∈ ∇ψ(θ₀) + row(X)
 * (each step adds −η Xᵀ(∂L)), so if it converges to an interpolant, that interpolant is
 *   θ⋆ = argmin D_ψ(θ, θ₀)  s.t.  Xθ = y,
 * characterised by ∇ψ(θ⋆) = ∇ψ(θ₀) + Xᵀλ and Xθ⋆ = y. Writing z₀ = ∇ψ(θ₀) and θ(λ) =
 * ∇ψ*(z₀ + Xᵀλ), λ minimises the smooth convex dual
 *   F(λ) = ψ*(z₀ + Xᵀλ) − yᵀλ,  ∇F = Xθ(λ) − y,  ∇²F = X ∇²ψ*(z) Xᵀ,
 * an n-dimensional problem (n ≪ p in the overparameterised regime). If no interpolant lies in
 * dom ψ (e.g. no positive θ for the entropy), F is unbounded below and Newton cannot drive
 * ∇F to 0 — reported as an error.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { add, dot, matTVec, matVec, normInf, sub, type Mat, type Vec } from './linalg.ts';

/** ψ* and its derivatives at z; the Hessian is diag(hessDiag) + rank1.coef · vec vecᵀ. */
export interface ConjugateEval {
  value: number;
  /** ∇ψ*(z), i.e. the primal point θ. */
  grad: number[];
  hessDiag: number[];
  rank1?: { coef: number; vec: number[] };
}

export interface BregmanDualOptions {
  /** Stop when ‖Xθ − y‖∞ ≤ tol · (1 + ‖y‖∞). Default 1e-11. */
  tol?: number;
  /** Default 200. */
  maxIterations?: number;
}

export interface BregmanDualResult {
  theta: number[];
  /** Dual variables λ with ∇ψ(θ) = ∇ψ(θ₀) + Xᵀλ. */
  lambda: number[];
  /** ‖Xθ − y‖∞ at the returned θ. */
  residual: number;
  iterations: number;
}

export function solveBregmanDual(
  X: Mat,
  y: Vec,
  z0: Vec,
  conj: (z: number[]) => ConjugateEval,
  who: string,
  failureHint: string,
  opts: BregmanDualOptions = {},
): BregmanDualResult {
  const n = X.length;
  const tol = (opts.tol ?? 1e-11) * (1 + normInf(y));
  const maxIterations = opts.maxIterations ?? 200;
  let lambda = new Array<number>(n).fill(0);
  let z = [...z0];
  let ev = conj(z);
  let F = ev.value;
  let grad = sub(matVec(X, ev.grad), y);
  let residual = normInf(grad);
  const fail = (why: string): never => {
    throw new Error(
      `${who}: ${failureHint} (dual Newton ${why}; residual ‖Xθ − y‖∞ = ${residual.toExponential(3)})`,
    );
  };
  for (let it = 0; ; it++) {
    if (!Number.isFinite(residual) || !Number.isFinite(F)) fail('hit a non-finite value');
    if (residual <= tol) return { theta: ev.grad, lambda, residual, iterations: it };
    if (it >= maxIterations) fail(`did not converge in ${maxIterations} iterations`);

    const step = newtonDirection(X, ev, grad);
    const slope = dot(grad, step);
    if (!(slope < 0)) fail('found no descent direction');
    // Backtracking (Armijo) on F. Near the solution F changes by less than its own rounding,
    // so a few ulps of slack let the (then quadratically convergent) full step through.
    let t = 1;
    for (;;) {
      const lNew = add(lambda, step.map((d) => t * d));
      const zNew = add(z0, matTVec(X, lNew));
      const evNew = conj(zNew);
      const FNew = evNew.value - dot(y, lNew);
      const slack = 64 * Number.EPSILON * Math.max(1, Math.abs(F), Math.abs(FNew));
      if (Number.isFinite(FNew) && FNew <= F + 1e-4 * t * slope + slack) {
        lambda = lNew;
        z = zNew;
        ev = evNew;
        F = FNew;
        break;
      }
      t /= 2;
      if (t < 1e-16) fail('line search stalled');
    }
    grad = sub(matVec(X, ev.grad), y);
    residual = normInf(grad);
  }
}

/** Solves (X H Xᵀ) d = −∇F, adding a Levenberg shift only if the Hessian is numerically singular. */
function newtonDirection(X: Mat, ev: ConjugateEval, grad: number[]): number[] {
  const n = X.length;
  const p = X[0].length;
  const M = Matrix.zeros(n, n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      const xa = X[a];
      const xb = X[b];
      for (let j = 0; j < p; j++) s += xa[j] * ev.hessDiag[j] * xb[j];
      M.set(a, b, s);
      M.set(b, a, s);
    }
  }
  if (ev.rank1 && ev.rank1.coef !== 0) {
    const Xg = matVec(X, ev.rank1.vec);
    // Fill both triangles from one product: ml-matrix's Cholesky demands exact symmetry.
    for (let a = 0; a < n; a++) {
      for (let b = 0; b <= a; b++) {
        const v = M.get(a, b) + ev.rank1.coef * Xg[a] * Xg[b];
        M.set(a, b, v);
        M.set(b, a, v);
      }
    }
  }
  const rhs = Matrix.columnVector(grad.map((g) => -g));
  let trace = 0;
  for (let a = 0; a < n; a++) trace += M.get(a, a);
  let shift = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const Ms = shift === 0 ? M : M.clone().add(Matrix.eye(n, n).mul(shift));
    const chol = new CholeskyDecomposition(Ms);
    if (chol.isPositiveDefinite()) {
      const d = chol.solve(rhs).to1DArray();
      if (d.every(Number.isFinite)) return d;
    }
    shift = shift === 0 ? 1e-14 * Math.max(trace / n, 1e-300) : shift * 10;
  }
  // Hessian useless (e.g. θ underflowed to 0): fall back to steepest descent.
  return grad.map((g) => -g);
}
