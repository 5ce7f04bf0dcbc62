import { describe, expect, it } from 'vitest';
import { maxMarginL1, maxMarginLinf, normalizedMargin } from '../../src/reference/margin.ts';
import { maxMarginL2 } from '../../src/reference/svm.ts';
import { createRng } from '../../src/util/rng.ts';
import { l1, l2, maxAbs, mtv, mv, randomVector, separableData } from './helpers.ts';

// Hand-worked data: x1 = (2, 0), y = +1; x2 = (−1, −2), y = −1; x3 = (3, 3), y = +1.
// Signed points z_i = y_i x_i: (2, 0), (1, 2), (3, 3).
const XH = [[2, 0], [-1, -2], [3, 3]];
const YH = [1, -1, 1];

describe('maxMarginL2 (hard-margin SVM through the origin)', () => {
  it('matches a hand-worked 2-D problem', () => {
    // Guess z1, z2 active: 2w1 = 1, w1 + 2w2 = 1 → w = (1/2, 1/4); z3ᵀw = 9/4 > 1 (inactive).
    // Stationarity w = α1 z1 + α2 z2: 1/4 = 2α2 → α2 = 1/8; 1/2 = 2α1 + 1/8 → α1 = 3/16 > 0,
    // so the guess satisfies KKT. ‖w‖ = √5/4, margin = 4/√5, direction = (2, 1)/√5.
    const r = maxMarginL2(XH, YH);
    expect(r.w[0]).toBeCloseTo(0.5, 13);
    expect(r.w[1]).toBeCloseTo(0.25, 13);
    expect(r.alpha[0]).toBeCloseTo(3 / 16, 13);
    expect(r.alpha[1]).toBeCloseTo(1 / 8, 13);
    expect(r.alpha[2]).toBeCloseTo(0, 13);
    expect(r.margin).toBeCloseTo(4 / Math.sqrt(5), 13);
    expect(r.direction[0]).toBeCloseTo(2 / Math.sqrt(5), 13);
    expect(r.direction[1]).toBeCloseTo(1 / Math.sqrt(5), 13);
    expect(r.supportIndices).toEqual([0, 1]);
    expect(r.kktResidual).toBeLessThan(1e-12);
  });

  it('satisfies the KKT conditions on random separable data (n=30, p=5), checked independently', () => {
    for (const seed of [31, 32, 33]) {
      const { X, y } = separableData(seed, 30, 5);
      const { w, alpha, direction, margin, supportIndices, kktResidual } = maxMarginL2(X, y);
      const fm = mv(X, w).map((v, i) => y[i] * v);
      // Primal feasibility, dual feasibility, complementary slackness, stationarity.
      expect(Math.min(...fm)).toBeGreaterThan(1 - 1e-10);
      expect(Math.min(...alpha)).toBeGreaterThanOrEqual(-1e-12);
      alpha.forEach((a, i) => expect(Math.abs(a * (fm[i] - 1))).toBeLessThan(1e-10));
      const wAlpha = mtv(X, alpha.map((a, i) => a * y[i]));
      expect(maxAbs(w.map((v, j) => v - wAlpha[j]))).toBeLessThan(1e-10);
      expect(kktResidual).toBeLessThan(1e-10);
      // Geometry: unit direction, margin = 1/‖w‖, support vectors exist and sit on the margin.
      expect(l2(direction)).toBeCloseTo(1, 14);
      expect(margin).toBeCloseTo(1 / l2(w), 12);
      expect(supportIndices.length).toBeGreaterThanOrEqual(1);
      supportIndices.forEach((i) => expect(fm[i]).toBeCloseTo(1, 8));
      // No random direction does better.
      const rng = createRng(seed);
      for (let k = 0; k < 200; k++) {
        expect(normalizedMargin(X, y, randomVector(rng, 5), 2)).toBeLessThanOrEqual(margin + 1e-12);
      }
    }
  });

  it('throws on non-separable data and on bad labels', () => {
    // x and −x with the same label cannot both be on the positive side of a hyperplane through 0.
    expect(() => maxMarginL2([[1, 2], [-1, -2], [0, 1]], [1, 1, 1])).toThrow(/not linearly separable/);
    expect(() => maxMarginL2([[1, 2]], [0])).toThrow(/labels must be −1 or \+1/);
  });
});

describe('maxMarginL1 / maxMarginLinf', () => {
  it('match hand-worked 2-D problems', async () => {
    // ℓ1: on the optimal face ‖w‖₁ = 1 with w ≥ 0 (negative coordinates only lower z1ᵀw, z2ᵀw):
    // w = (a, 1 − a), margins 2a, a + 2(1 − a) = 2 − a, 3 → max_a min(2a, 2 − a) at a = 2/3:
    // unique direction (2/3, 1/3), margin 4/3.
    const r1 = await maxMarginL1(XH, YH);
    expect(r1.margin).toBeCloseTo(4 / 3, 12);
    expect(r1.direction[0]).toBeCloseTo(2 / 3, 12);
    expect(r1.direction[1]).toBeCloseTo(1 / 3, 12);
    expect(l1(r1.direction)).toBeCloseTo(1, 14);
    // ℓ∞: z1ᵀw = 2w1 ≤ 2 caps the margin, reached by w = (1, w2) for any w2 ≥ 1/2 (non-unique
    // direction), so only the margin is pinned: 2.
    const rInf = await maxMarginLinf(XH, YH);
    expect(rInf.margin).toBeCloseTo(2, 12);
    expect(maxAbs(rInf.direction)).toBeCloseTo(1, 14);
    expect(rInf.direction[0]).toBeCloseTo(1, 12);
    expect(rInf.direction[1]).toBeGreaterThanOrEqual(0.5 - 1e-12);
  });

  it('carry a dual certificate and are never beaten by random directions (n=30, p=5)', async () => {
    for (const seed of [41, 42]) {
      const { X, y } = separableData(seed, 30, 5);
      const Z = X.map((row, i) => row.map((v) => y[i] * v));
      const svm = maxMarginL2(X, y);
      for (const [solver, norm] of [
        [maxMarginL1, 1],
        [maxMarginLinf, 'inf'],
      ] as const) {
        const r = await solver(X, y);
        expect(r.margin).toBeCloseTo(normalizedMargin(X, y, r.direction, norm), 13);
        // Weak duality: for α on the simplex, every w with ‖w‖ ≤ 1 has min_i z_iᵀw ≤ αᵀZw ≤ ‖Zᵀα‖_*.
        // Recompute the bound from α here rather than trusting `dualBound`.
        expect(Math.min(...r.dual)).toBeGreaterThanOrEqual(0);
        expect(r.dual.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        const za = mtv(Z, r.dual);
        const bound = norm === 1 ? maxAbs(za) : l1(za);
        expect(Math.abs(bound - r.margin)).toBeLessThan(1e-9);
        const rng = createRng(seed);
        for (let k = 0; k < 200; k++) {
          expect(normalizedMargin(X, y, randomVector(rng, 5), norm)).toBeLessThanOrEqual(r.margin + 1e-12);
        }
        // The ℓ2-SVM direction is feasible for this problem too, so it cannot beat the optimum.
        expect(normalizedMargin(X, y, svm.direction, norm)).toBeLessThanOrEqual(r.margin + 1e-12);
      }
    }
  });

  it('throw on non-separable data', async () => {
    const X = [[1, 2], [-1, -2], [0, 1]];
    await expect(maxMarginL1(X, [1, 1, 1])).rejects.toThrow(/not linearly separable/);
    await expect(maxMarginLinf(X, [1, 1, 1])).rejects.toThrow(/not linearly separable/);
  });
});

describe('normalizedMargin', () => {
  it('matches hand values in each norm', () => {
    // X = I₂, y = (1, 1), w = (1, 1): min_i y_i x_iᵀw = 1; ‖w‖ = 2, √2, 1.
    const X = [[1, 0], [0, 1]];
    expect(normalizedMargin(X, [1, 1], [1, 1], 1)).toBeCloseTo(0.5, 15);
    expect(normalizedMargin(X, [1, 1], [1, 1], 2)).toBeCloseTo(1 / Math.SQRT2, 15);
    expect(normalizedMargin(X, [1, 1], [1, 1], 'inf')).toBeCloseTo(1, 15);
    // Scale invariance, and a misclassified point gives a negative margin: w = (−2, 4) → min(−2, 4)/4.
    expect(normalizedMargin(X, [1, 1], [3, 3], 2)).toBeCloseTo(1 / Math.SQRT2, 15);
    expect(normalizedMargin(X, [1, 1], [-2, 4], 'inf')).toBeCloseTo(-0.5, 15);
  });

  it('throws for w = 0', () => {
    expect(() => normalizedMargin([[1, 0]], [1], [0, 0], 2)).toThrow(/w is zero/);
  });
});
