/**
 * Linear and diagonal-network models, the minimize loop, the hyperbolic-entropy reference, and
 * mirror-descent variants converging to their Bregman projections.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createLinearModel } from '../../src/models/linear.ts';
import { createDiagonalNetwork, diagonalNetworkWeights } from '../../src/models/diagonalNetwork.ts';
import { minimize } from '../../src/train/minimize.ts';
import { gradientDescent, mirrorDescent, withWeightDecay } from '../../src/optim/index.ts';
import { halfMeanSquaredError } from '../../src/train/loss.ts';
import { minHyperbolicEntropyInterpolant, minPotentialInterpolantLp, ridge } from '../../src/reference/index.ts';
import { createRng } from '../../src/util/rng.ts';
import { leastSquaresSmoothness, relativeDistance, valuesOf } from '../../src/experiments/seedClaims/common.ts';

beforeAll(async () => { await setupBackend(); });

function randomProblem(n: number, p: number, seed: number) {
  const rng = createRng(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
  const y = Array.from({ length: n }, () => rng.normal());
  return { X, y };
}

describe('models', () => {
  it('linear model: xW (+ b), init kinds, homogeneity', () => {
    const m = createLinearModel({ inputSize: 3, init: { kind: 'values', values: [1, 2, 3] } });
    const params = m.init(createRng(0));
    const out = m.apply(params, tf.tensor2d([[1, 1, 1], [1, 0, -1]]));
    expect(Array.from(out.dataSync())).toEqual([6, -2]);
    expect(m.homogeneityDegree).toBe(1);
    const b = createLinearModel({ inputSize: 2, bias: true, init: { kind: 'constant', value: 0.5 } });
    const bp = b.init(createRng(0));
    expect(b.homogeneityDegree).toBeNull();
    expect(Array.from(b.apply([bp[0], tf.tensor1d([1])], tf.tensor2d([[2, 2]])).dataSync())).toEqual([3]);
    expect(() => createLinearModel({ inputSize: 2, init: { kind: 'values', values: [1] } })).toThrow(/2/);
  });

  it('diagonal network: θ = u⊙u − v⊙v, θ₀ = 0 at u₀ = v₀ = α', () => {
    const m = createDiagonalNetwork({ inputSize: 2, alpha: 0.5 });
    const params = m.init(createRng(0));
    expect(Array.from(diagonalNetworkWeights(params).dataSync())).toEqual([0, 0]);
    const theta = diagonalNetworkWeights([tf.tensor1d([2, 1]), tf.tensor1d([1, 3])]); // (4 − 1, 1 − 9)
    expect(Array.from(theta.dataSync())).toEqual([3, -8]);
    expect(Array.from(m.apply([tf.tensor1d([2, 1]), tf.tensor1d([1, 3])], tf.tensor2d([[1, 1]])).dataSync())).toEqual([-5]);
    expect(m.homogeneityDegree).toBe(2);
  });
});

describe('hyperbolic-entropy reference', () => {
  it('matches a hand-worked 2-D case', () => {
    // X = [1 2], β = 1: arcsinh(θ_i/2) = λx_i. With λ = ln 2: θ₁ = 2 sinh(ln 2) = 2·0.75 = 1.5,
    // θ₂ = 2 sinh(2 ln 2) = 2·1.875 = 3.75, so y = 1.5 + 2·3.75 = 9.
    const r = minHyperbolicEntropyInterpolant([[1, 2]], [9], 1);
    expect(r.theta[0]).toBeCloseTo(1.5, 10);
    expect(r.theta[1]).toBeCloseTo(3.75, 10);
    expect(r.lambda[0]).toBeCloseTo(Math.LN2, 10);
  });

  it('satisfies the optimality conditions on a random problem (residuals < 1e-8)', () => {
    const { X, y } = randomProblem(5, 12, 3);
    const beta = 0.3;
    const theta0 = Array.from({ length: 12 }, (_, j) => (j % 3) - 1);
    const { theta } = minHyperbolicEntropyInterpolant(X, y, beta, theta0);
    const primal = Math.max(...X.map((row, i) => Math.abs(row.reduce((s, v, j) => s + v * theta[j], 0) - y[i])));
    expect(primal).toBeLessThan(1e-8);
    // Stationarity: z = arcsinh(θ/2β) − arcsinh(θ₀/2β) must lie in row(X): its least-squares
    // residual against Xᵀ must vanish. Solve (XXᵀ)c = Xz by Gaussian elimination.
    const z = theta.map((t, j) => Math.asinh(t / (2 * beta)) - Math.asinh(theta0[j] / (2 * beta)));
    const n = X.length;
    const A = X.map((a) => X.map((b) => a.reduce((s, v, j) => s + v * b[j], 0)));
    const rhs = X.map((a) => a.reduce((s, v, j) => s + v * z[j], 0));
    for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) {
      const f = A[k][i] / A[i][i];
      for (let j = i; j < n; j++) A[k][j] -= f * A[i][j];
      rhs[k] -= f * rhs[i];
    }
    const c = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) c[i] = (rhs[i] - A[i].slice(i + 1).reduce((s, v, j) => s + v * c[i + 1 + j], 0)) / A[i][i];
    const stationarity = Math.max(...z.map((zj, j) => Math.abs(zj - X.reduce((s, row, i) => s + c[i] * row[j], 0))));
    expect(stationarity).toBeLessThan(1e-8);
  });
});

describe('optimisers reach their references', () => {
  const { X, y } = randomProblem(6, 15, 9);
  const eta = 0.5 / leastSquaresSmoothness(X);

  function fit(rule: ReturnType<typeof gradientDescent>, start: number[], steps: number, rate = eta) {
    const model = createLinearModel({ inputSize: X[0].length, init: { kind: 'values', values: start } });
    const Xt = tf.tensor2d(X);
    const yt = tf.tensor1d(y);
    const r = minimize({ objective: (p) => halfMeanSquaredError(model.apply(p, Xt), yt), rule, params: model.init(createRng(0)), steps, learningRate: rate });
    const theta = valuesOf(r.params);
    tf.dispose([Xt, yt, ...r.params]);
    return { theta, status: r.status };
  }

  it('EG± (hyperbolic entropy, β) → its Bregman projection; p-norm mirror descent → ½‖·‖_p² projection', () => {
    const start = Array.from({ length: 15 }, (_, j) => 0.1 * ((j % 5) - 2));
    const eg = fit(mirrorDescent({ kind: 'eg-pm', scale: 0.5 }), start, 3000, eta / 2);
    expect(relativeDistance(eg.theta, minHyperbolicEntropyInterpolant(X, y, 0.5, start).theta)).toBeLessThan(1e-3);
    const pn = fit(mirrorDescent({ kind: 'p-norm', p: 1.5 }), start, 3000, eta / 2);
    expect(relativeDistance(pn.theta, minPotentialInterpolantLp(X, y, 1.5, start).theta)).toBeLessThan(1e-3);
  });

  it('explicit weight decay λ: GD converges to ridge(λ) — explicit, not implicit, regularisation', () => {
    const wd = fit(withWeightDecay(gradientDescent(), 0.3), new Array<number>(15).fill(0), 2000);
    expect(relativeDistance(wd.theta, ridge(X, y, 0.3))).toBeLessThan(1e-4);
  });

  it('minimize reports divergence for a step far above 2/λ_max', () => {
    const model = createLinearModel({ inputSize: 15 });
    const Xt = tf.tensor2d(X);
    const yt = tf.tensor1d(y);
    const r = minimize({ objective: (p) => halfMeanSquaredError(model.apply(p, Xt), yt), rule: gradientDescent(), params: model.init(createRng(0)),
      steps: 5000, learningRate: 10 / leastSquaresSmoothness(X), checkEvery: 10, divergenceLoss: 1e6 });
    expect(r.status).toBe('diverged');
    expect(r.stepsDone).toBeLessThan(5000);
    tf.dispose([Xt, yt, ...r.params]);
  });
});
