/**
 * Top Hessian eigenvalues and the spectral density (the PyHessian `eigenvalues` and `density`
 * probes; Cohen et al. 2021 track the sharpness λ_max with Lanczos).
 *
 * Power iteration with deflation finds the k eigenvalues of largest magnitude one at a time:
 * iterate v ← Hv/‖Hv‖ orthogonally to the eigenvectors already found (equivalently, on the
 * deflated operator H − Σ λ_j u_j u_jᵀ restricted to their complement) until the Rayleigh
 * quotient changes by less than `tol` relative. Its convergence rate is |λ_{k+1}/λ_k| per step.
 *
 * Lanczos with full reorthogonalisation builds an orthonormal Krylov basis Q_m and the
 * tridiagonal T_m = Q_mᵀHQ_m; the Ritz values (eigenvalues of T_m) converge to the extreme
 * eigenvalues much faster than power iteration. A Ritz pair (θ_i, y_i = Q_m s_i) has residual
 * ‖Hy_i − θ_i y_i‖ = β_m |s_{m,i}|; we stop when it is below tol·|θ_i| for each of the top k.
 * Memory: the basis holds m vectors of p float64 values.
 *
 * Stochastic Lanczos quadrature (Golub & Welsch 1969; Ghorbani, Krishnan & Xiao 2019): for a
 * unit start vector v, the m-step Lanczos tridiagonal's eigenvalues θ_j and squared first
 * eigenvector components τ_j form a Gauss quadrature of the spectral measure μ_v = Σ_i
 * (vᵀu_i)² δ_{λ_i}, exact for polynomials of degree ≤ 2m−1; averaging over random v
 * (E μ_v = (1/p) Σ_i δ_{λ_i}) and broadening each node by a Gaussian gives the density.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from '../util/rng.ts';
import type { Figure } from '../report/figure.ts';
import { axpy, dot, norm2, orthogonalize, restrictOperator, type HessianOperator, type HvpMethod, type ParamBlock } from './operator.ts';
import { rademacher } from './hessianTrace.ts';

export interface EigenResult {
  /** Sorted: by decreasing magnitude (power), decreasing value (Lanczos). */
  eigenvalues: number[];
  eigenvectors: Float64Array[];
  /** Power: iterations summed over the k eigenvalues; Lanczos: Krylov dimension reached. */
  iterations: number;
  matvecs: number;
  converged: boolean;
  method: 'power' | 'lanczos';
  hvp: HvpMethod;
  /** ‖Hu − λu‖ / |λ| of each returned pair. */
  relativeResiduals: number[];
}

export interface PowerIterationOptions {
  k?: number;
  /** Relative change of the Rayleigh quotient that counts as converged (default 1e-6). */
  tol?: number;
  /** Per eigenvalue (default 1000). */
  maxIterations?: number;
  rng: Rng;
}

function randomUnit(p: number, rng: Rng): Float64Array {
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = rng.normal();
  const n = norm2(v);
  return v.map((t) => t / n);
}

/** Top-k eigenvalues (largest |λ|) by power iteration with deflation. */
export function powerIteration(op: HessianOperator, options: PowerIterationOptions): EigenResult {
  const { k = 1, tol = 1e-6, maxIterations = 1000, rng } = options;
  const p = op.dimension;
  const start = op.matvecs;
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const residuals: number[] = [];
  let iterations = 0;
  let converged = true;
  for (let e = 0; e < Math.min(k, p); e++) {
    let v: Float64Array = randomUnit(p, rng);
    orthogonalize(v, vectors);
    const vNorm = norm2(v); // once: inside the map it would cost O(p²)
    v = v.map((t) => t / vNorm);
    let lambda = 0;
    let hv: Float64Array = new Float64Array(p);
    let done = false;
    for (let it = 0; it < maxIterations; it++) {
      iterations++;
      hv = op.apply(v);
      orthogonalize(hv, vectors); // deflation: Hv restricted to the complement of found vectors
      const next = dot(v, hv);
      const n = norm2(hv);
      if (n === 0) { lambda = 0; done = true; break; }
      const change = Math.abs(next - lambda);
      lambda = next;
      v = hv.map((t) => t / n);
      if (it > 0 && change <= tol * Math.abs(lambda)) { done = true; break; }
    }
    converged &&= done;
    // Final Rayleigh quotient and residual at the returned vector.
    const hu = op.apply(v);
    lambda = dot(v, hu);
    const r = hu.slice();
    axpy(-lambda, v, r);
    orthogonalize(r, vectors);
    values.push(lambda);
    vectors.push(v);
    residuals.push(norm2(r) / Math.max(Math.abs(lambda), 1e-300));
  }
  return { eigenvalues: values, eigenvectors: vectors, iterations, matvecs: op.matvecs - start, converged, method: 'power', hvp: op.method, relativeResiduals: residuals };
}

/** Eigen-decomposition of the symmetric tridiagonal with diagonal α and off-diagonal β. */
export function tridiagonalEigen(alpha: readonly number[], beta: readonly number[]): { values: number[]; vectors: number[][] } {
  // ml-matrix's tql2 fails on NaN with a TypeError from deep inside; say what went wrong instead.
  if (!alpha.every(Number.isFinite) || !beta.every(Number.isFinite)) {
    throw new Error('Lanczos: a Hessian-vector product is not finite (NaN or ±Inf): the loss or θ is not finite where the curvature was probed');
  }
  const m = alpha.length;
  const t = Matrix.zeros(m, m);
  for (let i = 0; i < m; i++) {
    t.set(i, i, alpha[i]);
    if (i + 1 < m) { t.set(i, i + 1, beta[i]); t.set(i + 1, i, beta[i]); }
  }
  const eig = new EigenvalueDecomposition(t, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix.to2DArray(); // columns are eigenvectors
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  return { values: order.map((i) => values[i]), vectors: vectors.map((row) => order.map((i) => row[i])) };
}

export interface LanczosRun {
  alpha: number[];
  /** β_1…β_m: β_j couples q_j and q_{j+1}; the last one is the residual norm of the run. */
  beta: number[];
  basis: Float64Array[];
  /** True if the Krylov space became invariant (β ≈ 0): the Ritz values are then exact. */
  invariant: boolean;
}

/**
 * Lanczos with full reorthogonalisation from unit vector `start`. `onStep` is called after each
 * step with the run so far and may return true to stop.
 */
export function lanczos(op: HessianOperator, start: Float64Array, maxSteps: number, onStep?: (run: LanczosRun) => boolean): LanczosRun {
  const p = op.dimension;
  const steps = Math.min(maxSteps, p);
  const startNorm = norm2(start); // once: inside the map it would cost O(p²) (≈0.1 s at p = 10⁴)
  const q0 = start.map((t) => t / startNorm);
  const run: LanczosRun = { alpha: [], beta: [], basis: [q0], invariant: false };
  for (let j = 0; j < steps; j++) {
    const q = run.basis[j];
    const w = op.apply(q);
    const a = dot(q, w);
    run.alpha.push(a);
    orthogonalize(w, run.basis); // full reorthogonalisation (subsumes the three-term recurrence)
    const b = norm2(w);
    run.beta.push(b);
    const scaleNorm = Math.max(Math.abs(a), ...run.beta.slice(0, -1), 1e-300);
    if (b <= 1e-10 * scaleNorm) { run.invariant = true; break; }
    if (onStep?.(run)) break;
    if (j + 1 < steps) run.basis.push(w.map((t) => t / b));
  }
  return run;
}

export interface LanczosOptions {
  k?: number;
  tol?: number;
  /** Maximum Krylov dimension (default min(p, max(30, 4k))… grown up to 200). */
  maxSteps?: number;
  rng: Rng;
  /** Start vector (normalised internally) instead of a random one: a warm start. */
  start?: Float64Array;
}

/** Top-k (algebraically largest) eigenvalues by Lanczos with full reorthogonalisation. */
export function lanczosTopEigenvalues(op: HessianOperator, options: LanczosOptions): EigenResult {
  const { k = 1, tol = 1e-6, rng } = options;
  const p = op.dimension;
  const maxSteps = Math.min(p, options.maxSteps ?? 200);
  const start = op.matvecs;
  let converged = false;
  const ritzOf = (run: LanczosRun) => {
    const m = run.alpha.length;
    const { values, vectors } = tridiagonalEigen(run.alpha, run.beta.slice(0, m - 1));
    const top = values.map((_, i) => i).reverse().slice(0, Math.min(k, m));
    const betaM = run.beta[m - 1] ?? 0;
    return top.map((i) => ({ value: values[i], s: vectors.map((row) => row[i]), residual: run.invariant ? 0 : Math.abs(betaM * vectors[m - 1][i]) }));
  };
  const run = lanczos(op, options.start ?? randomUnit(p, rng), maxSteps, (r) => {
    if (r.alpha.length < Math.min(k, p)) return false;
    const ritz = ritzOf(r);
    converged = ritz.length === Math.min(k, p) && ritz.every((t) => t.residual <= tol * Math.abs(t.value));
    return converged;
  });
  if (run.invariant || run.alpha.length >= p) converged = true;
  const ritz = ritzOf(run);
  const m = run.alpha.length;
  const eigenvectors = ritz.map(({ s }) => {
    const y = new Float64Array(p);
    for (let j = 0; j < m; j++) axpy(s[j], run.basis[j], y);
    return y;
  });
  return {
    eigenvalues: ritz.map((t) => t.value),
    eigenvectors,
    iterations: m,
    matvecs: op.matvecs - start,
    converged,
    method: 'lanczos',
    hvp: op.method,
    relativeResiduals: ritz.map((t) => t.residual / Math.max(Math.abs(t.value), 1e-300)),
  };
}

export interface TopEigenOptions extends LanczosOptions { method?: 'lanczos' | 'power'; maxIterations?: number }

export function topEigenvalues(op: HessianOperator, options: TopEigenOptions): EigenResult {
  return options.method === 'power' ? powerIteration(op, options) : lanczosTopEigenvalues(op, options);
}

export interface BlockEigen extends ParamBlock { lambdaMax: number; iterations: number; converged: boolean }

/** λ_max of each diagonal block H_bb (Lanczos on the block-restricted operator). */
export function perLayerLambdaMax(op: HessianOperator, blocks: readonly ParamBlock[], options: LanczosOptions): BlockEigen[] {
  return blocks.map((block) => {
    const r = lanczosTopEigenvalues(restrictOperator(op, block), { ...options, k: 1 });
    return { ...block, lambdaMax: r.eigenvalues[0], iterations: r.iterations, converged: r.converged };
  });
}

export interface SpectralDensity {
  /** Per run: Gauss-quadrature nodes θ_j (Ritz values) and weights τ_j (sum to 1). */
  nodes: number[][];
  weights: number[][];
  steps: number;
  runs: number;
  matvecs: number;
  hvp: HvpMethod;
}

export interface SlqOptions {
  /** Independent start vectors (default 5). */
  runs?: number;
  /** Lanczos steps per run (default 40, at most p). */
  steps?: number;
  rng: Rng;
  /** Explicit start vectors (normalised internally) instead of Rademacher draws. */
  startVectors?: Float64Array[];
}

/** Stochastic Lanczos quadrature of the Hessian's spectral density. */
export function spectralDensitySLQ(op: HessianOperator, options: SlqOptions): SpectralDensity {
  const runs = options.startVectors?.length ?? options.runs ?? 5;
  const steps = Math.min(options.steps ?? 40, op.dimension);
  const start = op.matvecs;
  const nodes: number[][] = [];
  const weights: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const v = options.startVectors?.[r] ?? rademacher(op.dimension, options.rng);
    const run = lanczos(op, v, steps);
    const m = run.alpha.length;
    const { values, vectors } = tridiagonalEigen(run.alpha, run.beta.slice(0, m - 1));
    nodes.push(values);
    weights.push(values.map((_, i) => vectors[0][i] ** 2));
  }
  return { nodes, weights, steps, runs, matvecs: op.matvecs - start, hvp: op.method };
}

/** ∫ λ^k dμ of the (unbroadened) SLQ measure, averaged over runs: estimates (1/p) tr(H^k). */
export function densityMoment(density: SpectralDensity, k: number): number {
  let total = 0;
  density.nodes.forEach((nodes, r) => nodes.forEach((t, j) => { total += density.weights[r][j] * t ** k; }));
  return total / density.runs;
}

/** A default broadening: 1% of the node range (or 1e-3 if all nodes coincide). */
export function defaultBroadening(density: SpectralDensity): number {
  const all = density.nodes.flat();
  const range = Math.max(...all) - Math.min(...all);
  return range > 0 ? 0.01 * range : 1e-3;
}

/** The Gaussian-broadened density (1/runs) Σ_r Σ_j τ_rj N(t; θ_rj, σ²) on a grid. */
export function densityOnGrid(density: SpectralDensity, grid: readonly number[], sigma = defaultBroadening(density)): number[] {
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI) * density.runs);
  return grid.map((t) => {
    let s = 0;
    density.nodes.forEach((nodes, r) => nodes.forEach((theta, j) => { s += density.weights[r][j] * Math.exp(-0.5 * ((t - theta) / sigma) ** 2); }));
    return c * s;
  });
}

/** An evenly spaced grid covering every node ± 5σ. */
export function densityGrid(density: SpectralDensity, points = 1000, sigma = defaultBroadening(density)): number[] {
  const all = density.nodes.flat();
  const lo = Math.min(...all) - 5 * sigma;
  const hi = Math.max(...all) + 5 * sigma;
  return Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}

/**
 * The broadened SLQ density against eigenvalue, on a symmetric-log density axis (linear near
 * zero, so that empty regions show as 0 rather than vanishing, logarithmic above — the bulk
 * near λ ≈ 0 and the few outliers are then both visible).
 */
export function spectralDensityFigure(density: SpectralDensity, title = 'Hessian spectral density (SLQ)'): Figure {
  const sigma = defaultBroadening(density);
  const grid = densityGrid(density, 800, sigma);
  return {
    title,
    panels: [{
      title: `${density.runs} runs × ${density.steps} Lanczos steps, Gaussian σ = ${sigma.toPrecision(2)}`,
      xLabel: 'eigenvalue λ',
      yLabel: 'density',
      yScale: 'symlog',
      series: [{ label: 'SLQ density', x: grid, y: densityOnGrid(density, grid, sigma), style: 'line' }],
    }],
    columns: 1,
  };
}
