/**
 * Kernel regression against closed forms on linear kernels K = XXᵀ (where the kernel predictor
 * is the linear model x·θ of the primal solution) and kernel GD against parameter-space GD of a
 * linear model (whose linearisation is itself), in float64.
 */
import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { fitKernelRegression, predictKernelRegression, kernelGradientDescent } from '../../src/reference/kernelRegression.ts';
import { minNormInterpolant, ridge } from '../../src/reference/index.ts';
import { createRng } from '../../src/util/rng.ts';
import { randomMatrix, randomVector, mv } from './helpers.ts';

const gramOf = (A: number[][], B: number[][]) => Float64Array.from(A.flatMap((a) => B.map((b) => a.reduce((s, v, j) => s + v * b[j], 0))));
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0; let den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
};

describe('kernel regression', () => {
  const rng = createRng(17);
  const n = 8;
  const d = 20;
  const X = randomMatrix(rng, n, d);
  const Xt = randomMatrix(rng, 5, d);
  const y = randomVector(rng, n);
  const K = gramOf(X, X);
  const cross = gramOf(Xt, X);

  it('the minimum-RKHS-norm interpolant of K = XXᵀ predicts x·θ for θ = Xᵀ(XXᵀ)⁻¹y', () => {
    const fit = fitKernelRegression({ kernel: K, m: n, targets: Float64Array.from(y), columns: 1 });
    expect(fit.rank).toBe(n);
    const theta = minNormInterpolant(X, y).theta;
    expect(relErr(predictKernelRegression(fit, cross), mv(Xt, theta))).toBeLessThan(1e-10);
    expect(relErr(predictKernelRegression(fit, K), y)).toBeLessThan(1e-10);
  });

  it('with f₀ ≠ 0 it interpolates the residual; with ridge λ it is primal ridge (XᵀX/n + λI)⁻¹Xᵀy/n', () => {
    const f0 = Float64Array.from(randomVector(rng, n));
    const f0t = Float64Array.from(randomVector(rng, 5));
    const fit = fitKernelRegression({ kernel: K, m: n, targets: Float64Array.from(y), columns: 1, initial: f0 });
    expect(relErr(predictKernelRegression(fit, K, f0), y)).toBeLessThan(1e-10);
    const residualTheta = minNormInterpolant(X, y.map((v, i) => v - f0[i])).theta;
    expect(relErr(predictKernelRegression(fit, cross, f0t), mv(Xt, residualTheta).map((v, i) => v + f0t[i]))).toBeLessThan(1e-10);
    for (const lambda of [1e-3, 0.5]) {
      const r = fitKernelRegression({ kernel: K, m: n, targets: Float64Array.from(y), columns: 1, ridge: lambda });
      // Independent: the primal normal equations solved by ml-matrix LU.
      const XtX = new Matrix(X).transpose().mmul(new Matrix(X)).div(n).add(Matrix.eye(d).mul(lambda));
      const rhs = new Matrix(X).transpose().mmul(Matrix.columnVector(y)).div(n);
      const theta = solve(XtX, rhs).to1DArray();
      expect(relErr(predictKernelRegression(r, cross), mv(Xt, theta))).toBeLessThan(1e-9);
      expect(relErr(theta, ridge(X, y, lambda))).toBeLessThan(1e-9);
    }
  });

  it('a singular kernel (a repeated point) still gives the minimum-norm interpolant', () => {
    const Xd = [...X, X[0]];
    const yd = [...y, y[0]];
    const fit = fitKernelRegression({ kernel: gramOf(Xd, Xd), m: n + 1, targets: Float64Array.from(yd), columns: 1 });
    expect(fit.rank).toBe(n);
    expect(relErr(predictKernelRegression(fit, gramOf(Xt, Xd)), mv(Xt, minNormInterpolant(X, y).theta))).toBeLessThan(1e-8);
  });
});

describe('kernel gradient descent', () => {
  const rng = createRng(23);
  const n = 6;
  const d = 10;
  const C = 3;
  const X = randomMatrix(rng, n, d);
  const Xt = randomMatrix(rng, 4, d);
  const labels = [0, 1, 2, 0, 1, 2];
  const Y = Float64Array.from(labels.flatMap((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0))));
  // Full kernel of f(x) = xW (W: d × C): Θ_(i,k),(j,l) = ⟨x_i, x_j⟩ δ_kl.
  const full = (A: number[][], B: number[][]) => {
    const g = gramOf(A, B);
    const out = new Float64Array(A.length * C * B.length * C);
    for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) for (let k = 0; k < C; k++) out[(i * C + k) * B.length * C + j * C + k] = g[i * B.length + j];
    return out;
  };
  const W0 = randomMatrix(rng, d, C).map((r) => r.map((v) => 0.3 * v));
  const outputsOf = (A: number[][], W: number[][]) => Float64Array.from(A.flatMap((a) => [0, 1, 2].map((k) => a.reduce((s, v, j) => s + v * W[j][k], 0))));

  for (const loss of ['squared', 'cross-entropy'] as const) {
    it(`on a linear model's kernel equals parameter-space GD on the ${loss} loss (loss scale 0.5, decaying step)`, () => {
      const eta = (t: number) => 0.5 / (1 + 0.01 * t);
      const steps = 200;
      const s = 0.5;
      // Parameter space, float64: W ← W − η s ∇_W L.
      let W = W0.map((r) => [...r]);
      for (let t = 0; t < steps; t++) {
        const f = outputsOf(X, W);
        const g = new Float64Array(n * C);
        for (let i = 0; i < n; i++) {
          if (loss === 'squared') for (let k = 0; k < C; k++) g[i * C + k] = (f[i * C + k] - Y[i * C + k]) / n;
          else {
            const z = [0, 1, 2].map((k) => Math.exp(f[i * C + k]));
            const total = z.reduce((a, b) => a + b);
            for (let k = 0; k < C; k++) g[i * C + k] = (z[k] / total - Y[i * C + k]) / n;
          }
        }
        W = W.map((row, j) => row.map((w, k) => w - eta(t) * s * X.reduce((acc, x, i) => acc + x[j] * g[i * C + k], 0)));
      }
      const result = kernelGradientDescent({
        kernel: full(X, X), cross: full(Xt, X), n, outputs: C,
        initialTrain: outputsOf(X, W0), initialTest: outputsOf(Xt, W0), targets: Y, loss, learningRate: eta, lossScale: s, steps,
      });
      expect(relErr(result.train, outputsOf(X, W))).toBeLessThan(1e-10);
      expect(relErr(result.test!, outputsOf(Xt, W))).toBeLessThan(1e-10);
    });
  }

  it('on the squared loss tends to the minimum-RKHS-norm interpolant', () => {
    const kernel = full(X, X);
    const fit = fitKernelRegression({ kernel, m: n * C, targets: Y, columns: 1, initial: outputsOf(X, W0) });
    const interpolant = predictKernelRegression(fit, full(Xt, X), outputsOf(Xt, W0));
    const result = kernelGradientDescent({
      kernel, cross: full(Xt, X), n, outputs: C, initialTrain: outputsOf(X, W0), initialTest: outputsOf(Xt, W0), targets: Y,
      loss: 'squared', learningRate: () => 0.5, steps: 20000,
    });
    expect(relErr(result.test!, interpolant)).toBeLessThan(1e-6);
  });
});
