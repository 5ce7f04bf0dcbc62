/**
 * Norms, margins, ε-sharpness, gradient noise and loss landscapes against independent
 * computations: ml-matrix SVD, brute-force path enumeration, closed-form quadratics and least
 * squares.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { distanceFromInit, layerNorms, pathNorm, spectralNorm } from '../src/probes/norms.ts';
import { checkHomogeneity, normalizedMargin } from '../src/probes/margin.ts';
import { epsilonSharpness } from '../src/probes/sharpness.ts';
import { gradientNoiseScale } from '../src/probes/gradientNoise.ts';
import { classificationObjective, objectiveGradient, objectiveHessian, type Objective } from '../src/probes/objective.ts';
import { filterNormalizedDirection, landscapeHeatmap, landscapeLineFigure, lossLandscape1d, lossLandscape2d } from '../src/probes/landscape.ts';
import { dot, flatten } from '../src/probes/operator.ts';
import { saveFigure } from '../src/report/figure.ts';
import { saveHeatmap } from '../src/report/heatmap.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';
import { syntheticDataset } from './helpers/data.ts';
import { createResidualMlp } from './helpers/models.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('norms', () => {
  beforeAll(async () => { await setupBackend(); });

  it('spectral norms by power iteration match the ml-matrix SVD to 1e-6; products and Frobenius norms are consistent', () => {
    const model = createMlp({ widths: [30, 20, 15, 4] });
    const params = model.init(createRng(1));
    const norms = layerNorms(model, params);
    params.forEach((w, i) => {
      const [m, n] = w.shape;
      const svd = new SingularValueDecomposition(new Matrix(Array.from({ length: m }, (_, r) => Array.from(w.dataSync().slice(r * n, (r + 1) * n)))));
      expect(rel(norms.perLayerSpectral[i]!, svd.diagonal[0]), `layer ${i}`).toBeLessThan(1e-6);
      expect(rel(norms.perLayerFrobenius[i], Math.hypot(...svd.diagonal))).toBeLessThan(1e-6);
    });
    expect(rel(norms.productSpectral, norms.perLayerSpectral.reduce<number>((p, s) => p * s!, 1))).toBeLessThan(1e-12);
    // A conv-shaped kernel is reshaped to [kh·kw·cin, cout].
    const conv = tf.tensor(Array.from(seededValues(3 * 3 * 2 * 5, 4)), [3, 3, 2, 5]);
    const svd = new SingularValueDecomposition(new Matrix(Array.from({ length: 18 }, (_, r) => Array.from(conv.dataSync().slice(r * 5, (r + 1) * 5)))));
    expect(rel(spectralNorm(conv).value, svd.diagonal[0])).toBeLessThan(1e-6);
  });

  it('the path norm of a bias-free ReLU net equals brute-force enumeration over paths, and is invariant to neuron rescaling', () => {
    const widths = [3, 4, 3, 2];
    const model = createMlp({ widths });
    const params = model.init(createRng(2));
    const w = params.map((t) => t.dataSync());
    let l2 = 0;
    let l1 = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) for (let o = 0; o < 2; o++) {
      const a = w[0][i * 4 + j];
      const b = w[1][j * 3 + k];
      const c = w[2][k * 2 + o];
      l2 += (a * b * c) ** 2;
      l1 += Math.abs(a * b * c);
    }
    expect(rel(pathNorm(model, params)!, Math.sqrt(l2))).toBeLessThan(1e-6);
    expect(rel(pathNorm(model, params, 1)!, l1)).toBeLessThan(1e-6);
    // Scale hidden unit 1's incoming weights by 5 and outgoing by 1/5: same function, same path norm.
    const inScale = tf.tensor1d([1, 5, 1, 1]);
    const rescaled = [tf.mul(params[0], inScale), tf.div(params[1], inScale.reshape([4, 1])), params[2]];
    expect(rel(pathNorm(model, rescaled)!, Math.sqrt(l2))).toBeLessThan(1e-5);
    expect(pathNorm(createMlp({ widths, bias: true }), createMlp({ widths, bias: true }).init(createRng(1)))).toBeNull();
  });

  it('distance from initialisation', () => {
    const model = createMlp({ widths: [4, 3, 2] });
    const init = model.init(createRng(3));
    const moved = init.map((t, i) => (i === 0 ? tf.add(t, tf.onesLike(t)) : t)); // 12 entries +1
    const d = distanceFromInit(moved, init);
    expect(d.l2).toBeCloseTo(Math.sqrt(12), 5);
    expect(rel(d.relative, Math.sqrt(12) / Math.sqrt(flatten(init).reduce((s, x) => s + x * x, 0)))).toBeLessThan(1e-6);
  });
});

describe('margin homogeneity', () => {
  beforeAll(async () => { await setupBackend(); });
  const x = () => tf.tensor2d(Array.from(seededValues(40 * 5, 8)), [40, 5]);
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 3);

  it('a bias-free ReLU MLP is verified 3-homogeneous: f(cθ) = c³ f(θ), measured degree 3', () => {
    const model = createMlp({ widths: [5, 7, 6, 3] });
    const params = model.init(createRng(1));
    const h = checkHomogeneity(model, params, x());
    expect(h.verified).toBe(true);
    expect(h.declared).toBe(3);
    expect(h.measured!).toBeCloseTo(3, 4);
    const m = normalizedMargin(model, params, x(), labels);
    expect(m.normalized).not.toBeNull();
    expect(m.quantilesOf).toBe('normalized');
  });

  it('non-homogeneous models (biases, tanh, residual) get an undefined normalized margin with a reason', () => {
    for (const model of [createMlp({ widths: [5, 7, 3], bias: true }), createMlp({ widths: [5, 7, 3], activation: 'tanh' }), createResidualMlp(5, 7, 3, 1, 'relu')]) {
      const params = model.init(createRng(2));
      if (model.paramSpecs.some((s) => s.name.endsWith('/bias'))) params[1] = tf.fill(params[1].shape, 0.3);
      const m = normalizedMargin(model, params, x(), labels);
      expect(m.normalized).toBeNull();
      expect(m.normalizedByLayerProduct).toBeNull();
      expect(m.undefinedReason).toMatch(/not positively homogeneous/);
      expect(Number.isFinite(m.minUnnormalized)).toBe(true);
    }
  });

  it('a model that declares a degree it does not have fails the numerical check', () => {
    const honest = createResidualMlp(5, 7, 3, 1, 'relu');
    const liar = { ...honest, homogeneityDegree: 3 };
    const params = liar.init(createRng(3));
    const h = checkHomogeneity(liar, params, x());
    expect(h.verified).toBe(false);
    expect(h.relativeError!).toBeGreaterThan(1e-2);
    const m = normalizedMargin(liar, params, x(), labels);
    expect(m.normalized).toBeNull();
    expect(m.undefinedReason).toMatch(/declares degree 3 but f\(cθ\) ≠ c\^3 f\(θ\)/);
  });
});

/** L(θ) = Σ_i a_i (θ_i − c_i)² / 2 as an objective over one "chunk". */
function quadratic(a: number[], c: number[]): Objective {
  return {
    n: 1,
    chunkSize: 1,
    chunkLoss: (params) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(tf.sub(params[0], tf.tensor1d(c)))))) as tf.Scalar),
  };
}

describe('ε-sharpness (Keskar et al. 2017)', () => {
  beforeAll(async () => { await setupBackend(); });

  it('convex diagonal quadratic: the maximum over the box is at the far vertex, in closed form', () => {
    const theta = [0.5, -2, 0, 3];
    const c = [0.4, -2.1, 0, 2.5];
    const a = [2, 0.5, 3, 1];
    const eps = 1e-2;
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(quadratic(a, c), params, { epsilon: eps, iterations: 50, rng: createRng(1) });
    const loss = theta.reduce((s, t, i) => s + 0.5 * a[i] * (t - c[i]) ** 2, 0);
    // Each coordinate moves to whichever end of [θ_i − b_i, θ_i + b_i] is farther from c_i.
    const maxLoss = theta.reduce((s, t, i) => { const b = eps * (Math.abs(t) + 1); return s + 0.5 * a[i] * (Math.abs(t - c[i]) + b) ** 2; }, 0);
    expect(rel(r.loss, loss)).toBeLessThan(1e-5);
    expect(rel(r.maxLoss, maxLoss)).toBeLessThan(1e-5);
    expect(rel(r.relativeIncrease, (maxLoss - loss) / (1 + loss))).toBeLessThan(1e-4);
    expect(r.fractionAtBoundary).toBe(1);
    expect(r.epsilon).toBe(eps);
  });

  it('concave quadratic with its maximum inside the box: found to 1e-4', () => {
    const theta = [1, -1, 2];
    const c = [1.003, -1.001, 2.002]; // inside the box b_i = 1e-2 (|θ_i| + 1)
    const obj: Objective = { n: 1, chunkSize: 1, chunkLoss: (ps) => tf.tidy(() => tf.neg(quadratic([1, 2, 3], c).chunkLoss(ps, 0, 1)) as tf.Scalar) };
    const r = epsilonSharpness(obj, [tf.tensor1d(theta)], { epsilon: 1e-2, iterations: 200, rng: createRng(2) });
    const loss = -theta.reduce((s, t, i) => s + 0.5 * [1, 2, 3][i] * (t - c[i]) ** 2, 0);
    expect(Math.abs(r.maxLoss - 0)).toBeLessThan(1e-4 * Math.abs(loss));
    expect(r.fractionAtBoundary).toBe(0);
  });
});

describe('gradient norm and noise scale on least squares (closed-form per-example gradients)', () => {
  beforeAll(async () => { await setupBackend(); });
  it('‖∇L‖², tr(Σ) and B_simple match float64 sums', () => {
    const n = 30;
    const p = 6;
    const X = seededValues(n * p, 1);
    const y = seededValues(n, 2);
    const theta = seededValues(p, 3);
    const obj: Objective = {
      n, chunkSize: 7,
      chunkLoss: (ps, start, size) => tf.tidy(() => {
        const xs = tf.tensor2d(Array.from(X.subarray(start * p, (start + size) * p)), [size, p]);
        const r = tf.sub(tf.matMul(xs, ps[0].reshape([p, 1])).reshape([size]), tf.tensor1d(Array.from(y.subarray(start, start + size))));
        return tf.mul(0.5, tf.mean(tf.square(r))) as tf.Scalar;
      }),
    };
    const per = Array.from({ length: n }, (_, i) => {
      let r = -y[i];
      for (let j = 0; j < p; j++) r += X[i * p + j] * theta[j];
      return Array.from({ length: p }, (_, j) => r * X[i * p + j]);
    });
    const G = Array.from({ length: p }, (_, j) => per.reduce((s, g) => s + g[j], 0) / n);
    const g2 = G.reduce((s, g) => s + g * g, 0);
    const trSigma = per.reduce((s, g) => s + g.reduce((t, gj, j) => t + (gj - G[j]) ** 2, 0), 0) / (n - 1);
    const r = gradientNoiseScale(obj, [tf.tensor1d(Array.from(theta))], { examples: n });
    expect(rel(r.gradNormSquared, g2)).toBeLessThan(1e-5);
    expect(rel(r.traceCovariance, trSigma)).toBeLessThan(1e-5);
    expect(rel(r.simpleNoiseScale, trSigma / g2)).toBeLessThan(1e-5);
  });
});

describe('loss landscape (Li et al. 2018)', () => {
  beforeAll(async () => { await setupBackend(); });

  it('filter-normalized directions match each filter norm of θ, and zero the biases', () => {
    const model = createMlp({ widths: [6, 5, 3], bias: true });
    const params = model.init(createRng(1));
    params[1] = tf.fill([5], 0.2);
    const d = filterNormalizedDirection(params, createRng(2));
    const theta = flatten(params);
    // kernel 0 is [6, 5]: filter j is column j.
    for (let j = 0; j < 5; j++) {
      let dn = 0; let tn = 0;
      for (let i = 0; i < 6; i++) { dn += d[i * 5 + j] ** 2; tn += theta[i * 5 + j] ** 2; }
      expect(rel(Math.sqrt(dn), Math.sqrt(tn))).toBeLessThan(1e-9);
    }
    expect(Array.from(d.slice(30, 35))).toEqual([0, 0, 0, 0, 0]);
  });

  it('the 1-D slice of a classifier is L + αgᵀd + ½α²dᵀHd to third order; the 2-D slice passes through L(θ) at the origin; figures are written', () => {
    const model = createMlp({ widths: [4, 6, 3], activation: 'tanh' });
    const data = toTensorData(syntheticDataset(30, 4, 3, 4));
    const params = model.init(createRng(5));
    const obj = classificationObjective(model, data, 16);
    const slice = lossLandscape1d(obj, params, { range: [-1e-2, 1e-2], points: 5, rng: createRng(6) });
    const { loss, gradient } = objectiveGradient(obj, params);
    const dHd = dot(slice.direction, objectiveHessian(obj, params).apply(slice.direction));
    slice.alphas.forEach((a, i) => {
      const taylor = loss + a * dot(gradient, slice.direction) + 0.5 * a * a * dHd;
      expect(Math.abs(slice.losses[i] - taylor)).toBeLessThan(2e-6);
    });
    expect(slice.losses[2]).toBeCloseTo(loss, 6);
    const grid = lossLandscape2d(obj, params, { points: 5, rng: createRng(7) });
    expect(grid.losses).toHaveLength(5);
    expect(grid.losses[2][2]).toBeCloseTo(grid.baseLoss, 6);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-landscape-'));
    saveFigure(landscapeLineFigure(lossLandscape1d(obj, params, { points: 9, rng: createRng(6) })), path.join(dir, 'line.png'), { caption: 'test line' });
    saveHeatmap(landscapeHeatmap(grid), path.join(dir, 'contour.png'), { caption: 'test contour' });
    expect(fs.statSync(path.join(dir, 'line.png')).size).toBeGreaterThan(1000);
    expect(fs.statSync(path.join(dir, 'contour.png')).size).toBeGreaterThan(1000);
  });
});
