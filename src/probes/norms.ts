/**
 * Parameter norms. The ℓ2 norm of all parameters is the quantity GD's implicit bias controls in
 * linear and homogeneous models; per-layer Frobenius and spectral norms show where the growth
 * happens, and the spectral-norm product and path norm are the capacity measures of the
 * norm-based generalisation bounds (Bartlett et al. 2017; Neyshabur et al. 2015, 2017).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { createRng, type Rng } from '../util/rng.ts';

export function l2Norm(params: tf.Tensor[]): number {
  return Math.sqrt(tf.tidy(() => params.reduce((s, p) => s + tf.sum(tf.square(p)).dataSync()[0], 0)));
}

export interface NormsResult {
  l2: number;
  l1: number;
  linf: number;
  /** Frobenius norm of each parameter *tensor* (kept for compatibility; see `layerNorms`). */
  perLayerFrobenius: number[];
}

export function parameterNorms(params: tf.Tensor[]): NormsResult {
  return tf.tidy(() => {
    const perTensor = params.map((p) => ({
      sq: tf.sum(tf.square(p)).dataSync()[0],
      abs: tf.sum(tf.abs(p)).dataSync()[0],
      max: tf.max(tf.abs(p)).dataSync()[0],
    }));
    return {
      l2: Math.sqrt(perTensor.reduce((s, t) => s + t.sq, 0)),
      l1: perTensor.reduce((s, t) => s + t.abs, 0),
      linf: perTensor.reduce((s, t) => Math.max(s, t.max), 0),
      perLayerFrobenius: perTensor.map((t) => Math.sqrt(t.sq)),
    };
  });
}

export interface SpectralNormResult { value: number; iterations: number; converged: boolean }

/**
 * Largest singular value of a row-major m×n matrix by power iteration on AᵀA, in float64:
 * v ← AᵀAv/‖AᵀAv‖, σ = ‖Av‖, stopped when σ changes by less than `tol` relative.
 */
export function spectralNormOfMatrix(a: ArrayLike<number>, m: number, n: number, options: { tol?: number; maxIterations?: number; rng?: Rng } = {}): SpectralNormResult {
  const { tol = 1e-9, maxIterations = 2000 } = options;
  const rng = options.rng ?? createRng(0x5eed);
  let v = new Float64Array(n);
  for (let j = 0; j < n; j++) v[j] = rng.normal();
  const av = new Float64Array(m);
  let sigma = 0;
  for (let it = 1; it <= maxIterations; it++) {
    let vn = 0;
    for (let j = 0; j < n; j++) vn += v[j] * v[j];
    vn = Math.sqrt(vn);
    if (vn === 0) return { value: 0, iterations: it, converged: true };
    for (let j = 0; j < n; j++) v[j] /= vn;
    av.fill(0);
    for (let i = 0; i < m; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += a[row + j] * v[j];
      av[i] = s;
    }
    let next = 0;
    for (let i = 0; i < m; i++) next += av[i] * av[i];
    next = Math.sqrt(next);
    const w = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const s = av[i];
      if (s !== 0) for (let j = 0; j < n; j++) w[j] += a[row + j] * s;
    }
    const change = Math.abs(next - sigma);
    sigma = next;
    v = w;
    if (it > 1 && change <= tol * sigma) return { value: sigma, iterations: it, converged: true };
  }
  return { value: sigma, iterations: maxIterations, converged: false };
}

/**
 * Spectral norm of a weight tensor: a dense kernel [d_in, d_out] as it is; a conv kernel
 * [kh, kw, c_in, c_out] reshaped to [kh·kw·c_in, c_out] (the usual convention; this is not the
 * operator norm of the convolution itself).
 */
export function spectralNorm(t: tf.Tensor, options: { tol?: number; maxIterations?: number; rng?: Rng } = {}): SpectralNormResult {
  const n = t.shape[t.shape.length - 1];
  const m = t.size / n;
  return spectralNormOfMatrix(t.dataSync(), m, n, options);
}

export interface LayerNorms {
  layers: { layer: number; names: string[]; frobenius: number; spectral: number | null }[];
  /** Frobenius norm of each layer (all its tensors). */
  perLayerFrobenius: number[];
  /** Spectral norm of each layer's kernel (the tensor of rank ≥ 2; null if none). */
  perLayerSpectral: (number | null)[];
  /** Π_l ‖W_l‖₂ over layers with a kernel. */
  productSpectral: number;
  /** Π_l ‖W_l‖_F. */
  productFrobenius: number;
}

export function layerNorms(model: Pick<Model, 'paramSpecs'>, params: tf.Tensor[], options: { tol?: number; maxIterations?: number } = {}): LayerNorms {
  const byLayer = new Map<number, number[]>();
  model.paramSpecs.forEach((spec, i) => byLayer.set(spec.layer, [...(byLayer.get(spec.layer) ?? []), i]));
  const sq = tf.tidy(() => params.map((p) => tf.sum(tf.square(p)).dataSync()[0]));
  const layers = [...byLayer.entries()].sort((a, b) => a[0] - b[0]).map(([layer, indices]) => {
    const kernel = indices.find((i) => model.paramSpecs[i].shape.length >= 2);
    return {
      layer,
      names: indices.map((i) => model.paramSpecs[i].name),
      frobenius: Math.sqrt(indices.reduce((s, i) => s + sq[i], 0)),
      spectral: kernel === undefined ? null : spectralNorm(params[kernel], options).value,
    };
  });
  const spectral = layers.map((l) => l.spectral);
  return {
    layers,
    perLayerFrobenius: layers.map((l) => l.frobenius),
    perLayerSpectral: spectral,
    productSpectral: spectral.reduce<number>((p, s) => (s === null ? p : p * s), 1),
    productFrobenius: layers.reduce((p, l) => p * l.frobenius, 1),
  };
}

/**
 * ℓ_q path norm of a bias-free MLP (Neyshabur, Tomioka & Srebro 2015):
 *   ‖θ‖_path,q = (Σ_{paths i→…→o} Π_l |W_l[i_l, i_{l+1}]|^q)^{1/q} = (1ᵀ |W_0|^q |W_1|^q ⋯ |W_{L−1}|^q 1)^{1/q},
 * invariant to rescaling a hidden unit's incoming weights by c and outgoing by 1/c. Returns null
 * for models that are not a chain of bias-free dense layers (the sum over paths is then not
 * this product).
 */
export function pathNorm(model: Pick<Model, 'architecture' | 'paramSpecs'>, params: tf.Tensor[], q = 2): number | null {
  const arch = model.architecture as { kind: string; bias?: unknown };
  if (arch.kind !== 'mlp' || arch.bias !== false) return null;
  if (!model.paramSpecs.every((s) => s.shape.length === 2)) return null;
  let row: Float64Array = new Float64Array(model.paramSpecs[0].shape[0]).fill(1);
  params.forEach((w) => {
    const [din, dout] = w.shape as [number, number];
    if (din !== row.length) throw new Error(`pathNorm: layer input size ${din} does not match ${row.length}`);
    const values = w.dataSync();
    const next = new Float64Array(dout);
    for (let i = 0; i < din; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < dout; j++) next[j] += row[i] * Math.abs(values[i * dout + j]) ** q;
    }
    row = next;
  });
  return row.reduce((s, t) => s + t, 0) ** (1 / q);
}

/** ‖θ − θ₀‖₂ and ‖θ − θ₀‖₂ / ‖θ₀‖₂. */
export function distanceFromInit(params: tf.Tensor[], init: tf.Tensor[]): { l2: number; relative: number } {
  const [d, n0] = tf.tidy(() => [
    Math.sqrt(params.reduce((s, p, i) => s + tf.sum(tf.square(tf.sub(p, init[i]))).dataSync()[0], 0)),
    Math.sqrt(init.reduce((s, p) => s + tf.sum(tf.square(p)).dataSync()[0], 0)),
  ]);
  return { l2: d, relative: n0 > 0 ? d / n0 : Infinity };
}
