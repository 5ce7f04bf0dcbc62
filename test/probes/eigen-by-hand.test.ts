/**
 * The eigen probes on matrices small enough to work by hand: diagonal and block-diagonal
 * matrices (eigenpairs known exactly), 2×2 and 3×3 tridiagonals with closed-form spectra, and
 * Lanczos runs whose α, β and basis are computed by hand from the three-term recurrence.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultBroadening, densityGrid, densityMoment, densityOnGrid, lanczos, lanczosTopEigenvalues, perLayerLambdaMax,
  powerIteration, spectralDensityFigure, spectralDensitySLQ, topEigenvalues, tridiagonalEigen, type SpectralDensity,
} from '../../src/probes/eigen.ts';
import { denseOperator, type HessianOperator } from '../../src/probes/operator.ts';
import { createRng } from '../../src/util/rng.ts';

const diag = (d: number[]): Float64Array => {
  const p = d.length;
  const h = new Float64Array(p * p);
  d.forEach((x, i) => { h[i * p + i] = x; });
  return h;
};
const unit = (p: number, i: number): Float64Array => { const e = new Float64Array(p); e[i] = 1; return e; };
/** |⟨a, b⟩| for unit vectors: 1 when they span the same line. */
const alignment = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0; let na = 0; let nb = 0;
  for (let i = 0; i < a.length; i++) { s += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return Math.abs(s) / Math.sqrt(na * nb);
};
/** ‖Hu − λu‖ / |λ| computed directly from the dense matrix. */
const residual = (h: Float64Array, p: number, u: ArrayLike<number>, lambda: number): number => {
  let r2 = 0;
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += h[i * p + j] * u[j];
    r2 += (s - lambda * u[i]) ** 2;
  }
  return Math.sqrt(r2) / Math.abs(lambda);
};

describe('powerIteration on diagonal matrices', () => {
  it('finds the k largest-magnitude eigenvalues (a negative one included) with the coordinate vectors, and counts every product', () => {
    const d = [1, -6, 0.5, 4, 2];
    const op = denseOperator(diag(d), 5);
    const r = powerIteration(op, { k: 3, tol: 1e-12, maxIterations: 2000, rng: createRng(1) });
    expect(r.method).toBe('power');
    expect(r.hvp).toBe('dense');
    expect(r.converged).toBe(true);
    expect(r.eigenvalues.length).toBe(3);
    [-6, 4, 2].forEach((l, i) => expect(r.eigenvalues[i]).toBeCloseTo(l, 8));
    [1, 3, 4].forEach((axis, i) => expect(alignment(r.eigenvectors[i], unit(5, axis))).toBeCloseTo(1, 8));
    r.eigenvectors.forEach((v) => expect(Math.hypot(...v)).toBeCloseTo(1, 12));
    // one extra product per eigenvalue for the final Rayleigh quotient
    expect(r.matvecs).toBe(r.iterations + 3);
    expect(op.matvecs).toBe(r.matvecs);
    // convergence needs at least two iterations per eigenvalue, and far fewer than the cap
    expect(r.iterations).toBeGreaterThanOrEqual(6);
    expect(r.iterations).toBeLessThan(1000);
    // the residual of the deflated operator: Hu − λu with the earlier vectors projected out
    // (for the first pair, plain ‖Hu − λu‖/|λ|)
    r.eigenvectors.forEach((v, i) => {
      const res = v.map((x, j) => d[j] * x - r.eigenvalues[i] * x);
      for (let pass = 0; pass < 2; pass++) for (const q of r.eigenvectors.slice(0, i)) {
        const c = q.reduce((t, x, j) => t + x * res[j], 0);
        q.forEach((x, j) => { res[j] -= c * x; });
      }
      expect(r.relativeResiduals[i]).toBeLessThan(1e-5);
      expect(r.relativeResiduals[i]).toBeCloseTo(Math.hypot(...res) / Math.abs(r.eigenvalues[i]), 12);
    });
    expect(r.relativeResiduals[0]).toBeCloseTo(residual(diag(d), 5, r.eigenvectors[0], r.eigenvalues[0]), 12);
  });

  it('the reported residual is ‖Hu − λu‖/|λ| at the returned pair when stopped early (not 0)', () => {
    const h = diag([3, 2.9, 1]); // ratio 0.97: far from converged after 5 iterations
    const r = powerIteration(denseOperator(h, 3), { k: 1, tol: 1e-14, maxIterations: 5, rng: createRng(2) });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(5);
    expect(r.matvecs).toBe(6);
    const u = r.eigenvectors[0];
    // λ is the Rayleigh quotient uᵀHu at the returned (unit) vector
    const rq = 3 * u[0] ** 2 + 2.9 * u[1] ** 2 + u[2] ** 2;
    expect(r.eigenvalues[0]).toBeCloseTo(rq, 12);
    const direct = residual(h, 3, u, r.eigenvalues[0]);
    expect(direct).toBeGreaterThan(1e-4);
    expect(r.relativeResiduals[0]).toBeCloseTo(direct, 12);
  });

  it('k above the dimension returns p eigenvalues; the zero matrix gives λ = 0, converged, in one iteration each', () => {
    const r = powerIteration(denseOperator(diag([2, -1]), 2), { k: 5, tol: 1e-12, rng: createRng(3) });
    expect(r.eigenvalues.length).toBe(2);
    expect(r.eigenvalues[0]).toBeCloseTo(2, 10);
    expect(r.eigenvalues[1]).toBeCloseTo(-1, 10);
    const z = powerIteration(denseOperator(new Float64Array(9), 3), { k: 2, rng: createRng(4) });
    expect(z.eigenvalues).toEqual([0, 0]);
    expect(z.converged).toBe(true);
    expect(z.iterations).toBe(2);
    expect(z.relativeResiduals).toEqual([0, 0]);
    // the returned vectors are unit vectors even when the first product is already 0 (the second
    // start is orthogonalised against the first vector, so it must be renormalised)
    z.eigenvectors.forEach((v) => expect(Math.hypot(...v)).toBeCloseTo(1, 12));
  });

  it('the stopping rule is relative: H and 10⁴·H take the same iterations (power) and Krylov steps (Lanczos), with eigenvalues ×10⁴', () => {
    const d = [3, 2.5, 1, 0.5, -0.2];
    const wide = [100, 5, ...Array.from({ length: 28 }, (_, i) => 4.9 - i * 0.15)];
    const run = (scale: number) => ({
      power: powerIteration(denseOperator(diag(d.map((x) => scale * x)), 5), { k: 2, tol: 1e-6, rng: createRng(21) }),
      lanczos: lanczosTopEigenvalues(denseOperator(diag(wide.map((x) => scale * x)), 30), { k: 1, tol: 1e-6, rng: createRng(22) }),
    });
    const one = run(1);
    const big = run(1e4);
    expect(big.power.iterations).toBe(one.power.iterations);
    expect(big.lanczos.iterations).toBe(one.lanczos.iterations);
    expect(one.lanczos.iterations).toBeLessThan(10); // the tolerance, not the dimension, stopped it
    one.power.eigenvalues.forEach((l, i) => expect(big.power.eigenvalues[i] / (1e4 * l)).toBeCloseTo(1, 10));
  });

  it('matvecs counts only this call\'s products on an operator that has been used before', () => {
    const op = denseOperator(diag([4, 1, 0.5]), 3);
    op.apply(new Float64Array(3));
    op.apply(new Float64Array(3));
    const pw = powerIteration(op, { k: 1, tol: 1e-10, rng: createRng(23) });
    expect(pw.matvecs).toBe(pw.iterations + 1);
    const before = op.matvecs;
    const lz = lanczosTopEigenvalues(op, { k: 1, tol: 1e-10, rng: createRng(24) });
    expect(lz.matvecs).toBe(lz.iterations);
    expect(op.matvecs).toBe(before + lz.iterations);
  });

  it('defaults: k = 1 and the loose default tolerance 1e-6 still gives λ_max to ~1e-6', () => {
    const op = denseOperator(diag([5, 1, 0.5]), 3);
    const r = powerIteration(op, { rng: createRng(5) });
    expect(r.eigenvalues.length).toBe(1);
    expect(Math.abs(r.eigenvalues[0] - 5)).toBeLessThan(5e-5);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThan(30);
  });

  it('maxIterations defaults to 1000 per eigenvalue (a slowly converging case stops there, unconverged)', () => {
    // ratio 0.999: after 1000 steps the Rayleigh quotient still changes by ~1e-7·λ per step ≫ tol·λ
    const r = powerIteration(denseOperator(diag([1, 0.999]), 2), { k: 1, tol: 1e-15, rng: createRng(6) });
    expect(r.iterations).toBe(1000);
    expect(r.converged).toBe(false);
  });
});

describe('tridiagonalEigen against closed forms', () => {
  it('[[2,1],[1,2]]: eigenvalues 1 and 3 (ascending) with eigenvectors (1,−1)/√2 and (1,1)/√2 as columns', () => {
    const { values, vectors } = tridiagonalEigen([2, 2], [1]);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(3, 12);
    expect(alignment([vectors[0][0], vectors[1][0]], [1, -1])).toBeCloseTo(1, 12);
    expect(alignment([vectors[0][1], vectors[1][1]], [1, 1])).toBeCloseTo(1, 12);
  });

  it('the path graph on 3 nodes: −√2, 0, √2, with eigenvectors (1, ∓√2, 1)/2 and (1, 0, −1)/√2', () => {
    const { values, vectors } = tridiagonalEigen([0, 0, 0], [1, 1]);
    [-Math.SQRT2, 0, Math.SQRT2].forEach((l, i) => expect(values[i]).toBeCloseTo(l, 12));
    const col = (i: number) => vectors.map((row) => row[i]);
    expect(alignment(col(0), [1, -Math.SQRT2, 1])).toBeCloseTo(1, 12);
    expect(alignment(col(1), [1, 0, -1])).toBeCloseTo(1, 12);
    expect(alignment(col(2), [1, Math.SQRT2, 1])).toBeCloseTo(1, 12);
  });

  it('an unsorted diagonal is returned sorted with its coordinate vectors', () => {
    const { values, vectors } = tridiagonalEigen([3, -1, 2], [0, 0]);
    expect(values).toEqual([-1, 2, 3]);
    expect(vectors.map((row) => row.map(Math.abs))).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  });
});

describe('lanczos: the recurrence by hand', () => {
  it('diag(1, 3, 5, 7) from (1, 1, 0, 0): α = [2, 2], β₁ = 1, then invariant (the start lies in a 2-dim invariant subspace)', () => {
    const op = denseOperator(diag([1, 3, 5, 7]), 4);
    const run = lanczos(op, Float64Array.from([1, 1, 0, 0]), 10);
    expect(run.alpha.length).toBe(2);
    expect(run.alpha[0]).toBeCloseTo(2, 12);
    expect(run.alpha[1]).toBeCloseTo(2, 12);
    expect(run.beta[0]).toBeCloseTo(1, 12);
    expect(run.beta[1]).toBeLessThan(1e-12);
    expect(run.invariant).toBe(true);
    expect(run.basis.length).toBe(2);
    expect(alignment(run.basis[0], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(Math.hypot(...run.basis[0])).toBeCloseTo(1, 12);
    expect(alignment(run.basis[1], [-1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(op.matvecs).toBe(2);
  });

  it('diag(1, 2, 3) from (1, 1, 1): α₁ = 2, β₁ = √(2/3); α₂ = 2, β₂ = 1/√3; α₃ = 2; three orthonormal basis vectors', () => {
    // q₁ = (1,1,1)/√3; Hq₁ − 2q₁ = (−1,0,1)/√3 (norm √(2/3)); q₂ = (−1,0,1)/√2, α₂ = 2;
    // Hq₂ − 2q₂ − β₁q₁ = (1,−2,1)/(3√2)·… with norm 1/√3; q₃ = (1,−2,1)/√6, α₃ = 2.
    const run = lanczos(denseOperator(diag([1, 2, 3]), 3), Float64Array.from([2, 2, 2]), 3);
    expect(run.alpha.map((a) => +a.toFixed(12))).toEqual([2, 2, 2]);
    expect(run.beta[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(run.beta[1]).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(run.basis.length).toBe(3);
    expect(alignment(run.basis[2], [1, -2, 1])).toBeCloseTo(1, 12);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const d = run.basis[i].reduce((t, x, k) => t + x * run.basis[j][k], 0);
      expect(d).toBeCloseTo(i === j ? 1 : 0, 12);
    }
    // the Ritz values of the full run are the eigenvalues 1, 2, 3
    const { values } = tridiagonalEigen(run.alpha, run.beta.slice(0, 2));
    [1, 2, 3].forEach((l, i) => expect(values[i]).toBeCloseTo(l, 12));
  });

  it('maxSteps caps the run (no basis vector beyond it), and onStep returning true stops after that step', () => {
    const op = denseOperator(diag([1, 2, 3, 4, 5, 6]), 6);
    const v = Float64Array.from([1, 1, 1, 1, 1, 1]);
    const capped = lanczos(op, v, 3);
    expect(capped.alpha.length).toBe(3);
    expect(capped.basis.length).toBe(3);
    expect(capped.invariant).toBe(false);
    const seen: number[] = [];
    const stopped = lanczos(op, v, 6, (r) => { seen.push(r.alpha.length); return r.alpha.length === 2; });
    expect(seen).toEqual([1, 2]);
    expect(stopped.alpha.length).toBe(2);
    expect(stopped.basis.length).toBe(2);
  });

  it('β is judged relative to |α|: 1e-6 relative is a genuine direction, 1e-12 relative is invariance', () => {
    // [[a, b, 0], [b, a, 0], [0, 0, 1]] from e₁: α₁ = a, β₁ = |b|
    const m = (a: number, b: number) => new Float64Array([a, b, 0, b, a, 0, 0, 0, 1]);
    const genuine = lanczos(denseOperator(m(1, 1e-6), 3), unit(3, 0), 1);
    expect(genuine.invariant).toBe(false);
    expect(genuine.beta[0]).toBeCloseTo(1e-6, 15);
    const large = lanczos(denseOperator(m(1e4, 1e-8), 3), unit(3, 0), 3);
    expect(large.invariant).toBe(true);
    expect(large.alpha.length).toBe(1);
    expect(large.basis.length).toBe(1);
  });

  it('invariance is judged against the largest α or earlier β: α = 0, β₁ = 1 and a tiny β₂ still stops', () => {
    // [[0,1,0],[1,0,ε],[0,ε,0]] from e₁: α₁ = 0, β₁ = 1, α₂ = 0, β₂ = ε = 1e-12 ≤ 1e-10·max(|α₂|, β₁)
    const h = new Float64Array([0, 1, 0, 1, 0, 1e-12, 0, 1e-12, 0]);
    const run = lanczos(denseOperator(h, 3), unit(3, 0), 3);
    expect(run.invariant).toBe(true);
    expect(run.alpha.length).toBe(2);
  });

  it('… against every earlier β, not only β₁: a tridiagonal with β = (1e-3, 1, 1e-12) stops at step 3', () => {
    // Lanczos from e₁ on a tridiagonal with zero diagonal and positive off-diagonals returns
    // exactly α = 0 and those β; at step 3, β₃ = 1e-12 ≤ 1e-10·max(|α₃|, β₁, β₂) = 1e-10, but > 1e-10·β₁.
    const p = 4;
    const h = new Float64Array(p * p);
    [1e-3, 1, 1e-12].forEach((b, i) => { h[i * p + i + 1] = b; h[(i + 1) * p + i] = b; });
    const run = lanczos(denseOperator(h, p), unit(p, 0), p);
    expect(run.beta.slice(0, 2).map((b) => +b.toPrecision(12))).toEqual([1e-3, 1]);
    expect(run.invariant).toBe(true);
    expect(run.alpha.length).toBe(3);
  });
});

describe('lanczosTopEigenvalues and topEigenvalues', () => {
  const d = [0.3, 9, -12, 4, 1, 7, 2, 0.1];
  const h = diag(d);

  it('top-3 algebraic eigenvalues (not by magnitude) with coordinate eigenvectors; converged within p steps', () => {
    const op = denseOperator(h, 8);
    const r = lanczosTopEigenvalues(op, { k: 3, tol: 1e-10, rng: createRng(7) });
    expect(r.method).toBe('lanczos');
    expect(r.hvp).toBe('dense');
    expect(r.converged).toBe(true);
    [9, 7, 4].forEach((l, i) => expect(r.eigenvalues[i]).toBeCloseTo(l, 9));
    [1, 5, 3].forEach((axis, i) => expect(alignment(r.eigenvectors[i], unit(8, axis))).toBeCloseTo(1, 8));
    r.eigenvectors.forEach((v, i) => {
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
      expect(r.relativeResiduals[i]).toBeLessThan(1e-8);
      expect(r.relativeResiduals[i]).toBeCloseTo(residual(h, 8, v, r.eigenvalues[i]), 9);
    });
    expect(r.iterations).toBeLessThanOrEqual(8);
    expect(r.matvecs).toBe(r.iterations);
    expect(op.matvecs).toBe(r.iterations);
  });

  it('a warm start on an eigenvector is exact after one product (invariant); k > p returns p values', () => {
    const warm = lanczosTopEigenvalues(denseOperator(h, 8), { k: 1, rng: createRng(8), start: unit(8, 1).map((x) => 3 * x) });
    expect(warm.iterations).toBe(1);
    expect(warm.eigenvalues).toEqual([9]);
    expect(warm.converged).toBe(true);
    expect(warm.relativeResiduals).toEqual([0]);
    expect(alignment(warm.eigenvectors[0], unit(8, 1))).toBe(1);
    const all = lanczosTopEigenvalues(denseOperator(diag([2, 5, -1]), 3), { k: 10, rng: createRng(9) });
    expect(all.eigenvalues.length).toBe(3);
    [5, 2, -1].forEach((l, i) => expect(all.eigenvalues[i]).toBeCloseTo(l, 10));
    expect(all.converged).toBe(true);
  });

  it('stops as soon as the top Ritz pair meets tol, not later; an unmet tol at maxSteps is unconverged', () => {
    // eigenvalues 100 and 1,…,1: from a start mixing both, the second Krylov vector already spans them.
    const p = 6;
    const m = diag([100, 1, 1, 1, 1, 1]);
    const loose = lanczosTopEigenvalues(denseOperator(m, p), { k: 1, tol: 1e-8, rng: createRng(10) });
    expect(loose.iterations).toBe(2);
    expect(loose.converged).toBe(true);
    expect(loose.eigenvalues[0]).toBeCloseTo(100, 10);
    const cap = lanczosTopEigenvalues(denseOperator(diag([10, 9.9, 9.8, 9.7, 9.6, 9.5, 9.4, 9.3, 1, 0.5]), 10), { k: 1, tol: 1e-14, maxSteps: 3, rng: createRng(11) });
    expect(cap.iterations).toBe(3);
    expect(cap.converged).toBe(false);
    expect(cap.relativeResiduals[0]).toBeGreaterThan(1e-6);
    expect(cap.relativeResiduals[0]).toBeCloseTo(residual(diag([10, 9.9, 9.8, 9.7, 9.6, 9.5, 9.4, 9.3, 1, 0.5]), 10, cap.eigenvectors[0], cap.eigenvalues[0]), 8);
  });

  it('converged only when checked: k = 3 with at most 2 steps never had k Ritz pairs to check, so it is not converged', () => {
    const r = lanczosTopEigenvalues(denseOperator(diag([8, 7, 6, 5, 4, 3, 2, 1]), 8), { k: 3, maxSteps: 2, tol: 1e-2, rng: createRng(25) });
    expect(r.iterations).toBe(2);
    expect(r.eigenvalues.length).toBe(2);
    expect(r.converged).toBe(false);
  });

  it('checks convergence from the first step: a start 1e-5 off the top eigenvector meets tol 1e-3 after one product', () => {
    // q = (1, 1e-5, 1e-5)/‖·‖ on diag(10, 1, 0.5): α₁ ≈ 10, residual β₁ ≈ 1.3e-4 ≤ 1e-3·α₁, but far above invariance
    const r = lanczosTopEigenvalues(denseOperator(diag([10, 1, 0.5]), 3), { k: 1, tol: 1e-3, rng: createRng(26), start: Float64Array.from([1, 1e-5, 1e-5]) });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(true);
    expect(r.relativeResiduals[0]).toBeGreaterThan(1e-6);
    expect(r.relativeResiduals[0]).toBeLessThan(1e-3);
  });

  it('with k = 2 it keeps going until the second pair has converged too', () => {
    // an isolated top eigenvalue (converges in a few steps) above a slow second one
    const m = diag([100, 5, ...Array.from({ length: 28 }, (_, i) => 4.9 - i * 0.15)]);
    const one = lanczosTopEigenvalues(denseOperator(m, 30), { k: 1, tol: 1e-6, rng: createRng(12) });
    const two = lanczosTopEigenvalues(denseOperator(m, 30), { k: 2, tol: 1e-6, rng: createRng(12) });
    expect(one.iterations).toBeLessThan(10);
    expect(two.iterations).toBeGreaterThan(one.iterations + 5);
    expect(two.eigenvalues[1]).toBeCloseTo(5, 5);
    expect(two.relativeResiduals[1]).toBeLessThanOrEqual(1e-6);
  });

  it('topEigenvalues dispatches on method (Lanczos by default; power on request, with its maxIterations)', () => {
    const m = diag([3, -5, 1]);
    expect(topEigenvalues(denseOperator(m, 3), { rng: createRng(13) }).method).toBe('lanczos');
    expect(topEigenvalues(denseOperator(m, 3), { rng: createRng(13) }).eigenvalues[0]).toBeCloseTo(3, 8);
    const pw = topEigenvalues(denseOperator(m, 3), { method: 'power', rng: createRng(13), tol: 1e-12 });
    expect(pw.method).toBe('power');
    expect(pw.eigenvalues[0]).toBeCloseTo(-5, 8); // largest magnitude
  });

  it('perLayerLambdaMax: the top eigenvalue of each diagonal block, not of the whole matrix', () => {
    // blocks [0,2): [[2,1],[1,2]] → 3; [2,5): diag(−4, 1, 0.5) → 1 (algebraic top). Off-block couplings ignored.
    const p = 5;
    const m = new Float64Array(p * p);
    const set = (i: number, j: number, x: number) => { m[i * p + j] = x; m[j * p + i] = x; };
    set(0, 0, 2); set(1, 1, 2); set(0, 1, 1);
    set(2, 2, -4); set(3, 3, 1); set(4, 4, 0.5);
    set(0, 3, 10); set(1, 4, 10);
    const op: HessianOperator = denseOperator(m, p);
    const blocks = [{ name: 'a', layer: 0, start: 0, end: 2 }, { name: 'b', layer: 1, start: 2, end: 5 }];
    const r = perLayerLambdaMax(op, blocks, { rng: createRng(14), tol: 1e-10, k: 3 });
    expect(r.map((b) => b.name)).toEqual(['a', 'b']);
    expect(r[0].lambdaMax).toBeCloseTo(3, 9);
    expect(r[1].lambdaMax).toBeCloseTo(1, 9);
    expect(r.map((b) => [b.start, b.end])).toEqual([[0, 2], [2, 5]]);
    r.forEach((b) => { expect(b.converged).toBe(true); expect(b.iterations).toBeLessThanOrEqual(b.end - b.start); });
  });
});

describe('stochastic Lanczos quadrature by hand', () => {
  it('from the all-ones start on diag(1, 2, 3, 4): nodes are the eigenvalues, each weight 1/4 (= (vᵀu_i)²)', () => {
    const op = denseOperator(diag([4, 2, 1, 3]), 4);
    const density = spectralDensitySLQ(op, { rng: createRng(15), startVectors: [Float64Array.from([1, 1, 1, 1]), Float64Array.from([2, 0, 0, 0])] });
    expect(density.runs).toBe(2);
    expect(density.steps).toBe(4); // default 40, capped at p
    expect(density.hvp).toBe('dense');
    [1, 2, 3, 4].forEach((l, i) => expect(density.nodes[0][i]).toBeCloseTo(l, 10));
    density.weights[0].forEach((w) => expect(w).toBeCloseTo(0.25, 10));
    // e₁ is an eigenvector: one node at 4 with weight 1
    expect(density.nodes[1].length).toBe(1);
    expect(density.nodes[1][0]).toBeCloseTo(4, 12);
    expect(density.weights[1][0]).toBeCloseTo(1, 12);
    expect(density.matvecs).toBe(5);
    // on an operator used before, only this call's products are counted
    expect(spectralDensitySLQ(op, { rng: createRng(15), startVectors: [Float64Array.from([2, 0, 0, 0])] }).matvecs).toBe(1);
    // moments: run 0 gives tr(H^k)/4, run 1 gives 4^k; the average of the two
    expect(densityMoment(density, 1)).toBeCloseTo((10 / 4 + 4) / 2, 10);
    expect(densityMoment(density, 2)).toBeCloseTo((30 / 4 + 16) / 2, 10);
  });

  it('defaults: 5 Rademacher runs of min(40, p) steps; each run is a quadrature of vᵀHv/p with weights summing to 1', () => {
    const d = [1, 2, 3, 4, 5, 6];
    const density = spectralDensitySLQ(denseOperator(diag(d), 6), { rng: createRng(16) });
    expect(density.runs).toBe(5);
    expect(density.nodes.length).toBe(5);
    expect(density.steps).toBe(6);
    density.weights.forEach((w, r) => {
      expect(w.reduce((t, x) => t + x, 0)).toBeCloseTo(1, 12);
      // a Rademacher start has (vᵀe_i)²/p = 1/6 for every i: the first moment is tr(H)/p exactly
      expect(density.nodes[r].reduce((t, x, j) => t + w[j] * x, 0)).toBeCloseTo(3.5, 10);
    });
    expect(spectralDensitySLQ(denseOperator(diag(d), 6), { rng: createRng(16), runs: 2, steps: 3 }).nodes.map((n) => n.length)).toEqual([3, 3]);
  });

  const hand: SpectralDensity = { nodes: [[0, 2], [1]], weights: [[0.25, 0.75], [1]], steps: 2, runs: 2, matvecs: 3, hvp: 'dense' };

  it('densityMoment: Σ_r Σ_j τ_rj θ_rj^k / runs', () => {
    expect(densityMoment(hand, 0)).toBeCloseTo(1, 15);
    expect(densityMoment(hand, 1)).toBeCloseTo((0.75 * 2 + 1) / 2, 15);
    expect(densityMoment(hand, 2)).toBeCloseTo((0.75 * 4 + 1) / 2, 15);
  });

  it('defaultBroadening is 1% of the node range, 1e-3 when all nodes coincide', () => {
    expect(defaultBroadening(hand)).toBeCloseTo(0.02, 15);
    expect(defaultBroadening({ ...hand, nodes: [[-3, 5]], weights: [[0.5, 0.5]], runs: 1 })).toBeCloseTo(0.08, 15);
    expect(defaultBroadening({ ...hand, nodes: [[1.5], [1.5]] })).toBe(1e-3);
  });

  it('densityOnGrid is the Gaussian mixture (1/runs) Σ τ N(t; θ, σ²) evaluated by hand', () => {
    const sigma = 0.5;
    const gauss = (t: number, m: number) => Math.exp(-((t - m) ** 2) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    const grid = [-1, 0, 0.7, 2, 3];
    const y = densityOnGrid(hand, grid, sigma);
    grid.forEach((t, i) => expect(y[i]).toBeCloseTo((0.25 * gauss(t, 0) + 0.75 * gauss(t, 2) + gauss(t, 1)) / 2, 12));
    // the default σ is the default broadening
    expect(densityOnGrid(hand, [0.5])[0]).toBeCloseTo(densityOnGrid(hand, [0.5], 0.02)[0], 15);
  });

  it('densityGrid spans [min − 5σ, max + 5σ] evenly with the requested number of points', () => {
    const g = densityGrid(hand, 11, 0.1);
    expect(g.length).toBe(11);
    expect(g[0]).toBeCloseTo(-0.5, 12);
    expect(g[10]).toBeCloseTo(2.5, 12);
    for (let i = 1; i < 11; i++) expect(g[i] - g[i - 1]).toBeCloseTo(0.3, 12);
    const byDefault = densityGrid(hand);
    expect(byDefault.length).toBe(1000);
    expect(byDefault[0]).toBeCloseTo(-0.1, 12); // σ = 0.02 by default
    expect(byDefault[999]).toBeCloseTo(2.1, 12);
  });

  it('the figure plots that density against eigenvalue on a symlog axis, and names runs, steps and σ', () => {
    const fig = spectralDensityFigure(hand);
    expect(fig.title).toMatch(/spectral density/i);
    expect(spectralDensityFigure(hand, 'mine').title).toBe('mine');
    expect(fig.panels.length).toBe(1);
    const panel = fig.panels[0];
    expect(panel.yScale).toBe('symlog');
    expect(panel.xLabel).toMatch(/eigenvalue/);
    expect(panel.yLabel).toMatch(/density/);
    expect(panel.title).toMatch(/^2 runs × 2 Lanczos steps, Gaussian σ = 0\.020$/);
    const s = panel.series[0];
    expect(s.x.length).toBe(800);
    expect(s.x[0]).toBeCloseTo(-0.1, 12);
    expect(s.x[799]).toBeCloseTo(2.1, 12);
    const i = 400;
    const t = s.x[i];
    const gauss = (m: number) => Math.exp(-((t - m) ** 2) / (2 * 0.02 ** 2)) / (0.02 * Math.sqrt(2 * Math.PI));
    expect(s.y[i]).toBeCloseTo((0.25 * gauss(0) + 0.75 * gauss(2) + gauss(1)) / 2, 10);
    expect(s.label).toMatch(/SLQ/);
  });

  it('a Hessian with a NaN entry is a clear error naming the Hessian-vector product, not a TypeError from the tridiagonal solver', () => {
    const h = [2, 0, 0, 0, Number.NaN, 0, 0, 0, 1];
    expect(() => lanczosTopEigenvalues(denseOperator(h, 3), { k: 1, rng: createRng(4) })).toThrow(/Hessian-vector product is not finite/);
    expect(() => tridiagonalEigen([1, Number.POSITIVE_INFINITY], [0.5])).toThrow(/not finite/);
    expect(() => tridiagonalEigen([1, 2], [Number.NaN])).toThrow(/not finite/);
  });
});
