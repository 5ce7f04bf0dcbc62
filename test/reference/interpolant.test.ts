import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { closestInterpolant, minNormInterpolant } from '../../src/reference/interpolant.ts';
import { createRng } from '../../src/util/rng.ts';
import { diff, l2, maxAbs, mv, nullDirection, randomMatrix, randomVector, rowSpaceResidual } from './helpers.ts';

describe('minNormInterpolant', () => {
  it('matches hand-worked 2-D and 3-D cases', () => {
    // X = [1 1], y = 2: θ = Xᵀ(XXᵀ)⁻¹y = (1, 1)·2/2 = (1, 1).
    const a = minNormInterpolant([[1, 1]], [2]);
    expect(a.theta[0]).toBeCloseTo(1, 14);
    expect(a.theta[1]).toBeCloseTo(1, 14);
    // X = [[1,0,0],[0,1,1]], y = (1, 2): first row fixes θ1 = 1; the second wants θ2 + θ3 = 2 with
    // least ‖(θ2, θ3)‖, i.e. θ2 = θ3 = 1.
    const b = minNormInterpolant([[1, 0, 0], [0, 1, 1]], [1, 2]);
    b.theta.forEach((v) => expect(v).toBeCloseTo(1, 14));
    // XXᵀ = diag(1, 2) → σ = (√2, 1) → condition √2.
    expect(b.condition).toBeCloseTo(Math.SQRT2, 12);
  });

  it('interpolates, lies in row(X), and beats every other interpolant (n=20, p=50)', () => {
    const rng = createRng(11);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const { theta, residual } = minNormInterpolant(X, y);
    expect(residual).toBeLessThan(1e-12);
    expect(maxAbs(diff(mv(X, theta), y))).toBeLessThan(1e-12);
    expect(rowSpaceResidual(X, theta)).toBeLessThan(1e-12);
    // Independent formula Xᵀ(XXᵀ)⁻¹y via an LU solve of the Gram matrix.
    const M = new Matrix(X);
    const alpha = solve(M.mmul(M.transpose()), Matrix.columnVector(y)).to1DArray();
    const ref = M.transpose().mmul(Matrix.columnVector(alpha)).to1DArray();
    expect(maxAbs(diff(theta, ref))).toBeLessThan(1e-10);
    for (let k = 0; k < 20; k++) {
      const d = nullDirection(rng, X);
      const other = theta.map((v, j) => v + 0.1 * d[j]);
      expect(l2(other)).toBeGreaterThan(l2(theta));
    }
  });

  it('throws clear errors for n > p and for singular / ill-conditioned XXᵀ', () => {
    expect(() => minNormInterpolant([[1], [2]], [1, 2])).toThrow(/more rows than columns/);
    // Duplicate rows: XXᵀ singular.
    expect(() => minNormInterpolant([[1, 2, 3], [1, 2, 3]], [1, 1])).toThrow(/singular or ill-conditioned/);
    // Rows differing by 1e-12: cond(X) ≈ 1e12 > default 1e8.
    expect(() => minNormInterpolant([[1, 0, 0], [1, 1e-12, 0]], [1, 1])).toThrow(/ill-conditioned/);
    expect(() => minNormInterpolant([[1, 2]], [1, 2])).toThrow(/y has length 2/);
  });
});

describe('closestInterpolant', () => {
  it('matches a hand-worked case', () => {
    // X = [1 1], y = 2, θ₀ = (3, 0): residual y − Xθ₀ = −1, correction (1,1)·(−1)/2 → (2.5, −0.5).
    const { theta } = closestInterpolant([[1, 1]], [2], [3, 0]);
    expect(theta[0]).toBeCloseTo(2.5, 14);
    expect(theta[1]).toBeCloseTo(-0.5, 14);
  });

  it('is the GD limit: θ − θ₀ ∈ row(X), interpolates, nearest to θ₀ (n=20, p=50)', () => {
    const rng = createRng(12);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const theta0 = randomVector(rng, 50);
    const { theta, residual } = closestInterpolant(X, y, theta0);
    expect(residual).toBeLessThan(1e-12);
    expect(rowSpaceResidual(X, diff(theta, theta0))).toBeLessThan(1e-12);
    // A plain float64 GD loop on ½‖Xθ − y‖² from θ₀ lands on the same point.
    let t = [...theta0];
    for (let k = 0; k < 4000; k++) {
      const r = diff(mv(X, t), y);
      const g = new Array<number>(50).fill(0);
      X.forEach((row, i) => row.forEach((x, j) => (g[j] += x * r[i])));
      t = t.map((v, j) => v - 0.004 * g[j]);
    }
    expect(maxAbs(diff(t, theta))).toBeLessThan(1e-8);
    for (let k = 0; k < 10; k++) {
      const d = nullDirection(rng, X);
      expect(l2(diff(theta.map((v, j) => v + 0.05 * d[j]), theta0))).toBeGreaterThan(l2(diff(theta, theta0)));
    }
  });
});
