import { describe, expect, it } from 'vitest';
import { minNormInterpolant } from '../../src/reference/interpolant.ts';
import { minL1Interpolant } from '../../src/reference/minL1.ts';
import { createRng } from '../../src/util/rng.ts';
import { diff, l1, maxAbs, mtv, mv, nullDirection, randomMatrix, randomVector } from './helpers.ts';

describe('minL1Interpolant', () => {
  it('matches hand-worked 2-D and 3-D problems with unique answers', async () => {
    // θ1 + 2θ2 = 2: the ℓ1 ball touches the line first on the axis with the larger coefficient,
    // θ = (0, 1), ‖θ‖₁ = 1 (vs 2 for (2, 0)).
    const a = await minL1Interpolant([[1, 2]], [2]);
    expect(a.theta[0]).toBeCloseTo(0, 12);
    expect(a.theta[1]).toBeCloseTo(1, 12);
    // θ1 + θ2 = 1, θ2 + θ3 = 1 → θ = (1 − t, t, 1 − t), ‖θ‖₁ = 2|1 − t| + |t|, minimised only at t = 1.
    const b = await minL1Interpolant([[1, 1, 0], [0, 1, 1]], [1, 1]);
    expect(b.theta[0]).toBeCloseTo(0, 12);
    expect(b.theta[1]).toBeCloseTo(1, 12);
    expect(b.theta[2]).toBeCloseTo(0, 12);
  });

  it('is feasible, certified by its dual, and unbeaten by other interpolants (n=20, p=50)', async () => {
    const rng = createRng(51);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const { theta, residual, dual, dualInfeasibility, dualityGap } = await minL1Interpolant(X, y);
    expect(residual).toBeLessThan(1e-10);
    expect(maxAbs(diff(mv(X, theta), y))).toBeLessThan(1e-10);
    // Certificate recomputed here: ‖Xᵀλ‖∞ ≤ 1 and yᵀλ = ‖θ‖₁ (weak duality makes this a proof).
    expect(maxAbs(mtv(X, dual))).toBeLessThan(1 + 1e-10);
    expect(Math.abs(y.reduce((s, v, i) => s + v * dual[i], 0) - l1(theta))).toBeLessThan(1e-9);
    expect(dualInfeasibility).toBeLessThan(1e-10);
    expect(Math.abs(dualityGap)).toBeLessThan(1e-9);
    // A vertex of {Xθ = y}: at most n nonzeros.
    expect(theta.filter((v) => Math.abs(v) > 1e-12).length).toBeLessThanOrEqual(20);
    expect(l1(theta)).toBeLessThanOrEqual(l1(minNormInterpolant(X, y).theta) + 1e-12);
    for (let k = 0; k < 200; k++) {
      const d = nullDirection(rng, X);
      const step = 10 ** (-3 + 3 * rng.next());
      expect(l1(theta.map((v, j) => v + step * d[j]))).toBeGreaterThanOrEqual(l1(theta) - 1e-12);
    }
  });

  it('throws when Xθ = y has no solution', async () => {
    await expect(minL1Interpolant([[1, 1], [1, 1]], [1, 2])).rejects.toThrow(/not in the range of X/);
  });
});
