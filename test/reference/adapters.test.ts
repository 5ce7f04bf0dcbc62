import { describe, expect, it } from 'vitest';
import { solveLp } from '../../src/reference/lp.ts';
import { solveQp } from '../../src/reference/qp.ts';

describe('solveLp (glpk.js adapter)', () => {
  it('finds the vertex of a 2-D LP worked by hand, with its marginals', async () => {
    // max x1 + x2 s.t. x1 + 2x2 ≤ 4, 3x1 + x2 ≤ 6, x ≥ 0. Both constraints bind at the optimum:
    // x1 + 2x2 = 4, 3x1 + x2 = 6 → x2 = 6 − 3x1 → x1 + 12 − 6x1 = 4 → x1 = 8/5, x2 = 6/5, value 14/5.
    // Duals: A_ubᵀ u = c = (−1, −1): u1 + 3u2 = −1, 2u1 + u2 = −1 → u1 = −2/5, u2 = −1/5.
    const r = await solveLp({ c: [-1, -1], A_ub: [[1, 2], [3, 1]], b_ub: [4, 6] });
    expect(r.status).toBe('optimal');
    expect(r.x[0]).toBeCloseTo(8 / 5, 12);
    expect(r.x[1]).toBeCloseTo(6 / 5, 12);
    expect(r.objective).toBeCloseTo(-14 / 5, 12);
    expect(r.dualUb[0]).toBeCloseTo(-2 / 5, 12);
    expect(r.dualUb[1]).toBeCloseTo(-1 / 5, 12);
  });

  it('handles equality rows and free / two-sided bounds', async () => {
    // min x1 − x2 s.t. x1 + x2 = 1, x1 free, −3 ≤ x2 ≤ 2 → push x2 to its upper bound 2, x1 = −1,
    // value −3. Marginal of the equality row: ∂value/∂b = +1 (x1 absorbs a change of b).
    const r = await solveLp({ c: [1, -1], A_eq: [[1, 1]], b_eq: [1], bounds: [[null, null], [-3, 2]] });
    expect(r.status).toBe('optimal');
    expect(r.x[0]).toBeCloseTo(-1, 12);
    expect(r.x[1]).toBeCloseTo(2, 12);
    expect(r.objective).toBeCloseTo(-3, 12);
    expect(r.dualEq[0]).toBeCloseTo(1, 12);
  });

  it('reports infeasible and unbounded problems', async () => {
    // x ≥ 0 and x1 + x2 ≤ −1 cannot hold together.
    expect((await solveLp({ c: [1, 1], A_ub: [[1, 1]], b_ub: [-1] })).status).toBe('infeasible');
    // min −x1 with x1 unconstrained above.
    expect((await solveLp({ c: [-1, 0], A_ub: [[0, 1]], b_ub: [1] })).status).toBe('unbounded');
  });

  it('rejects inconsistent shapes', async () => {
    await expect(solveLp({ c: [1, 1], A_ub: [[1, 1, 1]], b_ub: [1] })).rejects.toThrow(/constraint row of length 3/);
  });
});

describe('solveQp (quadprog adapter)', () => {
  it('projects the origin onto a half-plane (worked by hand)', () => {
    // min ½‖x‖² s.t. x1 + x2 ≥ 2: projection of 0 is (1, 1); stationarity x = μ(1, 1) → μ = 1.
    const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_ge: [[1, 1]], b_ge: [2] });
    expect(r.status).toBe('optimal');
    expect(r.x[0]).toBeCloseTo(1, 14);
    expect(r.x[1]).toBeCloseTo(1, 14);
    expect(r.multipliersGe[0]).toBeCloseTo(1, 14);
    expect(r.objective).toBeCloseTo(1, 14);
  });

  it('handles a linear term, an equality and an inactive inequality', () => {
    // min ½(2x1² + x2²) − x1 − x2 s.t. x1 + x2 = 1, x1 ≥ −5 (inactive).
    // Stationarity: 2x1 − 1 = μ, x2 − 1 = μ → 2x1 = x2; with x1 + x2 = 1: x1 = 1/3, x2 = 2/3, μ = −1/3.
    const r = solveQp({ H: [[2, 0], [0, 1]], c: [-1, -1], A_eq: [[1, 1]], b_eq: [1], A_ge: [[1, 0]], b_ge: [-5] });
    expect(r.x[0]).toBeCloseTo(1 / 3, 14);
    expect(r.x[1]).toBeCloseTo(2 / 3, 14);
    expect(r.multipliersEq[0]).toBeCloseTo(-1 / 3, 14);
    expect(r.multipliersGe[0]).toBe(0);
  });

  it('solves an unconstrained QP and flags infeasible constraints', () => {
    const u = solveQp({ H: [[2, 0], [0, 4]], c: [-2, -4] });
    expect(u.x[0]).toBeCloseTo(1, 14);
    expect(u.x[1]).toBeCloseTo(1, 14);
    // x1 + x2 ≥ 2 and −x1 − x2 ≥ −1 contradict each other.
    const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_ge: [[1, 1], [-1, -1]], b_ge: [2, -1] });
    expect(r.status).toBe('infeasible');
  });

  it('throws when H is not positive definite', () => {
    expect(() => solveQp({ H: [[1, 0], [0, -1]], c: [0, 0], A_ge: [[1, 0]], b_ge: [0] })).toThrow(/positive definite/);
  });
});

describe('solveQp equality multiplier sign', () => {
  it('follows Hx + c = A_eqᵀμ whichever side the unconstrained minimiser lies on', () => {
    // min ½‖x‖² s.t. x1 + x2 = b: x = (b/2, b/2), μ = b/2 (sign of b).
    for (const b of [2, -2]) {
      const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_eq: [[1, 1]], b_eq: [b] });
      expect(r.x[0]).toBeCloseTo(b / 2, 14);
      expect(r.multipliersEq[0]).toBeCloseTo(b / 2, 14);
    }
  });
});
