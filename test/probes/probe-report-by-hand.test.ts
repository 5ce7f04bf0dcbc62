/**
 * probeReport (the library function behind `ibl probe`) in process, on the bias-free linear model
 * z = xW with the squared loss, where the numbers have closed forms: the inputs' columns are
 * orthogonal, so the Hessian (XᵀX/n) ⊗ I_k is diagonal with two distinct eigenvalues. Then every
 * Rademacher probe gives tr H (standard error 0); Hutch++ with a sketch wider than p is exact;
 * λ_max and the second distinct eigenvalue are the Krylov space's only Ritz values; a Rademacher
 * SLQ start vector puts weight ½ on each, so the density's moments are exact; the tangent kernel
 * (x·x′)I_k does not depend on θ and the model is its own linearisation. Loss, accuracy, norms
 * (σ_max of a 2 × 3 W from the 2 × 2 WWᵀ), per-example gradient covariance and margins are
 * computed here in float64.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { probeReport, type ProbeReportOptions } from '../../src/probes/probeReport.ts';
import { eigenSeed } from '../../src/probes/probeSuite.ts';
import { toTensorData, type TensorData } from '../../src/train/tensorData.ts';
import { crossEntropy64 } from '../helpers/mlp64.ts';

beforeAll(async () => { await setupBackend(); });

const k = 3;
const X = [[1, 0], [0, 2], [-1, 0], [0, -1], [0.5, 0]]; // XᵀX = diag(2.25, 5)
const labels = Int32Array.from([0, 2, 1, 2, 0]);
const n = X.length;
const W = [[0.5, -1, 2], [1, 0.25, -0.5]];
const W0 = [[0.5, -1, 1], [1, 0.25, -0.5]];
const logitsOf = (rows: number[][]) => rows.map((x) => [0, 1, 2].map((j) => x[0] * W[0][j] + x[1] * W[1][j]));
const residuals = (rows: number[][], ys: Int32Array) => logitsOf(rows).map((z, i) => z.map((v, j) => v - (ys[i] === j ? 1 : 0)));
const squaredLoss = (rows: number[][], ys: Int32Array) => residuals(rows, ys).reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0) / (2 * rows.length);
const gradientOf = (rows: number[][], ys: Int32Array) => {
  const r = residuals(rows, ys);
  return [0, 1].flatMap((a) => [0, 1, 2].map((j) => rows.reduce((s, x, i) => s + x[a] * r[i][j], 0) / rows.length));
};
const sumSq = (v: number[]) => v.reduce((s, t) => s + t * t, 0);
const traceH = (k * (2.25 + 5)) / n;
const [lambdaMax, lambdaOther] = [5 / n, 2.25 / n];
// σ_max(W)² is the larger eigenvalue of WWᵀ = [[a, b], [b, c]].
const [a, b, c] = [sumSq(W[0]), W[0].reduce((s, w, j) => s + w * W[1][j], 0), sumSq(W[1])];
const sigmaMax = Math.sqrt((a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b));

const close = (got: number | null | undefined, want: number, tol = 1e-5) => expect(Math.abs(got! - want)).toBeLessThan(tol * Math.max(1, Math.abs(want)));
const tensorData = (rows: number[][], ys: Int32Array): TensorData => toTensorData({ name: 'hand', n: rows.length, featureShape: [2], numClasses: k, x: Float32Array.from(rows.flat()), y: ys });

describe('probeReport by hand (linear model, squared loss, diagonal Hessian)', () => {
  const model = createMlp({ widths: [2, k], activation: 'linear' });
  let data: TensorData;
  let subset: TensorData;
  let params: tf.Tensor[];
  let init: tf.Tensor[];
  beforeAll(() => {
    data = tensorData(X, labels);
    subset = tensorData(X.slice(0, 2), labels.slice(0, 2));
    params = [tf.tensor2d(W)];
    init = [tf.tensor2d(W0)];
  });
  const run = (options: Partial<ProbeReportOptions>, curvature: TensorData = data) => {
    const t0 = performance.now();
    const result = probeReport(model, params, data, curvature, { probes: [], seed: 11, loss: 'mse', ...options });
    const elapsed = (performance.now() - t0) / 1000;
    // Timings are seconds spent inside the call.
    for (const t of Object.values(result.report.timings)) expect(t >= 0 && t <= elapsed).toBe(true);
    // One timing per probe run, under the probe's own name.
    expect(Object.keys(result.report.timings).sort()).toEqual(['loss', ...(options.probes ?? [])].sort());
    return result;
  };

  it('the header: sizes, loss and accuracy, defaults, and a timing per probe run', () => {
    const { report } = run({});
    expect(report).toMatchObject({ n, curvatureExamples: n, params: 6, lossFunction: 'mse', seed: 11, chunkSize: 1024, hvpMethod: 'exact', normalisation: 'none' });
    close(report.loss, squaredLoss(X, labels));
    expect(report.accuracy).toBe(crossEntropy64(logitsOf(X).flat(), labels, k).accuracy);
    expect(Object.keys(report.timings)).toEqual(['loss']);
    const ce = run({ loss: undefined, chunkSize: 2, hvp: 'finite-difference' }, subset).report;
    expect(ce).toMatchObject({ lossFunction: 'cross-entropy', chunkSize: 2, hvpMethod: 'finite-difference', curvatureExamples: 2 });
    close(ce.loss, crossEntropy64(logitsOf(X).flat(), labels, k).loss);
  });

  it('trace, Hutch++, eigenvalues, per-layer, density: exact on the diagonal Hessian; curvature probes use the curvature set', () => {
    const { report, density } = run({ probes: ['trace', 'hutchpp', 'eig', 'layers', 'density'], topK: 2, learningRate: 0.5, densityRuns: 2 });
    expect(Object.keys(report.timings).sort()).toEqual(['density', 'eig', 'hutchpp', 'layers', 'loss', 'trace']);
    close(report.hessianTrace!.estimate, traceH);
    expect(report.hessianTrace!.stderr).toBeLessThan(1e-6);
    expect(report.hessianTrace!.samples).toBe(20);
    expect(report.hessianTrace!.seed).toBe(11);
    close(report.hutchPlusPlus!.estimate, traceH);
    expect(report.hutchPlusPlus!.matvecs).toBe(30);
    expect(report.topEigenvalues).toHaveLength(2);
    close(report.topEigenvalues![0], lambdaMax);
    close(report.topEigenvalues![1], lambdaOther);
    expect(report.eigen).toMatchObject({ method: 'lanczos', iterations: 2, converged: true, seed: eigenSeed(11) });
    expect(report.sharpness).toEqual({ lambdaMax: report.topEigenvalues![0], learningRate: 0.5, stabilityThreshold: 4 });
    expect(report.perLayer).toHaveLength(1);
    expect(report.perLayer![0]).toMatchObject({ name: 'dense0', layer: 0, params: 6 });
    close(report.perLayer![0].trace, traceH);
    expect(report.perLayer![0].traceStderr).toBeLessThan(1e-6);
    close(report.perLayer![0].lambdaMax, lambdaMax);
    expect(report.density!.runs).toBe(2);
    expect(report.density!.nodes).toHaveLength(2);
    expect(density!.runs).toBe(2);
    close(report.density!.moment1, (lambdaMax + lambdaOther) / 2);
    close(report.density!.moment2, (lambdaMax ** 2 + lambdaOther ** 2) / 2);
    // Defaults and options: 5 SLQ runs, a trace sample count, the eigen method, no learning rate.
    const other = run({ probes: ['trace', 'eig', 'density'], traceSamples: 4, eigMethod: 'power' }).report;
    expect(other.hessianTrace!.samples).toBe(4);
    expect(other.density!.runs).toBe(5);
    expect(other.eigen!.method).toBe('power');
    close(other.topEigenvalues![0], lambdaMax);
    expect(other.topEigenvalues).toHaveLength(1);
    expect(other.sharpness).toMatchObject({ learningRate: null, stabilityThreshold: null });
    // Finite-difference HVPs (exact on a quadratic) reach every curvature probe; the early stop
    // at a relative standard error (0 at the minimum of 10 probes); Hutch++'s budget.
    const fd = run({ probes: ['trace', 'hutchpp'], hvp: 'finite-difference', traceSamples: 14, relativeStderr: 0.01 }).report;
    expect(fd.hessianTrace!.hvp).toBe('finite-difference');
    expect(fd.hutchPlusPlus!.hvp).toBe('finite-difference');
    close(fd.hessianTrace!.estimate, traceH, 1e-3);
    expect(fd.hessianTrace!.samples).toBe(10);
    expect(fd.hutchPlusPlus!.matvecs).toBe(14);
    // Subset rows (1, 0), (0, 2): XᵀX = diag(1, 4), n = 2: tr H = 7.5, λ_max = 2.
    const sub = run({ probes: ['trace', 'eig'], traceSamples: 3 }, subset).report;
    close(sub.hessianTrace!.estimate, 7.5);
    close(sub.topEigenvalues![0], 2);
  });

  it('eigTol reaches power iteration and the per-layer Lanczos; densitySteps reaches SLQ', () => {
    const tight = run({ probes: ['eig'], loss: 'cross-entropy', eigMethod: 'power', eigTol: 1e-10 }).report;
    const loose = run({ probes: ['eig'], loss: 'cross-entropy', eigMethod: 'power', eigTol: 0.5 }).report;
    expect(loose.eigen!.iterations).toBe(2); // stops at its first check (2nd iterate): two Rayleigh quotients within 50%
    expect(tight.eigen!.iterations).toBeGreaterThan(2);
    // A tolerance of 0.99 lets Lanczos stop at its first Ritz value, a Rayleigh quotient below λ_max.
    const layersLoose = run({ probes: ['layers'], loss: 'cross-entropy', eigTol: 0.99 }).report.perLayer![0].lambdaMax;
    const layersTight = run({ probes: ['layers'], loss: 'cross-entropy', eigTol: 1e-10 }).report.perLayer![0].lambdaMax;
    close(layersTight, tight.topEigenvalues![0], 1e-4);
    expect(layersLoose).toBeLessThan(0.99 * layersTight);
    // One SLQ step: the single node is the Rayleigh quotient of a Rademacher vector, tr H / p, with weight 1.
    const d = run({ probes: ['density'], densitySteps: 1, densityRuns: 2 }).report.density!;
    expect(d.steps).toBe(1);
    expect(d.nodes.map((r) => r.length)).toEqual([1, 1]);
    close(d.moment1, traceH / 6);
  });

  it('eigMaxIterations caps Lanczos steps and power iterations', () => {
    const lanczos = run({ probes: ['eig'], loss: 'cross-entropy', eigTol: 1e-14, eigMaxIterations: 2 }).report;
    expect(lanczos.eigen!.iterations).toBe(2);
    const power = run({ probes: ['eig'], loss: 'cross-entropy', eigMethod: 'power', eigTol: 1e-14, eigMaxIterations: 3 }).report;
    expect(power.eigen!.iterations).toBe(3);
  });

  it('‖∇L‖ over all examples; gradient noise over the curvature set; ε-sharpness options', () => {
    const { report } = run({ probes: ['gradnorm', 'noise', 'sharpness'], epsilon: 0.01 }, subset);
    const g2 = sumSq(gradientOf(X, labels));
    close(report.gradNormSquared, g2);
    close(report.gradNorm, Math.sqrt(g2));
    // Per-example gradients on the subset: g_i = x_i ⊗ r_i, ‖g_i‖² = ‖x_i‖²‖r_i‖²; tr Σ = (Σ‖g_i‖² − m‖ḡ‖²)/(m − 1).
    const sub = X.slice(0, 2);
    const r = residuals(sub, labels.slice(0, 2));
    const gBar = gradientOf(sub, labels.slice(0, 2));
    const perExample = sub.reduce((s, x, i) => s + sumSq(x) * sumSq(r[i]), 0);
    close(report.noise!.gradNormSquared, sumSq(gBar));
    close(report.noise!.traceCovariance, perExample - 2 * sumSq(gBar));
    expect(report.noise!.examples).toBe(2);
    expect(report.epsilonSharpness!.epsilon).toBe(0.01);
    close(report.epsilonSharpness!.loss, squaredLoss(sub, labels.slice(0, 2)));
    expect(report.epsilonSharpness!.maxLoss).toBeGreaterThan(report.epsilonSharpness!.loss);
    const defaults = run({ probes: ['noise', 'sharpness'] }).report;
    expect(defaults.noise!.examples).toBe(n);
    expect(defaults.epsilonSharpness!.epsilon).toBe(1e-3);
    expect(run({ probes: ['noise'], noiseExamples: 3 }).report.noise!.examples).toBe(3);
  });

  it('norms, path norm and distance from θ₀; margins', () => {
    const { report } = run({ probes: ['norms', 'margin'], init });
    const flat = W.flat();
    const frob = Math.sqrt(sumSq(flat));
    close(report.norms!.l2, frob);
    close(report.norms!.l1, flat.reduce((s, w) => s + Math.abs(w), 0));
    close(report.norms!.linf, 2);
    close(report.norms!.perLayerFrobenius[0], frob);
    close(report.norms!.perLayerSpectral[0], sigmaMax);
    close(report.norms!.productSpectral, sigmaMax);
    close(report.norms!.productFrobenius, frob);
    close(report.norms!.pathNorm, frob); // one bias-free layer: (Σ W²)^{1/2}
    close(report.norms!.distanceFromInit!.l2, 1);
    close(report.norms!.distanceFromInit!.relative, 1 / Math.sqrt(sumSq(W0.flat())));
    expect(run({ probes: ['norms'] }).report.norms!.distanceFromInit).toBeNull();
    const q = logitsOf(X).map((z, i) => z[labels[i]] - Math.max(...z.filter((_, j) => j !== labels[i])));
    const m = report.margin!;
    close(m.minUnnormalized, Math.min(...q));
    close(m.normalized, Math.min(...q) / frob);
    close(m.normalizedByLayerProduct, Math.min(...q) / frob);
    expect(m.quantilesOf).toBe('normalized');
    close(m.quantiles.at(-1)!.value, Math.max(...q) / frob);
    expect(m.fractionPositive).toBe(q.filter((v) => v > 0).length / n);
    expect(m.homogeneity.verified).toBe(true);
    expect('undefinedReason' in m).toBe(false);
    // A model with biases: no normalized margin, and the reason.
    const biased = createMlp({ widths: [2, k], activation: 'linear', bias: true });
    const withBias = [params[0], tf.tensor1d([0, 0, 0])];
    const mb = probeReport(biased, withBias, data, data, { probes: ['margin'], seed: 1 }).report.margin!;
    expect(mb.normalized).toBeNull();
    expect(mb.undefinedReason).toMatch(/is not positively homogeneous/);
    withBias[1].dispose();
  });

  it('lazy: needs θ₀; the linear model\'s kernel does not move and it is its own linearisation', () => {
    expect(() => run({ probes: ['lazy'] })).toThrow("probe 'lazy' needs the initialisation θ₀ (--init, or a lazy-model checkpoint, which stores it)");
    const lazy = run({ probes: ['lazy'], init }, subset).report.lazy!;
    close(lazy.relativeMovement, 1 / Math.sqrt(sumSq(W0.flat())));
    expect(lazy.perLayerRelativeMovement).toHaveLength(1);
    close(lazy.perLayerRelativeMovement[0].relative, 1 / Math.sqrt(sumSq(W0.flat())));
    expect(lazy.kernelChange).toBeLessThan(1e-6);
    close(lazy.kernelAlignment, lazy.kernelAlignmentInitial);
    expect(lazy.kernelExamples).toBe(2);
    expect(lazy.kernelBackwardPasses).toBeGreaterThan(0);
    expect(lazy.linearisationDistance).toBeLessThan(1e-5);
    expect(lazy.linearisationRelative!).toBeLessThan(1e-5);
  });

  it('landscape: 2·points − 1 and points samples; α = 0 is the loss at θ', () => {
    const result = run({ probes: ['landscape'], landscapePoints: 3 });
    const { oneD, twoD } = result.report.landscape!;
    expect(oneD.alphas).toHaveLength(5);
    expect(twoD.alphas).toHaveLength(3);
    expect(twoD.betas).toHaveLength(3);
    close(oneD.baseLoss, squaredLoss(X, labels));
    close(twoD.baseLoss, squaredLoss(X, labels));
    close(oneD.losses[2], squaredLoss(X, labels));
    expect(result.landscape1d!.alphas).toEqual(oneD.alphas);
    expect(result.landscape2d!.losses).toEqual(twoD.losses);
    expect(run({ probes: ['landscape'] }).report.landscape!.oneD.alphas).toHaveLength(21);
  });

  it('per-layer probes count each layer\'s own parameters (two layers: 2·3 and 3·3)', () => {
    const deep = createMlp({ widths: [2, 3, k], activation: 'linear' });
    const deepParams = [tf.tensor2d(W), tf.tensor2d([[1, 0, 0.5], [0, 1, -1], [0.25, 0, 1]])];
    const { report } = probeReport(deep, deepParams, data, data, { probes: ['layers'], seed: 3, loss: 'mse', traceSamples: 2 });
    expect(report.perLayer!.map((l) => [l.layer, l.params])).toEqual([[0, 6], [1, 9]]);
    tf.dispose(deepParams);
  });
});
