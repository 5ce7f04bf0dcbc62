import { describe, expect, it } from 'vitest';
import { closestInterpolant } from '../../src/reference/interpolant.ts';
import {
  bregmanDivergenceLp,
  halfSquaredNormGradient,
  minPotentialInterpolantLp,
  minRelativeEntropyInterpolant,
  relativeEntropy,
} from '../../src/reference/mirror.ts';
import { createRng } from '../../src/util/rng.ts';
import { diff, maxAbs, mv, nullDirection, randomMatrix, randomVector, rowSpaceResidual } from './helpers.ts';

describe('minRelativeEntropyInterpolant', () => {
  it('matches hand-worked 2-D problems', () => {
    // Σθ = 2 from θ₀ = (1, 3): log(θ/θ₀) = λ(1, 1) → θ = e^λ θ₀ (a rescaling), e^λ·4 = 2 → (0.5, 1.5).
    const a = minRelativeEntropyInterpolant([[1, 1]], [2], [1, 3]);
    expect(a.theta[0]).toBeCloseTo(0.5, 12);
    expect(a.theta[1]).toBeCloseTo(1.5, 12);
    // θ1 = θ2 from θ₀ = (1, 4): θ = (e^λ, 4e^{−λ}), equal when e^{2λ} = 4 → (2, 2), the geometric mean.
    const b = minRelativeEntropyInterpolant([[1, -1]], [0], [1, 4]);
    expect(b.theta[0]).toBeCloseTo(2, 12);
    expect(b.theta[1]).toBeCloseTo(2, 12);
    expect(b.lambda[0]).toBeCloseTo(Math.log(2), 12);
  });

  it('satisfies log(θ/θ₀) ∈ row(X), Xθ = y, θ > 0, and is the divergence minimiser (n=20, p=50)', () => {
    const rng = createRng(61);
    const X = randomMatrix(rng, 20, 50);
    const theta0 = Array.from({ length: 50 }, () => Math.exp(0.5 * rng.normal()));
    // y generated from a positive θ so a positive interpolant exists.
    const y = mv(X, Array.from({ length: 50 }, () => Math.exp(rng.normal())));
    const { theta, residual, iterations } = minRelativeEntropyInterpolant(X, y, theta0);
    expect(iterations).toBeGreaterThan(0);
    expect(residual).toBeLessThan(1e-10);
    expect(maxAbs(diff(mv(X, theta), y))).toBeLessThan(1e-10);
    expect(Math.min(...theta)).toBeGreaterThan(0);
    expect(rowSpaceResidual(X, theta.map((v, j) => Math.log(v / theta0[j])))).toBeLessThan(1e-10);
    const D = relativeEntropy(theta, theta0);
    for (let k = 0; k < 50; k++) {
      const d = nullDirection(rng, X);
      // Stay inside θ > 0: the step is at most half the distance to the boundary along d.
      const room = Math.min(...theta.map((v, j) => (d[j] < 0 ? -v / d[j] : Infinity)));
      const step = 0.5 * room * rng.next();
      const other = theta.map((v, j) => v + step * d[j]);
      expect(relativeEntropy(other, theta0)).toBeGreaterThanOrEqual(D - 1e-12);
    }
  });

  it('throws when no positive interpolant exists, and for non-positive θ₀', () => {
    // θ1 + θ2 = −1 has no positive solution.
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [-1], [1, 1])).toThrow(/no strictly positive θ/);
    expect(() => minRelativeEntropyInterpolant([[1, 1], [1, 2]], [1, -1], [1, 1])).toThrow(/no strictly positive θ/);
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [1], [1, 0])).toThrow(/strictly positive/);
  });
});

describe('minRelativeEntropyInterpolant on the boundary', () => {
  it('returns the closure point when the only interpolants have zeros (documented behaviour)', () => {
    // θ1 = 1, θ1 + θ2 = 1 forces θ2 = 0: the infimum is not attained in θ > 0, but θ2 = θ₀₂e^{λ₂}
    // decays geometrically along the Newton path, so the residual tolerance is met with θ2 ≈ 0.
    const r = minRelativeEntropyInterpolant([[1, 0], [1, 1]], [1, 1], [1, 1]);
    expect(r.theta[0]).toBeCloseTo(1, 10);
    expect(r.theta[1]).toBeLessThan(1e-9);
  });
});

describe('minPotentialInterpolantLp', () => {
  it('matches a hand-worked Hölder case from θ₀ = 0', () => {
    // min ½‖θ‖_p² s.t. θ1 + 2θ2 = 2 with p = 3/2 (q = 3): optimality ∇ψ(θ) ∝ (1, 2) means
    // |θ|^{1/2} ∝ (1, 2), θ = c(1, 4); c(1 + 8) = 2 → θ = (2/9, 8/9).
    const r = minPotentialInterpolantLp([[1, 2]], [2], 1.5, [0, 0]);
    expect(r.theta[0]).toBeCloseTo(2 / 9, 12);
    expect(r.theta[1]).toBeCloseTo(8 / 9, 12);
  });

  it('reduces to the Euclidean projection for p = 2', () => {
    const rng = createRng(71);
    const X = randomMatrix(rng, 10, 30);
    const y = randomVector(rng, 10);
    const theta0 = randomVector(rng, 30);
    const r = minPotentialInterpolantLp(X, y, 2, theta0);
    expect(maxAbs(diff(r.theta, closestInterpolant(X, y, theta0).theta))).toBeLessThan(1e-10);
  });

  it('satisfies ∇ψ(θ) − ∇ψ(θ₀) ∈ row(X), Xθ = y and minimises D_ψ (n=20, p=50)', () => {
    const rng = createRng(72);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const theta0 = randomVector(rng, 50);
    for (const p of [1.5, 1.2]) {
      const { theta, residual } = minPotentialInterpolantLp(X, y, p, theta0);
      expect(residual).toBeLessThan(1e-10);
      const g = halfSquaredNormGradient(theta, p);
      const g0 = halfSquaredNormGradient(theta0, p);
      expect(rowSpaceResidual(X, diff(g, g0))).toBeLessThan(1e-9);
      const D = bregmanDivergenceLp(theta, theta0, p);
      for (let k = 0; k < 50; k++) {
        const d = nullDirection(rng, X);
        const step = 10 ** (-3 + 3 * rng.next());
        const other = theta.map((v, j) => v + step * d[j]);
        expect(bregmanDivergenceLp(other, theta0, p)).toBeGreaterThanOrEqual(D - 1e-12);
      }
    }
  });

  it('rejects p outside (1, 2]', () => {
    expect(() => minPotentialInterpolantLp([[1, 2]], [2], 1, [0, 0])).toThrow(/p must lie in \(1, 2\]/);
    expect(() => minPotentialInterpolantLp([[1, 2]], [2], 3, [0, 0])).toThrow(/p must lie in \(1, 2\]/);
  });
});
