/**
 * Seeded synthetic problems whose implicit bias is known in closed form — the ground truth
 * against which trained models are compared.
 *
 * - `underdeterminedRegression`: n < p, so Xw = y has infinitely many solutions; gradient
 *   descent from zero on least squares converges to the minimum-ℓ2-norm interpolant
 *   X⁺y, which differs from the teacher. A dense vs sparse teacher shows when that bias helps.
 * - `separableClassification`: linearly separable data with a known positive margin along a
 *   unit teacher w*; gradient descent on logistic/exponential loss converges in direction to
 *   the ℓ2 max-margin separator (Soudry et al. 2018).
 * - `sparseTeacherRegression`: a k-sparse teacher for diagonal linear networks
 *   w = u⊙u − v⊙v (Woodworth et al. 2020), whose small-initialisation limit approaches the
 *   minimum-ℓ1 interpolant (which recovers a k-sparse w* from n ≳ 2k·log(p/k) Gaussian samples),
 *   and whose large-initialisation limit is the minimum-ℓ2 (kernel) interpolant.
 *
 * All entries of X are i.i.d. N(0, 1); every teacher has unit ℓ2 norm, so the noiseless
 * response ⟨w*, x⟩ has variance 1 and `noise` is directly the noise-to-signal standard
 * deviation ratio. Outputs are plain number arrays (small problems, easy to serialise).
 */
import { createRng, permutation, type Rng } from '../util/rng.ts';

export interface RegressionProblem {
  /** n rows of p features. */
  X: number[][];
  y: number[];
  /** The unit-norm teacher w*, length p. */
  teacher: number[];
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
}

function gaussianMatrix(n: number, p: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function unitGaussian(p: number, rng: Rng): number[] {
  const g = Array.from({ length: p }, () => rng.normal());
  const norm = Math.sqrt(dot(g, g));
  return g.map((v) => v / norm);
}

/** k-sparse unit vector: uniform random support, entries ±1/√k (or +1/√k if `positive`). */
function sparseTeacher(p: number, k: number, rng: Rng, positive: boolean): { w: number[]; support: number[] } {
  const support = Array.from(permutation(p, rng).subarray(0, k)).sort((a, b) => a - b);
  const w = new Array<number>(p).fill(0);
  for (const j of support) w[j] = (positive ? 1 : rng.sign()) / Math.sqrt(k);
  return { w, support };
}

function respond(X: number[][], w: number[], noise: number, rng: Rng): number[] {
  if (!(noise >= 0 && Number.isFinite(noise))) throw new Error(`noise must be a finite number ≥ 0, got ${noise}`);
  return X.map((row) => dot(row, w) + (noise > 0 ? noise * rng.normal() : 0));
}

export interface UnderdeterminedRegressionOptions {
  n: number;
  /** Number of features; must exceed n. */
  p: number;
  /** 'dense': uniform direction on the sphere; 'sparse': `sparsity` non-zeros ±1/√k. */
  teacher: 'dense' | 'sparse';
  /** Non-zeros of a sparse teacher (default max(1, ⌊n/4⌋)). */
  sparsity?: number;
  /** Standard deviation of additive Gaussian label noise (default 0). */
  noise?: number;
  seed: number;
}

/** y = X w* + noise·ε with X ∈ ℝ^{n×p} Gaussian, n < p (see module doc). */
export function underdeterminedRegression(opts: UnderdeterminedRegressionOptions): RegressionProblem {
  const { n, p, teacher, noise = 0, seed } = opts;
  checkInt('n', n, 1);
  checkInt('p', p, 1);
  if (n >= p) throw new Error(`underdeterminedRegression: need n < p, got n = ${n}, p = ${p}`);
  const rng = createRng(seed);
  const teacherRng = rng.fork();
  const xRng = rng.fork();
  const noiseRng = rng.fork();
  let w: number[];
  if (teacher === 'dense') {
    w = unitGaussian(p, teacherRng);
  } else if (teacher === 'sparse') {
    const k = opts.sparsity ?? Math.max(1, Math.floor(n / 4));
    checkInt('sparsity', k, 1);
    if (k > p) throw new Error(`sparsity ${k} exceeds p = ${p}`);
    w = sparseTeacher(p, k, teacherRng, false).w;
  } else {
    throw new Error(`teacher must be 'dense' or 'sparse', got ${JSON.stringify(teacher)}`);
  }
  const X = gaussianMatrix(n, p, xRng);
  return { X, y: respond(X, w, noise, noiseRng), teacher: w };
}

export interface SparseTeacherRegressionOptions {
  n: number;
  p: number;
  /** Number of non-zero teacher entries, 1 ≤ k ≤ p. */
  k: number;
  /** Standard deviation of additive Gaussian label noise (default 0). */
  noise?: number;
  /** All non-zeros +1/√k instead of random signs (for u⊙u networks without the −v⊙v half). */
  positive?: boolean;
  seed: number;
}

/** y = X w* + noise·ε with a k-sparse unit teacher; also returns its support (sorted). */
export function sparseTeacherRegression(
  opts: SparseTeacherRegressionOptions,
): RegressionProblem & { support: number[] } {
  const { n, p, k, noise = 0, positive = false, seed } = opts;
  checkInt('n', n, 1);
  checkInt('p', p, 1);
  checkInt('k', k, 1);
  if (k > p) throw new Error(`sparseTeacherRegression: k = ${k} exceeds p = ${p}`);
  const rng = createRng(seed);
  const teacherRng = rng.fork();
  const xRng = rng.fork();
  const noiseRng = rng.fork();
  const { w, support } = sparseTeacher(p, k, teacherRng, positive);
  const X = gaussianMatrix(n, p, xRng);
  return { X, y: respond(X, w, noise, noiseRng), teacher: w, support };
}

export interface SeparableClassificationOptions {
  n: number;
  p: number;
  /** Required margin along the teacher, > 0. */
  margin: number;
  seed: number;
}

export interface ClassificationProblem {
  X: number[][];
  /** Labels ±1. */
  y: number[];
  /** Unit-norm teacher w*. */
  teacher: number[];
  /** min_i y_i ⟨w*, x_i⟩ on the generated sample (≥ margin; see below). */
  teacherMargin: number;
}

/**
 * Linearly separable data with a guaranteed margin.
 *
 * Construction: w* uniform on the unit sphere; y_i = ±1 with equal probability; z_i ~ N(0, I_p)
 * with s_i = ⟨w*, z_i⟩; then x_i = z_i + (y_i·(margin + |s_i|) − s_i)·w*. The part of x_i
 * orthogonal to w* stays standard Gaussian, and its component along w* becomes
 * y_i·(margin + |s_i|): two half-Gaussians pushed apart by a gap of 2·margin.
 *
 * Guarantee: y_i⟨w*, x_i⟩ = margin + |s_i| ≥ margin with ‖w*‖ = 1, so w* separates the sample
 * with geometric margin ≥ `margin`, and hence so does the ℓ2 max-margin separator. (Up to
 * floating-point rounding of order 1e-16·margin when |s_i| is that small — probability ~1e-16
 * per point.) Shifting instead of rejection sampling keeps the cost O(np) for any margin, where
 * rejection's acceptance rate P(|s| ≥ margin) decays like e^{−margin²/2}.
 */
export function separableClassification(opts: SeparableClassificationOptions): ClassificationProblem {
  const { n, p, margin, seed } = opts;
  checkInt('n', n, 1);
  checkInt('p', p, 1);
  if (!(margin > 0 && Number.isFinite(margin))) throw new Error(`margin must be a finite number > 0, got ${margin}`);
  const rng = createRng(seed);
  const teacherRng = rng.fork();
  const xRng = rng.fork();
  const w = unitGaussian(p, teacherRng);
  const X: number[][] = [];
  const y: number[] = [];
  let teacherMargin = Infinity;
  for (let i = 0; i < n; i++) {
    const label = xRng.sign();
    const z = Array.from({ length: p }, () => xRng.normal());
    const s = dot(w, z);
    const shift = label * (margin + Math.abs(s)) - s;
    const x = z.map((v, j) => v + shift * w[j]);
    X.push(x);
    y.push(label);
    teacherMargin = Math.min(teacherMargin, label * dot(w, x));
  }
  return { X, y, teacher: w, teacherMargin };
}
