/**
 * Kernel regression with a given (e.g. initial empirical tangent) kernel, in float64: the
 * predictors a network reaches in the lazy regime (Jacot et al. 2018; Chizat, Oyallon & Bach
 * 2019; Lee et al. 2019).
 *
 * Conventions (those of ridge.ts): the loss is L(f) = (1/(2n)) Σ_i ‖f(x_i) − y_i‖²; a predictor
 * starts from an initial function f₀ (zero for the centred lazy model) and only its change is
 * regularised, ‖f − f₀‖_H. With K the Gram matrix on the training points and R = Y − f₀(X):
 *   minimum-RKHS-norm interpolant   f(x) = f₀(x) + K(x, X) K⁺ R
 *   ridge (λ > 0)                   f(x) = f₀(x) + K(x, X) (K + nλI)⁻¹ R,
 *     the minimiser of L(f) + (λ/2)‖f − f₀‖²_H (for K = XXᵀ exactly `ridge` of ridge.ts).
 * Both come from one symmetric eigendecomposition K = V diag(μ) Vᵀ; the interpolant drops
 * eigenvalues below `relativeCutoff`·μ_max (K⁺ on the numerically non-null space).
 *
 * `kernelGradientDescent` is full-batch GD in function space on the linearised model,
 *   f_{t+1}(X) = f_t(X) − η_t s Θ ∇_f L(f_t(X)),   f_{t+1}(x) = f_t(x) − η_t s Θ(x, X) ∇_f L(f_t(X)),
 * exactly what GD with step η_t on s·L(f_lin(θ)) does to the linearised model's outputs (its
 * parameter step −η s J₀ᵀ∇L moves the outputs by −η s J₀J₀ᵀ∇L). It covers the cross-entropy loss
 * too, where no closed form exists; for the squared loss it tends to the interpolant as t → ∞.
 * Θ here is the *full* kernel over (example, output) pairs, index i·K + k.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface KernelFit {
  /** Dual coefficients A (m × c, row-major): f(x) = f₀(x) + K(x, X) A. */
  coefficients: Float64Array;
  m: number;
  columns: number;
  /** Eigenvalues kept / total, and μ_max/μ_min over the kept ones. */
  rank: number;
  condition: number;
}

export interface KernelFitOptions {
  /** m × m Gram matrix on the training points (row-major, symmetric). */
  kernel: Float64Array;
  m: number;
  /** Targets, m × columns row-major. */
  targets: Float64Array;
  columns: number;
  /** f₀ on the training points (m × columns); default 0. */
  initial?: Float64Array;
  /** λ > 0 for ridge; 0 (default) for the minimum-RKHS-norm interpolant. */
  ridge?: number;
  /** Examples the loss averages over (default m; n for a full kernel of m = nK pairs). */
  examples?: number;
  /** Interpolant only: eigenvalues below this fraction of the largest are treated as 0 (default 1e-12). */
  relativeCutoff?: number;
}

export function fitKernelRegression(options: KernelFitOptions): KernelFit {
  const { kernel, m, targets, columns, ridge = 0, relativeCutoff = 1e-12 } = options;
  if (kernel.length !== m * m) throw new Error(`kernel regression: kernel has ${kernel.length} entries, expected ${m}×${m}`);
  if (targets.length !== m * columns) throw new Error(`kernel regression: targets have ${targets.length} entries, expected ${m}×${columns}`);
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new Error(`kernel regression: ridge must be a finite number ≥ 0, got ${ridge}`);
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    // Symmetrise: float32 Gram blocks can differ from their transposes in the last bit.
    for (let j = 0; j < m; j++) row.push((kernel[i * m + j] + kernel[j * m + i]) / 2);
    rows.push(row);
  }
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const mu = eig.realEigenvalues;
  const V = eig.eigenvectorMatrix;
  const muMax = Math.max(...mu.map(Math.abs));
  const residual = new Float64Array(m * columns);
  for (let i = 0; i < residual.length; i++) residual[i] = targets[i] - (options.initial?.[i] ?? 0);
  const coefficients = new Float64Array(m * columns);
  let rank = 0;
  let kept = { max: 0, min: Infinity };
  for (let e = 0; e < m; e++) {
    const value = mu[e];
    if (ridge === 0 && !(value > relativeCutoff * muMax)) continue;
    const denominator = value + (options.examples ?? m) * ridge;
    if (!(denominator > 0)) continue;
    rank++;
    kept = { max: Math.max(kept.max, value), min: Math.min(kept.min, value) };
    for (let c = 0; c < columns; c++) {
      let projection = 0;
      for (let i = 0; i < m; i++) projection += V.get(i, e) * residual[i * columns + c];
      const w = projection / denominator;
      for (let i = 0; i < m; i++) coefficients[i * columns + c] += V.get(i, e) * w;
    }
  }
  return { coefficients, m, columns, rank, condition: kept.max / kept.min };
}

/** f(x) = f₀(x) + K(x, X) A for t points; `cross` is t × m row-major. */
export function predictKernelRegression(fit: KernelFit, cross: Float64Array, initial?: Float64Array): Float64Array {
  const t = cross.length / fit.m;
  if (!Number.isInteger(t)) throw new Error(`kernel prediction: cross kernel has ${cross.length} entries, not a multiple of m = ${fit.m}`);
  const out = new Float64Array(t * fit.columns);
  for (let r = 0; r < t; r++) for (let c = 0; c < fit.columns; c++) {
    let s = initial?.[r * fit.columns + c] ?? 0;
    for (let i = 0; i < fit.m; i++) s += cross[r * fit.m + i] * fit.coefficients[i * fit.columns + c];
    out[r * fit.columns + c] = s;
  }
  return out;
}

export type KernelLoss = 'squared' | 'cross-entropy';

export interface KernelGradientDescentOptions {
  /** Full kernel on the training (example, output) pairs: (nK) × (nK), index i·K + k. */
  kernel: Float64Array;
  /** Full cross kernel from test pairs to training pairs: (tK) × (nK); optional. */
  cross?: Float64Array;
  n: number;
  outputs: number;
  /** f₀ on the training / test points (n × K, t × K). */
  initialTrain: Float64Array;
  initialTest?: Float64Array;
  /** Targets n × K (one-hot for classification). */
  targets: Float64Array;
  /** 'squared': (1/(2n)) Σ ‖f_i − y_i‖²; 'cross-entropy': (1/n) Σ −log softmax(f_i)_{y_i}. */
  loss: KernelLoss;
  learningRate: (step: number) => number;
  /** Multiplies the loss (1/α² for the lazy model); default 1. */
  lossScale?: number;
  steps: number;
  /** Called with the outputs after these step counts (0 = initial). */
  recordAt?: number[];
  onRecord?: (step: number, train: Float64Array, test: Float64Array | null) => void;
}

/** ∇_f L at the training outputs (n × K), for the loss conventions above. */
export function lossGradient(loss: KernelLoss, f: Float64Array, targets: Float64Array, n: number, K: number): Float64Array {
  const g = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    if (loss === 'squared') {
      for (let k = 0; k < K; k++) g[i * K + k] = (f[i * K + k] - targets[i * K + k]) / n;
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, f[i * K + k]);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(f[i * K + k] - max);
      for (let k = 0; k < K; k++) g[i * K + k] = (Math.exp(f[i * K + k] - max) / z - targets[i * K + k]) / n;
    }
  }
  return g;
}

export function kernelGradientDescent(options: KernelGradientDescentOptions): { train: Float64Array; test: Float64Array | null } {
  const { kernel, cross, n, outputs: K, steps, loss, targets } = options;
  const m = n * K;
  if (kernel.length !== m * m) throw new Error(`kernel GD: kernel has ${kernel.length} entries, expected (${n}·${K})² = ${m * m}`);
  const s = options.lossScale ?? 1;
  const train = Float64Array.from(options.initialTrain);
  const test = cross && options.initialTest ? Float64Array.from(options.initialTest) : null;
  const tm = test ? test.length : 0;
  if (test && cross!.length !== tm * m) throw new Error(`kernel GD: cross kernel has ${cross!.length} entries, expected ${tm}×${m}`);
  const record = new Set(options.recordAt ?? []);
  if (record.has(0)) options.onRecord?.(0, train, test);
  for (let t = 0; t < steps; t++) {
    const g = lossGradient(loss, train, targets, n, K);
    const step = options.learningRate(t) * s;
    for (let r = 0; r < m; r++) {
      let acc = 0;
      const row = r * m;
      for (let c = 0; c < m; c++) acc += kernel[row + c] * g[c];
      train[r] -= step * acc;
    }
    if (test) {
      for (let r = 0; r < tm; r++) {
        let acc = 0;
        const row = r * m;
        for (let c = 0; c < m; c++) acc += cross![row + c] * g[c];
        test[r] -= step * acc;
      }
    }
    if (record.has(t + 1)) options.onRecord?.(t + 1, train, test);
  }
  return { train, test };
}
