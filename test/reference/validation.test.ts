/**
 * Input validation and the small float64 helpers of src/reference, each against a value worked
 * by hand: every solver names the bad argument before doing any work.
 */
import { describe, expect, it } from 'vitest';
import {
  checkLength,
  dot,
  matTVec,
  matVec,
  maxOf,
  minOf,
  norm1,
  norm2,
  normInf,
  scale,
  shapeOf,
  spectralApply,
  thinSvd,
} from '../../src/reference/linalg.ts';
import { fitKernelRegression, kernelGradientDescent, lossGradient, predictKernelRegression } from '../../src/reference/kernelRegression.ts';
import {
  bregmanDivergenceLp,
  halfSquaredNormGradient,
  minHyperbolicEntropyInterpolant,
  minPotentialInterpolantLp,
  minRelativeEntropyInterpolant,
  relativeEntropy,
} from '../../src/reference/mirror.ts';
import { closestInterpolant, minNormInterpolant } from '../../src/reference/interpolant.ts';
import { maxMarginL1, maxMarginLinf, normalizedMargin } from '../../src/reference/margin.ts';
import { minL1Interpolant } from '../../src/reference/minL1.ts';
import { maxMarginL2 } from '../../src/reference/svm.ts';
import { separableData } from './helpers.ts';
import { solveLp } from '../../src/reference/lp.ts';
import { solveQp } from '../../src/reference/qp.ts';
import { gdLeastSquaresClosedForm, gradientFlowLeastSquares, ridge } from '../../src/reference/ridge.ts';

describe('shapeOf / checkLength', () => {
  it('returns (n, p) and names each kind of bad input', () => {
    expect(shapeOf([[1, 2, 3], [4, 5, 6]], [1, 2], 'who')).toEqual({ n: 2, p: 3 });
    expect(() => shapeOf([], [], 'who')).toThrow(/^who: X has no rows$/);
    expect(() => shapeOf([[]], [1], 'who')).toThrow(/^who: X has no columns$/);
    expect(() => shapeOf([[1, 2], [3]], [1, 2], 'who')).toThrow(/^who: X is ragged \(row 0 has 2 columns, row 1 has 1\)$/);
    expect(() => shapeOf([[1, 2], [3, NaN]], [1, 2], 'who')).toThrow(/^who: X\[1\]\[1\] is not finite$/);
    expect(() => shapeOf([[1, Infinity]], [1], 'who')).toThrow(/^who: X\[0\]\[1\] is not finite$/);
    expect(() => shapeOf([[1, 2]], [1, 2], 'who')).toThrow(/^who: y has length 2 but X has 1 rows$/);
    expect(() => shapeOf([[1], [2]], [1, -Infinity], 'who')).toThrow(/^who: y\[1\] is not finite$/);
  });

  it('checkLength names a wrong length and a non-finite entry', () => {
    expect(() => checkLength([1, 2], 2, 'v', 'who')).not.toThrow();
    expect(() => checkLength([1, 2], 3, 'v', 'who')).toThrow(/^who: v has length 2, expected 3$/);
    expect(() => checkLength([1, NaN, 2], 3, 'v', 'who')).toThrow(/^who: v\[1\] is not finite$/);
  });
});

describe('dense helpers', () => {
  it('match hand values', () => {
    const X = [[1, 2], [3, 4], [0, -1]];
    expect(matVec(X, [1, -1])).toEqual([-1, -1, 1]);
    // Xᵀu with a zero weight in the middle: (1·2 + 0·3 + 0·5, 2·2 + 0·4 − 1·5) … u = (2, 0, 5).
    expect(matTVec(X, [2, 0, 5])).toEqual([2, -1]);
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
    expect(scale([1, -2], 3)).toEqual([3, -6]);
    expect(norm1([1, -2, 3])).toBe(6);
    expect(normInf([1, -7, 3])).toBe(7);
    expect(maxOf([1, 5, -3])).toBe(5);
    expect(minOf([1, 5, -3])).toBe(-3);
    expect(maxOf([])).toBe(-Infinity);
    expect(minOf([])).toBe(Infinity);
  });

  it('norm2 is exact on a 3-4-5 triangle and neither underflows nor overflows', () => {
    expect(norm2([3, -4])).toBe(5);
    expect(norm2([0, 0])).toBe(0);
    expect(norm2([3e-200, 4e-200]) / 5e-200).toBeCloseTo(1, 14);
    expect(norm2([3e200, 4e200]) / 5e200).toBeCloseTo(1, 14);
    expect(norm2([1, Infinity])).toBe(Infinity);
  });

  it('max/min/normInf propagate NaN wherever it sits', () => {
    for (const a of [[NaN, 1, 2], [1, NaN, 2], [1, 2, NaN]]) {
      expect(maxOf(a)).toBeNaN();
      expect(minOf(a)).toBeNaN();
      expect(normInf(a)).toBeNaN();
    }
    expect(norm2([1, NaN])).toBeNaN();
  });

  it('thinSvd: singular values descending with U diag(s) Vᵀ = X, for wide and tall X', () => {
    for (const X of [[[3, 0, 0], [0, -5, 0]], [[1, 2], [3, 4], [5, 6]]]) {
      const { U, s, V } = thinSvd(X);
      expect(s.length).toBe(2);
      expect(s[0]).toBeGreaterThanOrEqual(s[1]);
      for (let i = 0; i < X.length; i++) {
        for (let j = 0; j < X[0].length; j++) {
          const r = s.reduce((acc, sk, k) => acc + U[i][k] * sk * V[j][k], 0);
          expect(r).toBeCloseTo(X[i][j], 12);
        }
      }
    }
    // diag(3, 5): σ = (5, 3) in that order.
    expect(thinSvd([[3, 0], [0, 5]]).s.map((v) => +v.toFixed(12))).toEqual([5, 3]);
  });

  it('spectralApply drops singular values at or below rankTol·σ_max', () => {
    // X = diag(4, 1), y = (1, 1), filter 1/s: the pseudo-inverse gives (1/4, 1); with rankTol
    // 0.5 the σ = 1 direction (1 < 0.5·4) is dropped; with rankTol 0.25 it sits exactly on the
    // cut-off (1 = 0.25·4) and is dropped too.
    const svd = thinSvd([[4, 0], [0, 1]]);
    const full = spectralApply(svd, [1, 1], (s) => 1 / s, 0);
    expect(full[0]).toBeCloseTo(0.25, 14);
    expect(full[1]).toBeCloseTo(1, 14);
    for (const tol of [0.5, 0.25]) {
      const cut = spectralApply(svd, [1, 1], (s) => 1 / s, tol);
      expect(cut[0]).toBeCloseTo(0.25, 14);
      expect(cut[1]).toBeCloseTo(0, 14);
    }
    expect(spectralApply(svd, [1, 1], (s) => 1 / s, 0.2)[1]).toBeCloseTo(1, 14);
  });
});

describe('ridge.ts argument checks', () => {
  it('reject λ, t, η and step counts out of range, naming them', () => {
    expect(() => ridge([[1]], [1], -1)).toThrow(/^ridge: lambda must be a finite number > 0 \(got -1\)/);
    expect(() => ridge([[1]], [1], Infinity)).toThrow(/lambda must be a finite number > 0 \(got Infinity\)/);
    expect(() => ridge([[1]], [1], NaN)).toThrow(/lambda must be/);
    expect(() => gradientFlowLeastSquares([[1]], [1], -1)).toThrow(/^gradientFlowLeastSquares: time must be a finite number ≥ 0 \(got -1\)$/);
    expect(() => gradientFlowLeastSquares([[1]], [1], Infinity)).toThrow(/time must be a finite number ≥ 0 \(got Infinity\)/);
    expect(() => gradientFlowLeastSquares([[1]], [1], NaN)).toThrow(/time must be/);
    expect(() => gdLeastSquaresClosedForm([[1]], [1], 0, 1)).toThrow(/^gdLeastSquaresClosedForm: eta must be a finite number > 0 \(got 0\)$/);
    expect(() => gdLeastSquaresClosedForm([[1]], [1], Infinity, 1)).toThrow(/eta must be a finite number > 0 \(got Infinity\)/);
    expect(() => gdLeastSquaresClosedForm([[1]], [1], 0.1, 1.5)).toThrow(/^gdLeastSquaresClosedForm: steps must be an integer ≥ 0 \(got 1.5\)$/);
    expect(() => gdLeastSquaresClosedForm([[1]], [1], 0.1, -1)).toThrow(/steps must be an integer ≥ 0 \(got -1\)/);
    expect(() => ridge([[1, 2]], [1, 2], 1)).toThrow(/^ridge: y has length 2/);
    expect(() => gradientFlowLeastSquares([[1, 2]], [1, 2], 1)).toThrow(/^gradientFlowLeastSquares: y has length 2/);
    expect(() => gdLeastSquaresClosedForm([[1, 2]], [1, 2], 1, 1)).toThrow(/^gdLeastSquaresClosedForm: y has length 2/);
  });

  it('GD with ησ²/n = 1 exactly: zero steps stay at 0, one step lands on the solution', () => {
    // X = [[1]], y = [3], η = 1: θ₁ = θ₀ − 1·(θ₀ − 3) = 3 whatever θ₀; θ₀ = 0.
    expect(gdLeastSquaresClosedForm([[1]], [3], 1, 0)[0]).toBe(0);
    expect(gdLeastSquaresClosedForm([[1]], [3], 1, 1)[0]).toBe(3);
    expect(gdLeastSquaresClosedForm([[1]], [3], 1, 4)[0]).toBe(3);
    // n = 2 enters the step: X = [[1], [1]], y = (3, 3), η = 1 → a = ησ²/n = 1 again.
    expect(gdLeastSquaresClosedForm([[1], [1]], [3, 3], 1, 1)[0]).toBeCloseTo(3, 14);
    // ridge uses nλ: X = [[1], [1]], y = (1, 1): (1 + λ)θ = 1 → λ = 1 gives 1/2.
    expect(ridge([[1], [1]], [1, 1], 1)[0]).toBeCloseTo(0.5, 14);
    // gradient flow uses σ²/n: θ(t) = 1 − e^{−t} for X = [[1], [1]], y = (1, 1).
    expect(gradientFlowLeastSquares([[1], [1]], [1, 1], 1)[0]).toBeCloseTo(1 - Math.exp(-1), 14);
  });
});

describe('solveQp / solveLp shape checks and bound kinds', () => {
  it('solveQp names mismatched shapes and a non-positive-definite H without constraints', () => {
    const H = [[1, 0], [0, 1]];
    expect(() => solveQp({ H: [[1, 0]], c: [0, 0] })).toThrow(/^solveQp: H must be 2 × 2$/);
    expect(() => solveQp({ H: [[1, 0], [0]], c: [0, 0] })).toThrow(/^solveQp: H must be 2 × 2$/);
    expect(() => solveQp({ H, c: [0, 0], A_eq: [[1, 1]], b_eq: [] })).toThrow(/^solveQp: A_eq and b_eq have different numbers of rows$/);
    expect(() => solveQp({ H, c: [0, 0], A_ge: [[1, 1]], b_ge: [1, 2] })).toThrow(/^solveQp: A_ge and b_ge have different numbers of rows$/);
    expect(() => solveQp({ H, c: [0, 0], A_eq: [[1]], b_eq: [1] })).toThrow(/^solveQp: constraint row of length 1, expected 2$/);
    expect(() => solveQp({ H, c: [0, 0], A_ge: [[1, 1, 1]], b_ge: [1] })).toThrow(/^solveQp: constraint row of length 3, expected 2$/);
    expect(() => solveQp({ H: [[1, 0], [0, -1]], c: [0, 0] })).toThrow(/^solveQp: H is not positive definite$/);
    // Unconstrained: x = −H⁻¹c = (1, 1), objective ½·(2 + 4) − 2 − 4 = −3, no multipliers.
    const u = solveQp({ H: [[2, 0], [0, 4]], c: [-2, -4] });
    expect(u.objective).toBeCloseTo(-3, 14);
    expect(u.status).toBe('optimal');
    expect(u.multipliersEq).toEqual([]);
    expect(u.multipliersGe).toEqual([]);
  });

  it('solveQp infeasible: NaN-filled point, objective and multipliers of the right lengths', () => {
    const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_eq: [[1, 0]], b_eq: [0], A_ge: [[1, 1], [-1, -1]], b_ge: [2, -1] });
    expect(r.status).toBe('infeasible');
    expect(r.x).toHaveLength(2);
    expect(r.x.every(Number.isNaN)).toBe(true);
    expect(r.objective).toBeNaN();
    expect(r.multipliersEq).toHaveLength(1);
    expect(r.multipliersEq.every(Number.isNaN)).toBe(true);
    expect(r.multipliersGe).toHaveLength(2);
    expect(r.multipliersGe.every(Number.isNaN)).toBe(true);
    expect(r.message).toMatch(/inconsistent/);
  });

  it('solveQp equality multiplier sign when the row starts with a zero coefficient', () => {
    // min ½‖x‖² s.t. x2 = b: x = (0, b), stationarity x = μ(0, 1) → μ = b.
    for (const b of [2, -2]) {
      const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_eq: [[0, 1]], b_eq: [b] });
      expect(r.x[1]).toBeCloseTo(b, 14);
      expect(r.multipliersEq[0]).toBeCloseTo(b, 14);
      expect(r.message).toBe('');
    }
    // Two equality rows, x1 − x2 = 1 and x1 + x2 = b: x = ((1 + b)/2, (b − 1)/2),
    // x = μ1(1, −1) + μ2(1, 1) → μ1 = 1/2, μ2 = b/2.
    for (const b of [3, -3]) {
      const r = solveQp({ H: [[1, 0], [0, 1]], c: [0, 0], A_eq: [[1, -1], [1, 1]], b_eq: [1, b] });
      expect(r.multipliersEq[0]).toBeCloseTo(0.5, 14);
      expect(r.multipliersEq[1]).toBeCloseTo(b / 2, 14);
    }
  });

  it('solveLp names mismatched shapes', async () => {
    await expect(solveLp({ c: [1, 1], A_ub: [[1, 1]], b_ub: [] })).rejects.toThrow(/^solveLp: A_ub and b_ub have different numbers of rows$/);
    await expect(solveLp({ c: [1, 1], A_eq: [[1, 1]], b_eq: [1, 2] })).rejects.toThrow(/^solveLp: A_eq and b_eq have different numbers of rows$/);
    await expect(solveLp({ c: [1, 1], A_eq: [[1]], b_eq: [1] })).rejects.toThrow(/^solveLp: constraint row of length 1, expected 2$/);
    await expect(solveLp({ c: [1, 1], bounds: [[0, 1], [0, 1], [0, 1]] })).rejects.toThrow(/^solveLp: bounds has 3 entries, expected 2$/);
  });

  it('solveLp honours upper-only, lower-only, fixed, two-sided and shared bounds', async () => {
    // min −x1 + x2 + x3 − x4 with x1 ≤ 2, x2 ≥ 1, x3 = 5, x4 ∈ [−1, 4]: each variable goes to the
    // bound its cost points at, x = (2, 1, 5, 4), value −2 + 1 + 5 − 4 = 0.
    const r = await solveLp({ c: [-1, 1, 1, -1], bounds: [[-Infinity, 2], [1, null], [5, 5], [-1, 4]] });
    expect(r.status).toBe('optimal');
    expect(r.x).toEqual([2, 1, 5, 4]);
    expect(r.objective).toBe(0);
    expect(r.dualUb).toEqual([]);
    expect(r.dualEq).toEqual([]);
    // One bound for all: x ∈ [1, 3]², min x1 − x2 → (1, 3), value −2.
    const s = await solveLp({ c: [1, -1], bounds: [1, 3] });
    expect(s.x).toEqual([1, 3]);
    expect(s.objective).toBe(-2);
    // Default bounds are [0, ∞): min x1 + x2 s.t. x1 + x2 ≥ −5 (as −x1 − x2 ≤ 5) stays at 0.
    const d = await solveLp({ c: [1, 1], A_ub: [[-1, -1]], b_ub: [5] });
    expect(d.x).toEqual([0, 0]);
    // An upper bound of +∞ given explicitly is no bound: min −x1 s.t. x1 ≤ 7 (row) → 7.
    const e = await solveLp({ c: [-1], A_ub: [[1]], b_ub: [7], bounds: [[0, Infinity]] });
    expect(e.x[0]).toBe(7);
    // A zero coefficient in a row is left out, not sent as a term: x2 free of the row.
    const z = await solveLp({ c: [-1, -1], A_ub: [[1, 0], [0, 1]], b_ub: [2, 3] });
    expect(z.x).toEqual([2, 3]);
    expect(z.dualUb).toEqual([-1, -1]);
  });
});

describe('kernel regression: checks, options and bookkeeping by hand', () => {
  const diag = (...v: number[]) => Float64Array.from(v.flatMap((a, i) => v.map((_, j) => (i === j ? a : 0))));

  it('names mismatched sizes and a bad ridge', () => {
    const kernel = diag(1, 1);
    expect(() => fitKernelRegression({ kernel: diag(1, 1, 1), m: 2, targets: new Float64Array(2), columns: 1 })).toThrow(/^kernel regression: kernel has 9 entries, expected 2×2$/);
    expect(() => fitKernelRegression({ kernel, m: 2, targets: new Float64Array(3), columns: 1 })).toThrow(/^kernel regression: targets have 3 entries, expected 2×1$/);
    expect(() => fitKernelRegression({ kernel, m: 2, targets: new Float64Array(2), columns: 1, ridge: -1 })).toThrow(/^kernel regression: ridge must be a finite number ≥ 0, got -1$/);
    expect(() => fitKernelRegression({ kernel, m: 2, targets: new Float64Array(2), columns: 1, ridge: Infinity })).toThrow(/ridge must be a finite number ≥ 0, got Infinity/);
    const fit = fitKernelRegression({ kernel, m: 2, targets: new Float64Array(2), columns: 1 });
    expect(() => predictKernelRegression(fit, new Float64Array(3))).toThrow(/^kernel prediction: cross kernel has 3 entries, not a multiple of m = 2$/);
    const base = { n: 2, outputs: 1, initialTrain: new Float64Array(2), targets: new Float64Array(2), loss: 'squared' as const, learningRate: () => 0.1, steps: 1 };
    expect(() => kernelGradientDescent({ ...base, kernel: diag(1, 1, 1) })).toThrow(/^kernel GD: kernel has 9 entries, expected \(2·1\)² = 4$/);
    expect(() => kernelGradientDescent({ ...base, kernel, cross: new Float64Array(3), initialTest: new Float64Array(1) })).toThrow(/^kernel GD: cross kernel has 3 entries, expected 1×2$/);
  });

  it('diagonal kernels: coefficients, rank, condition, cut-off, ridge with n examples, several columns', () => {
    // K = diag(4, 1), targets (8, 3): K⁻¹y = (2, 3); rank 2, condition 4.
    const a = fitKernelRegression({ kernel: diag(4, 1), m: 2, targets: Float64Array.from([8, 3]), columns: 1 });
    expect(Array.from(a.coefficients).map((v) => +v.toFixed(12))).toEqual([2, 3]);
    expect(a.rank).toBe(2);
    expect(a.condition).toBeCloseTo(4, 12);
    // A non-symmetric input is symmetrised: (K + Kᵀ)/2 = diag(4, 1) here.
    const asym = Float64Array.from([4, 1, -1, 1]);
    const b = fitKernelRegression({ kernel: asym, m: 2, targets: Float64Array.from([8, 3]), columns: 1 });
    expect(Array.from(b.coefficients).map((v) => +v.toFixed(12))).toEqual([2, 3]);
    // diag(1, 1e-13): the second eigenvalue is below the default 1e-12 cut-off and dropped …
    const c = fitKernelRegression({ kernel: diag(1, 1e-13), m: 2, targets: Float64Array.from([1, 1]), columns: 1 });
    expect(c.rank).toBe(1);
    expect(c.coefficients[1]).toBe(0);
    expect(c.condition).toBe(1);
    // … and kept with a smaller cut-off (coefficient 1/1e-13).
    const d = fitKernelRegression({ kernel: diag(1, 1e-13), m: 2, targets: Float64Array.from([1, 1]), columns: 1, relativeCutoff: 1e-14 });
    expect(d.rank).toBe(2);
    expect(d.coefficients[1] * 1e-13).toBeCloseTo(1, 10);
    // A negative eigenvalue (not a kernel) is never kept by the interpolant; ridge keeps μ + nλ > 0 only.
    const e = fitKernelRegression({ kernel: diag(2, -1), m: 2, targets: Float64Array.from([2, 5]), columns: 1 });
    expect(e.rank).toBe(1);
    expect(Array.from(e.coefficients).map((v) => +v.toFixed(12))).toEqual([1, 0]);
    const f = fitKernelRegression({ kernel: diag(2, -1), m: 2, targets: Float64Array.from([2, 5]), columns: 1, ridge: 0.25 });
    expect(f.rank).toBe(1); // μ + nλ = 2.5 and −0.5
    // Ridge: (K + nλI)⁻¹y with n = `examples` (default m): diag(4, 1), λ = 0.5, n = 2 → (8/5, 3/2);
    // with examples = 4 → (8/6, 3/3).
    const g = fitKernelRegression({ kernel: diag(4, 1), m: 2, targets: Float64Array.from([8, 3]), columns: 1, ridge: 0.5 });
    expect(g.coefficients[0]).toBeCloseTo(8 / 5, 12);
    expect(g.coefficients[1]).toBeCloseTo(3 / 2, 12);
    const h = fitKernelRegression({ kernel: diag(4, 1), m: 2, targets: Float64Array.from([8, 3]), columns: 1, ridge: 0.5, examples: 4 });
    expect(h.coefficients[0]).toBeCloseTo(8 / 6, 12);
    expect(h.coefficients[1]).toBeCloseTo(1, 12);
    // Two target columns and an initial function: A = K⁻¹(Y − F₀), row-major.
    const two = fitKernelRegression({ kernel: diag(4, 1), m: 2, targets: Float64Array.from([8, 4, 3, 1]), columns: 2, initial: Float64Array.from([0, 4, 1, 0]) });
    expect(Array.from(two.coefficients).map((v) => +v.toFixed(12))).toEqual([2, 0, 2, 1]);
    // Prediction: f(x) = f₀(x) + K(x, X)A, two test points, two columns.
    const out = predictKernelRegression(two, Float64Array.from([1, 0, 1, 2]), Float64Array.from([10, 20, 30, 40]));
    expect(Array.from(out)).toEqual([12, 20, 36, 42]);
    expect(Array.from(predictKernelRegression(two, Float64Array.from([1, 0])))).toEqual([2, 0]);
  });

  it('lossGradient and kernel GD bookkeeping by hand', () => {
    // Squared: (f − y)/n. Cross-entropy: (softmax(f) − y)/n; f = (0, ln 3) → softmax (1/4, 3/4).
    expect(Array.from(lossGradient('squared', Float64Array.from([3, 1]), Float64Array.from([1, 1]), 2, 1))).toEqual([1, 0]);
    const ce = lossGradient('cross-entropy', Float64Array.from([0, Math.log(3), 1000, 1000]), Float64Array.from([1, 0, 0, 1]), 2, 2);
    expect(ce[0]).toBeCloseTo(-3 / 8, 14);
    expect(ce[1]).toBeCloseTo(3 / 8, 14);
    expect(ce[2]).toBeCloseTo(1 / 4, 14); // huge equal logits: softmax (½, ½), no overflow
    expect(ce[3]).toBeCloseTo(-1 / 4, 14);
    // Kernel GD on K = I (n = 1, K = 1 output): f ← f − η s (f − y); f₀ = 0, y = 1, η = 0.5,
    // s = 1 by default: f_t = 1 − 2^{−t}. Recorded at 0 and 2 only.
    const seen: [number, number][] = [];
    const r = kernelGradientDescent({
      kernel: Float64Array.from([1]), n: 1, outputs: 1, initialTrain: Float64Array.from([0]), targets: Float64Array.from([1]),
      loss: 'squared', learningRate: () => 0.5, steps: 3, recordAt: [0, 2], onRecord: (step, train, test) => { seen.push([step, train[0]]); expect(test).toBeNull(); },
    });
    expect(seen).toEqual([[0, 0], [2, 0.75]]);
    expect(r.train[0]).toBe(0.875);
    expect(r.test).toBeNull();
    // A cross kernel without initial test outputs is ignored (no test predictions).
    expect(kernelGradientDescent({ kernel: Float64Array.from([1]), cross: Float64Array.from([1]), n: 1, outputs: 1, initialTrain: Float64Array.from([0]), targets: Float64Array.from([1]), loss: 'squared', learningRate: () => 0.5, steps: 1 }).test).toBeNull();
  });
});

describe('mirror potentials: hand values and argument checks', () => {
  it('relativeEntropy, halfSquaredNormGradient and bregmanDivergenceLp by hand', () => {
    // D(θ‖θ₀) = Σ θ log(θ/θ₀) − θ + θ₀, 0·log 0 = 0: θ = (0, 2), θ₀ = (1, 1) → 1 + (2 log 2 − 1).
    expect(relativeEntropy([0, 2], [1, 1])).toBeCloseTo(2 * Math.log(2), 14);
    expect(relativeEntropy([1, 1], [1, 1])).toBe(0);
    // ψ = ½‖v‖₃²: ∂ψ/∂v_i = (Σ|v|³)^{−1/3} sign(v_i) v_i²; v = (−1, 1) → ∓2^{−1/3}.
    const g = halfSquaredNormGradient([-1, 1], 3);
    expect(g[0]).toBeCloseTo(-(2 ** (-1 / 3)), 14);
    expect(g[1]).toBeCloseTo(2 ** (-1 / 3), 14);
    // v = (2, 0) in any norm: ∇ψ = (2, 0); v = 0 → 0.
    expect(halfSquaredNormGradient([2, 0], 1.5).map((v) => +v.toFixed(14))).toEqual([2, 0]);
    expect(halfSquaredNormGradient([0, 0], 1.5)).toEqual([0, 0]);
    // p = 2: D = ½‖θ − θ₀‖²; (1, 2) vs (3, −1) → ½(4 + 9).
    expect(bregmanDivergenceLp([1, 2], [3, -1], 2)).toBeCloseTo(6.5, 13);
    // p = 3/2 from θ₀ = 0: D = ½‖θ‖_{3/2}²; θ = (1, 1) → ½·2^{4/3}.
    expect(bregmanDivergenceLp([1, 1], [0, 0], 1.5)).toBeCloseTo(0.5 * 2 ** (4 / 3), 13);
  });

  it('checks θ₀, p and β, naming them', () => {
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [1], [1, -2])).toThrow(/^minRelativeEntropyInterpolant: theta0 must be strictly positive \(theta0\[1\] = -2\)$/);
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [1], [1])).toThrow(/^minRelativeEntropyInterpolant: theta0 has length 1, expected 2$/);
    expect(() => minPotentialInterpolantLp([[1, 1]], [1], 1.5, [1])).toThrow(/^minPotentialInterpolantLp: theta0 has length 1, expected 2$/);
    expect(() => minPotentialInterpolantLp([[1, 1]], [1], 0.5, [1, 1])).toThrow(/^minPotentialInterpolantLp: p must lie in \(1, 2\] \(got 0.5\)$/);
    expect(() => minPotentialInterpolantLp([[1, 1]], [1], NaN, [1, 1])).toThrow(/p must lie in/);
    expect(() => minHyperbolicEntropyInterpolant([[1, 1]], [1], 0)).toThrow(/^minHyperbolicEntropyInterpolant: beta must be a finite number > 0 \(got 0\)$/);
    expect(() => minHyperbolicEntropyInterpolant([[1, 1]], [1], Infinity)).toThrow(/beta must be a finite number > 0 \(got Infinity\)/);
    expect(() => minHyperbolicEntropyInterpolant([[1, 1]], [1], 1, [0])).toThrow(/^minHyperbolicEntropyInterpolant: theta0 has length 1, expected 2$/);
    expect(() => minHyperbolicEntropyInterpolant([[1, 1]], [1, 2], 1)).toThrow(/^minHyperbolicEntropyInterpolant: y has length 2/);
  });

  it('coordinates the constraints do not touch stay at θ₀ (each potential)', () => {
    // X = [1 0], y = 3: θ₁ = 3 and ∇ψ(θ)₂ = ∇ψ(θ₀)₂, so θ₂ = θ₀₂ for a separable potential.
    const h = minHyperbolicEntropyInterpolant([[1, 0]], [3], 1, [1, 5]);
    expect(h.theta[0]).toBeCloseTo(3, 10);
    expect(h.theta[1]).toBeCloseTo(5, 10);
    // Default θ₀ = 0.
    const h0 = minHyperbolicEntropyInterpolant([[1, 0]], [3], 0.5);
    expect(h0.theta[0]).toBeCloseTo(3, 10);
    expect(h0.theta[1]).toBe(0);
    // λ = arcsinh(θ₁/2β) − arcsinh(θ₀₁/2β) = arcsinh(3/2) − arcsinh(1/2).
    expect(h.lambda[0]).toBeCloseTo(Math.asinh(1.5) - Math.asinh(0.5), 10);
    const e = minRelativeEntropyInterpolant([[1, 0]], [3], [1, 5]);
    expect(e.theta[1]).toBeCloseTo(5, 10);
    expect(e.lambda[0]).toBeCloseTo(Math.log(3), 10);
  });
});

describe('dual Newton (bregmanDual.ts): options, rank-deficient X and failure reasons', () => {
  it('stops at once when θ₀ already interpolates', () => {
    const r = minRelativeEntropyInterpolant([[1, 1]], [2], [1, 1]);
    expect(r.iterations).toBe(0);
    expect(r.lambda).toEqual([0]);
    expect(r.theta).toEqual([1, 1]);
    expect(r.residual).toBe(0);
  });

  it('honours tol and maxIterations', () => {
    // θ = (e^λ, e^{2λ}) with e^λ + 2e^{2λ} = 50 → e^λ = (−1 + √401)/4.
    const u = (-1 + Math.sqrt(401)) / 4;
    const tight = minRelativeEntropyInterpolant([[1, 2]], [50], [1, 1]);
    expect(tight.theta[0]).toBeCloseTo(u, 10);
    expect(tight.residual).toBeLessThanOrEqual(1e-11 * 51);
    const loose = minRelativeEntropyInterpolant([[1, 2]], [50], [1, 1], { tol: 1e-3 });
    expect(loose.residual).toBeLessThanOrEqual(1e-3 * 51);
    expect(loose.iterations).toBeLessThan(tight.iterations);
    expect(() => minRelativeEntropyInterpolant([[1, 2]], [50], [1, 1], { maxIterations: 1 })).toThrow(
      /^minRelativeEntropyInterpolant: no strictly positive θ with Xθ = y was found — the constraints Xθ = y, θ > 0 look infeasible \(dual Newton did not converge in 1 iterations; residual ‖Xθ − y‖∞ = \d\.\d{3}e\+1\)$/,
    );
    expect(() => minRelativeEntropyInterpolant([[1, 2]], [50], [1, 1], { maxIterations: tight.iterations - 1 })).toThrow(/did not converge/);
    expect(minRelativeEntropyInterpolant([[1, 2]], [50], [1, 1], { maxIterations: tight.iterations }).iterations).toBe(tight.iterations);
  });

  it('a repeated (consistent) row makes the dual Hessian singular; the Levenberg shift still finds the projection', () => {
    // θ1 + θ2 = 1 twice. ½‖θ‖_{3/2}² and D(θ‖(1, 3)) are minimised at (½, ½) and (¼, ¾) (θ₀ rescaled).
    const a = minPotentialInterpolantLp([[1, 1], [1, 1]], [1, 1], 1.5, [0, 0]);
    expect(a.theta[0]).toBeCloseTo(0.5, 12);
    expect(a.theta[1]).toBeCloseTo(0.5, 12);
    const b = minRelativeEntropyInterpolant([[1, 1], [2, 2]], [1, 2], [1, 3]);
    expect(b.theta[0]).toBeCloseTo(0.25, 12);
    expect(b.theta[1]).toBeCloseTo(0.75, 12);
  });

  it('the tolerance is relative to 1 + ‖y‖∞ and inclusive', () => {
    // Residual at θ₀: |0.5 − 1| = 0.5 = 0.25·(1 + 1): already converged; a hair tighter is not.
    expect(minRelativeEntropyInterpolant([[1]], [1], [0.5], { tol: 0.25 }).iterations).toBe(0);
    expect(minRelativeEntropyInterpolant([[1]], [1], [0.5], { tol: 0.2499 }).iterations).toBeGreaterThan(0);
    // Residual |49 − 50| = 1 against tol·51: 0.03·51 > 1 stops at once, 0.019·51 < 1 does not.
    expect(minRelativeEntropyInterpolant([[1]], [50], [49], { tol: 0.03 }).iterations).toBe(0);
    expect(minRelativeEntropyInterpolant([[1]], [50], [49], { tol: 0.019 }).iterations).toBeGreaterThan(0);
  });

  it('damping: a full Newton step that overshoots is cut back, so convergence takes a handful of steps', () => {
    // F(λ) = e^λ − 50λ from λ = 0: the full step λ = 49 gives F ≈ 1.9e21; undamped Newton would
    // then creep back by about 1 per step (≈ 45 steps). θ⋆ = 50.
    const r = minRelativeEntropyInterpolant([[1]], [50], [1]);
    expect(r.theta[0]).toBeCloseTo(50, 10);
    expect(r.iterations).toBeLessThanOrEqual(10);
    // Large y: θ = (u, u²) with u + 2u² = 1e6; F is ~1e7 here, so the acceptance test must allow
    // for F's own rounding (the residual tolerance 1e-11·(1 + 1e6) is still met).
    const u = (-1 + Math.sqrt(1 + 8e6)) / 4;
    const big = minRelativeEntropyInterpolant([[1, 2]], [1e6], [1, 1]);
    expect(big.theta[0] / u).toBeCloseTo(1, 9);
    expect(big.residual).toBeLessThanOrEqual(1e-11 * (1 + 1e6));
  });

  it('names why it failed: non-finite objective, stalled line search, no convergence', () => {
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [1], [1e308, 1e308])).toThrow(/\(dual Newton hit a non-finite value; residual ‖Xθ − y‖∞ = Infinity\)$/);
    // ψ*(z₀) = Σθ₀ overflows while the residual (first coordinate only) is finite.
    expect(() => minRelativeEntropyInterpolant([[1, 0, 0]], [2], [1, 1e308, 1e308])).toThrow(/\(dual Newton hit a non-finite value; residual ‖Xθ − y‖∞ = 1\.000e\+0\)$/);
    expect(() => minRelativeEntropyInterpolant([[1, 1]], [-1], [1, 1])).toThrow(/\(dual Newton line search stalled; residual ‖Xθ − y‖∞ = 1\.000e\+0\)$/);
    expect(() => minHyperbolicEntropyInterpolant([[1, 1], [1, 1]], [1, 2], 1)).toThrow(
      /^minHyperbolicEntropyInterpolant: no interpolant was found \(X must have full row rank and y must lie in its range\) \(dual Newton did not converge in 200 iterations/,
    );
    expect(() => minPotentialInterpolantLp([[1, 1], [1, 1]], [1, 2], 1.5, [0, 0])).toThrow(
      /^minPotentialInterpolantLp: no interpolant was found \(X must have full row rank and y must lie in its range\) \(dual Newton did not converge in 200 iterations/,
    );
  });
});

describe('second pass over surviving mutants (hand values)', () => {
  it('solveQp: objective at a point with entries ≠ 1, messages and multiplier counts', () => {
    // min ½(2x1² + 4x2²) − 4x1 − 2x2: x = (2, 0.5), objective ½(8 + 1) − 9 = −4.5.
    const u = solveQp({ H: [[2, 0], [0, 4]], c: [-4, -2] });
    expect(u.x[0]).toBeCloseTo(2, 14);
    expect(u.x[1]).toBeCloseTo(0.5, 14);
    expect(u.objective).toBeCloseTo(-4.5, 14);
    expect(u.message).toBe('');
    // Same objective, x1 + x2 = 1 and x1 ≥ 0.9 (active): x = (0.9, 0.1)? Stationarity
    // Hx + c = μ_eq(1, 1) + μ_ge(1, 0): (1.8 − 4, 0.4 − 2) → μ_eq = −1.6, μ_ge = −2.2 + 1.6 < 0, so
    // the inequality is inactive: x2 = 1 − x1, 2x1 − 4 = 4x2 − 2 → x1 = 1, x2 = 0, μ_eq = −2.
    const r = solveQp({ H: [[2, 0], [0, 4]], c: [-4, -2], A_eq: [[1, 1]], b_eq: [1], A_ge: [[1, 0]], b_ge: [0.9] });
    expect(r.x[0]).toBeCloseTo(1, 13);
    expect(r.x[1]).toBeCloseTo(0, 13);
    expect(r.multipliersEq).toHaveLength(1);
    expect(r.multipliersGe).toHaveLength(1);
    expect(r.multipliersEq[0]).toBeCloseTo(-2, 13);
    expect(r.multipliersGe[0]).toBeCloseTo(0, 13);
    expect(r.objective).toBeCloseTo(1 - 4, 13);
    expect(() => solveQp({ H: [[1, 0], [0, -1]], c: [0, 0], A_ge: [[1, 0]], b_ge: [0] })).toThrow(/^solveQp: H is not positive definite$/);
  });

  it('interpolants: square X, the maxCondition option at its boundary, and who is named', () => {
    // X = diag(2, 1) is square and invertible: θ = X⁻¹y; σ_max/σ_min = 2.
    const r = minNormInterpolant([[2, 0], [0, 1]], [2, 3], { maxCondition: 2 });
    expect(r.theta[0]).toBeCloseTo(1, 14);
    expect(r.theta[1]).toBeCloseTo(3, 14);
    expect(r.condition).toBe(2);
    expect(() => minNormInterpolant([[2, 0], [0, 1]], [2, 3], { maxCondition: 1.9 })).toThrow(
      /^minNormInterpolant: XXᵀ is singular or ill-conditioned \(σ_max\/σ_min of X = 2\.000e\+0 > 1\.9e\+0\); X must have full row rank$/,
    );
    expect(() => minNormInterpolant([[1], [2]], [1, 2])).toThrow(/^minNormInterpolant: X has more rows than columns \(n=2 > p=1\)/);
    expect(() => minNormInterpolant([[1, 2]], [1, 2])).toThrow(/^minNormInterpolant: y has length 2/);
    expect(() => closestInterpolant([[1, 2]], [1], [0])).toThrow(/^closestInterpolant: theta0 has length 1, expected 2$/);
    expect(() => closestInterpolant([[1, 2]], [1, 2], [0, 0])).toThrow(/^closestInterpolant: y has length 2/);
  });

  it('GD closed form keeps full relative accuracy when ησ²/n is tiny', () => {
    // X = [[1e-6]], y = [1], η = 1: one GD step from 0 is θ₁ = η·x·y/n = 1e-6 exactly;
    // 1 − (1 − 1e-12) in float64 would be off by 1e-4 relative.
    expect(gdLeastSquaresClosedForm([[1e-6]], [1], 1, 1)[0] / 1e-6).toBeCloseTo(1, 12);
    // Two steps: θ₂ = θ₁ + η x (y − x θ₁) = 1e-6 (2 − 1e-12).
    expect(gdLeastSquaresClosedForm([[1e-6]], [1], 1, 2)[0] / (1e-6 * (2 - 1e-12))).toBeCloseTo(1, 12);
  });

  it('max-margin solvers: dual bound equals the margin in each norm, and who is named', async () => {
    const X = [[2, 0], [-1, -2], [3, 3]];
    const y = [1, -1, 1];
    const l1r = await maxMarginL1(X, y);
    expect(l1r.dualBound).toBeCloseTo(4 / 3, 9);
    const linf = await maxMarginLinf(X, y);
    expect(linf.dualBound).toBeCloseTo(2, 9);
    // On random data the dual bound is ‖Zᵀα‖∞ for ℓ1 and ‖Zᵀα‖₁ for ℓ∞ (recomputed here from α).
    const { X: Xr, y: yr } = separableData(41, 30, 5); // a seed where Zᵀα has several non-zeros for ℓ∞ too
    const Z = Xr.map((row, i) => row.map((v) => yr[i] * v));
    for (const [solver, dual] of [[maxMarginL1, (v: number[]) => Math.max(...v.map(Math.abs))], [maxMarginLinf, (v: number[]) => v.reduce((a, b) => a + Math.abs(b), 0)]] as const) {
      const res = await solver(Xr, yr);
      const za = Z[0].map((_, j) => Z.reduce((acc, z, i) => acc + res.dual[i] * z[j], 0));
      expect(res.dualBound).toBeCloseTo(dual(za), 12);
    }
    const bad = [[1, 2], [-1, -2], [0, 1]];
    await expect(maxMarginL1(bad, [1, 1, 1])).rejects.toThrow(/^maxMarginL1: data is not linearly separable through the origin \(optimal margin/);
    await expect(maxMarginLinf(bad, [1, 1, 1])).rejects.toThrow(/^maxMarginLinf: data is not linearly separable through the origin \(optimal margin/);
    expect(() => maxMarginL2(bad, [1, 1, 1])).toThrow(/^maxMarginL2: data is not linearly separable through the origin \(no w/);
    expect(() => normalizedMargin([[1, 0]], [1], [1, 0, 0], 2)).toThrow(/^normalizedMargin: w has length 3, expected 2$/);
    await expect(minL1Interpolant([[1, 1], [1, 1]], [1, 2])).rejects.toThrow(/^minL1Interpolant: no θ satisfies Xθ = y/);
    // The dual infeasibility is clamped at 0 from below: ‖Xᵀλ‖∞ = 1 at the optimum, never "negative".
    const m = await minL1Interpolant([[1, 2]], [2]);
    expect(m.dualInfeasibility).toBeGreaterThanOrEqual(0);
    expect(m.dual[0]).toBeCloseTo(0.5, 12); // λ with ‖Xᵀλ‖∞ = 1 and yᵀλ = ‖θ‖₁ = 1
  });

  it('kernel regression: cut-off boundary and scale, ridge keeps tiny eigenvalues, zero denominators, condition', () => {
    const diag = (...v: number[]) => Float64Array.from(v.flatMap((a, i) => v.map((_, j) => (i === j ? a : 0))));
    // Eigenvalue exactly at the cut-off (1e-12·1) is dropped; the cut-off scales with μ_max.
    expect(fitKernelRegression({ kernel: diag(1, 1e-12), m: 2, targets: Float64Array.from([1, 1]), columns: 1 }).rank).toBe(1);
    expect(fitKernelRegression({ kernel: diag(4, 2e-12), m: 2, targets: Float64Array.from([1, 1]), columns: 1 }).rank).toBe(1);
    // Ridge keeps every eigenvalue with μ + nλ > 0, however small μ: diag(1, 0), λ = 0.5, n = 2 → (1/2, 1)·y.
    const r = fitKernelRegression({ kernel: diag(1, 0), m: 2, targets: Float64Array.from([3, 5]), columns: 1, ridge: 0.5 });
    expect(r.rank).toBe(2);
    expect(r.coefficients[0]).toBeCloseTo(1.5, 12);
    expect(r.coefficients[1]).toBeCloseTo(5, 12);
    // μ + nλ = −0.5 + 2·0.25 = 0 exactly: that direction is skipped, not divided by zero.
    const z = fitKernelRegression({ kernel: diag(2, -0.5), m: 2, targets: Float64Array.from([5, 7]), columns: 1, ridge: 0.25 });
    expect(z.rank).toBe(1);
    expect(Array.from(z.coefficients).map((v) => +v.toFixed(12))).toEqual([2, 0]);
    // condition = μ_max/μ_min over the kept eigenvalues.
    expect(fitKernelRegression({ kernel: diag(4, 2), m: 2, targets: Float64Array.from([1, 1]), columns: 1 }).condition).toBeCloseTo(2, 12);
  });

  it('kernel GD records exactly the requested steps', () => {
    const seen: number[] = [];
    const run = (recordAt: number[]) => {
      seen.length = 0;
      kernelGradientDescent({
        kernel: Float64Array.from([1]), n: 1, outputs: 1, initialTrain: Float64Array.from([0]), targets: Float64Array.from([1]),
        loss: 'squared', learningRate: () => 0.5, steps: 3, recordAt, onRecord: (step, train) => seen.push(step, train[0]),
      });
      return [...seen];
    };
    // f_t = 1 − 2^{−t}.
    expect(run([1, 3])).toEqual([1, 0.5, 3, 0.875]);
    expect(run([2])).toEqual([2, 0.75]);
    expect(run([])).toEqual([]);
  });
});
