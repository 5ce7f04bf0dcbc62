import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { minNormInterpolant } from '../../src/reference/interpolant.ts';
import { gdLeastSquaresClosedForm, gradientFlowLeastSquares, ridge } from '../../src/reference/ridge.ts';
import { createRng } from '../../src/util/rng.ts';
import { diff, maxAbs, mtv, mv, randomMatrix, randomVector } from './helpers.ts';

/** ∇ of (1/(2n))‖Xθ − y‖²: Xᵀ(Xθ − y)/n. */
function lossGrad(X: number[][], y: number[], theta: number[]): number[] {
  return mtv(X, diff(mv(X, theta), y)).map((g) => g / X.length);
}

describe('ridge', () => {
  it('matches a hand-worked diagonal case', () => {
    // X = diag(1, 2), y = (1, 1), n = 2: XᵀX/n = diag(1/2, 2), Xᵀy/n = (1/2, 1),
    // so θ = (0.5/(0.5 + λ), 1/(2 + λ)); λ = 0.5 → (0.5, 0.4).
    const theta = ridge([[1, 0], [0, 2]], [1, 1], 0.5);
    expect(theta[0]).toBeCloseTo(0.5, 14);
    expect(theta[1]).toBeCloseTo(0.4, 14);
  });

  it('satisfies its normal equations (XᵀX/n + λI)θ = Xᵀy/n, for n < p and n > p', () => {
    const rng = createRng(21);
    for (const [n, p] of [[20, 50], [40, 8]]) {
      const X = randomMatrix(rng, n, p);
      const y = randomVector(rng, n);
      for (const lambda of [1e-3, 0.1, 10]) {
        const theta = ridge(X, y, lambda);
        // Stationarity of the ridge objective: ∇L(θ) + λθ = 0.
        const g = lossGrad(X, y, theta).map((v, j) => v + lambda * theta[j]);
        expect(maxAbs(g)).toBeLessThan(1e-12);
      }
    }
  });

  it('tends to the min-norm interpolant as λ → 0 (n < p) and to OLS (n > p)', () => {
    const rng = createRng(22);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const mn = minNormInterpolant(X, y).theta;
    expect(maxAbs(diff(ridge(X, y, 1e-12), mn))).toBeLessThan(1e-9);
    // Tall case: the limit is the least-squares solution (QR solve, independent of the SVD path).
    const Xt = randomMatrix(rng, 40, 8);
    const yt = randomVector(rng, 40);
    const ols = solve(new Matrix(Xt), Matrix.columnVector(yt)).to1DArray();
    expect(maxAbs(diff(ridge(Xt, yt, 1e-13), ols))).toBeLessThan(1e-9);
  });

  it('rejects λ ≤ 0', () => {
    expect(() => ridge([[1, 2]], [1], 0)).toThrow(/lambda must be/);
  });
});

describe('gdLeastSquaresClosedForm', () => {
  it('matches the scalar recursion by hand', () => {
    // X = [[2]], y = [4], n = 1: θ_{k+1} = θ_k − η·2(2θ_k − 4) = (1 − 4η)θ_k + 8η, fixed point 2,
    // so θ_t = 2(1 − (1 − 4η)^t). η = 0.1, t = 3: 2(1 − 0.6³) = 2·0.784 = 1.568.
    expect(gdLeastSquaresClosedForm([[2]], [4], 0.1, 3)[0]).toBeCloseTo(1.568, 14);
  });

  it('matches a plain float64 GD loop to 1e-10 (n < p and n > p)', () => {
    const rng = createRng(23);
    for (const [n, p] of [[20, 50], [30, 5]]) {
      const X = randomMatrix(rng, n, p);
      const y = randomVector(rng, n);
      // λ_max(XᵀX/n) ≈ (1 + √(p/n))² ≈ 6.7 for 20×50 (Marchenko–Pastur edge), so η = 0.2 < 2/λ_max.
      const eta = 0.2;
      let theta = new Array<number>(p).fill(0);
      for (let t = 1; t <= 300; t++) {
        const g = lossGrad(X, y, theta);
        theta = theta.map((v, j) => v - eta * g[j]);
        if (t === 1 || t === 17 || t === 300) {
          expect(maxAbs(diff(gdLeastSquaresClosedForm(X, y, eta, t), theta))).toBeLessThan(1e-10);
        }
      }
      expect(maxAbs(gdLeastSquaresClosedForm(X, y, eta, 0))).toBe(0);
    }
  });

  it('reproduces divergence for η above 2/λ_max (exactness, not just the stable regime)', () => {
    // X = [[2]], y = [4], η = 0.6: 1 − 4η = −1.4, θ_5 = 2(1 − (−1.4)^5) = 2(1 + 5.37824) = 12.75648.
    expect(gdLeastSquaresClosedForm([[2]], [4], 0.6, 5)[0]).toBeCloseTo(12.75648, 12);
  });
});

describe('gradientFlowLeastSquares', () => {
  it('matches the scalar ODE solution by hand', () => {
    // X = [[2]], y = [4], n = 1: θ' = −2(2θ − 4) → θ(t) = 2(1 − e^{−4t}).
    expect(gradientFlowLeastSquares([[2]], [4], 0.25)[0]).toBeCloseTo(2 * (1 - Math.exp(-1)), 14);
    expect(gradientFlowLeastSquares([[2]], [4], 0)[0]).toBe(0);
  });

  it('solves dθ/dt = −Xᵀ(Xθ − y)/n, is the small-step GD limit, and ends at the min-norm interpolant', () => {
    const rng = createRng(24);
    const X = randomMatrix(rng, 20, 50);
    const y = randomVector(rng, 20);
    const T = 0.7;
    const h = 1e-4;
    const dtheta = diff(gradientFlowLeastSquares(X, y, T + h), gradientFlowLeastSquares(X, y, T - h)).map(
      (v) => v / (2 * h),
    );
    const rhs = lossGrad(X, y, gradientFlowLeastSquares(X, y, T)).map((v) => -v);
    expect(maxAbs(diff(dtheta, rhs))).toBeLessThan(1e-6); // central difference error O(h²)
    // GD with η = T/k approximates the flow at time T with O(η) error.
    const k = 20000;
    expect(maxAbs(diff(gdLeastSquaresClosedForm(X, y, T / k, k), gradientFlowLeastSquares(X, y, T)))).toBeLessThan(1e-4);
    expect(maxAbs(diff(gradientFlowLeastSquares(X, y, 1e6), minNormInterpolant(X, y).theta))).toBeLessThan(1e-12);
  });
});
