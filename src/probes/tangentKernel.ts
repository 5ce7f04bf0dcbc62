/**
 * The empirical (neural) tangent kernel of a model at θ (Jacot, Gabriel & Hongler 2018):
 *   Θ_(i,k),(j,l) = ⟨∇_θ f_k(x_i; θ), ∇_θ f_l(x_j; θ)⟩        (the full nK × nK kernel), and
 *   K_ij = Σ_k Θ_(i,k),(j,k) = Σ_k ⟨∇f_k(x_i), ∇f_k(x_j)⟩      (outputs: 'trace', the default),
 *   K_ij = ⟨∇f_k(x_i), ∇f_k(x_j)⟩                              (outputs: k, one chosen logit).
 * For a K-class network the 'trace' kernel is the n × n summary used for the kernel's change and
 * its alignment with the labels; kernel regression that must match a trained K-output network
 * exactly needs the 'full' kernel (the cross-output blocks are O(1/√width), not zero, at finite
 * width).
 *
 * How: the Jacobian rows ∇f_k(x_i) are per-example reverse-mode gradients (TF.js has no
 * vectorised per-example gradients), one backward pass per (example, output), stacked into a
 * [c·K, p] float32 tensor per chunk of c examples; each Gram block is one matMul of two such
 * tensors (a batched one per output for 'trace': K·c²·p products instead of (cK)²·p). Cost: n·K backward passes of batch 1 when the examples fit in one chunk; with m
 * chunks the off-diagonal blocks recompute one chunk's rows, n·K·(m+1)/2 passes in all.
 * Memory: two chunks of rows, 2·c·K·p floats (plus the n × n or nK × nK result in float64).
 * Inner products accumulate in float32 over p terms inside matMul (≈1e-6 relative).
 *
 * Derived numbers: the relative change ‖K_t − K₀‖_F / ‖K₀‖_F (the "lazy" diagnostic of Chizat et
 * al. 2019 and Geiger et al. 2020), and the kernel–target alignment of Cristianini et al. (2002),
 * A(K, YYᵀ) = ⟨K, YYᵀ⟩_F / (‖K‖_F ‖YYᵀ‖_F) with Y the one-hot labels (uncentred), which grows as
 * a network learns features (Baratin et al. 2021).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { chunks } from './objective.ts';
import { withScope } from './operator.ts';

export type KernelOutputs = 'trace' | 'full' | number;

export interface TangentKernelOptions {
  /** 'trace' (default): Σ_k over outputs; 'full': the nK × nK kernel; k: logit k only. */
  outputs?: KernelOutputs;
  /** Examples per chunk of Jacobian rows (bounds memory; results do not depend on it). */
  chunkSize?: number;
}

export interface KernelMatrix {
  /** Row-major rows × cols, float64. Row/column (i, k) of the full kernel is index i·K + k. */
  values: Float64Array;
  rows: number;
  cols: number;
  outputs: KernelOutputs;
  /** Number of per-example backward passes it took. */
  backwardPasses: number;
}

export const defaultKernelChunkSize = 64;

function rowsSelected(model: Model, outputs: KernelOutputs): number[] {
  if (outputs === 'trace' || outputs === 'full') return Array.from({ length: model.outputSize }, (_, k) => k);
  if (!Number.isInteger(outputs) || outputs < 0 || outputs >= model.outputSize) {
    throw new Error(`tangent kernel: outputs must be 'trace', 'full' or a logit index in 0..${model.outputSize - 1}, got ${outputs}`);
  }
  return [outputs];
}

/**
 * Jacobian rows ∇_θ f_k(x_i) for examples [start, start+size) and the listed outputs, as a
 * [size·|outputs|, p] tensor (row i·|outputs| + r is example i, output outputs[r]); caller owns it.
 */
export function jacobianRows(model: Model, params: tf.Tensor[], x: tf.Tensor, start: number, size: number, outputs: number[]): tf.Tensor2D {
  const rows: tf.Tensor[] = [];
  try {
    for (let i = start; i < start + size; i++) {
      for (const k of outputs) {
        rows.push(tf.tidy(() => {
          const xi = x.slice(i, 1);
          // Built in JS: wasm's oneHot(…, 'float32') is unreliable in TF.js 4.22.
          const basis = new Float32Array(model.outputSize);
          basis[k] = 1;
          const dy = tf.tensor2d(basis, [1, model.outputSize]);
          const { grads } = tf.engine().gradients(() => model.apply(params, xi), params, dy, true);
          return tf.concat(grads.map((g, j) => (g ?? tf.zerosLike(params[j])).reshape([-1])));
        }));
      }
    }
    return tf.stack(rows) as tf.Tensor2D;
  } finally {
    tf.dispose(rows);
  }
}

/**
 * The tangent kernel between the examples of `xa` and `xb` (`xb` omitted: xa with itself, a
 * symmetric matrix computed from its upper blocks).
 */
export function tangentKernel(model: Model, params: tf.Tensor[], xa: tf.Tensor, xb?: tf.Tensor, options: TangentKernelOptions = {}): KernelMatrix {
  const outputs = options.outputs ?? 'trace';
  const chunkSize = options.chunkSize ?? defaultKernelChunkSize;
  const selected = rowsSelected(model, outputs);
  const q = selected.length;
  const full = outputs === 'full';
  const symmetric = xb === undefined;
  const na = xa.shape[0];
  const nb = symmetric ? na : xb.shape[0];
  const rows = full ? na * q : na;
  const cols = full ? nb * q : nb;
  const values = new Float64Array(rows * cols);
  let backwardPasses = 0;
  const partsA = chunks(na, chunkSize);
  const partsB = symmetric ? partsA : chunks(nb, chunkSize);
  // The Gram block between chunks a and b: for the full kernel one [c_a·q, c_b·q] matMul; for a
  // trace or one logit a batched [q, c_a, p] × [q, p, c_b] matMul summed over outputs (q times
  // fewer products than forming the full block and keeping its diagonal).
  const block = (ja: tf.Tensor2D, jb: tf.Tensor2D, ca: number, cb: number): Float32Array => tf.tidy(() => {
    if (full) return tf.matMul(ja, jb, false, true).dataSync() as Float32Array;
    const p = ja.shape[1];
    const perOutputA = ja.reshape([ca, q, p]).transpose([1, 0, 2]) as tf.Tensor3D;
    const perOutputB = jb.reshape([cb, q, p]).transpose([1, 0, 2]) as tf.Tensor3D;
    return tf.sum(tf.matMul(perOutputA, perOutputB, false, true), 0).dataSync() as Float32Array;
  });
  const writeBlock = (g: Float32Array, a: { start: number; size: number }, b: { start: number; size: number }, mirror: boolean) => {
    const width = full ? b.size * q : b.size;
    const blockRows = full ? a.size * q : a.size;
    const rowStart = full ? a.start * q : a.start;
    const colStart = full ? b.start * q : b.start;
    for (let r = 0; r < blockRows; r++) for (let c = 0; c < width; c++) {
      const v = g[r * width + c];
      values[(rowStart + r) * cols + colStart + c] = v;
      if (mirror) values[(colStart + c) * cols + rowStart + r] = v;
    }
  };
  for (let ai = 0; ai < partsA.length; ai++) {
    const a = partsA[ai];
    withScope(() => {
      const ja = jacobianRows(model, params, xa, a.start, a.size, selected);
      backwardPasses += a.size * q;
      const firstB = symmetric ? ai : 0;
      for (let bi = firstB; bi < partsB.length; bi++) {
        const b = partsB[bi];
        const same = symmetric && bi === ai;
        const gram = withScope(() => {
          const jb = same ? ja : jacobianRows(model, params, symmetric ? xa : xb, b.start, b.size, selected);
          if (!same) backwardPasses += b.size * q;
          return block(ja, jb, a.size, b.size);
        });
        writeBlock(gram, a, b, symmetric && !same);
      }
    });
  }
  return { values, rows, cols, outputs, backwardPasses };
}

/** ‖K_t − K₀‖_F / ‖K₀‖_F. */
export function relativeKernelChange(current: KernelMatrix, initial: KernelMatrix): number {
  if (current.values.length !== initial.values.length) throw new Error(`kernel change: ${current.rows}×${current.cols} vs ${initial.rows}×${initial.cols}`);
  let diff = 0;
  let base = 0;
  for (let i = 0; i < current.values.length; i++) {
    diff += (current.values[i] - initial.values[i]) ** 2;
    base += initial.values[i] ** 2;
  }
  return Math.sqrt(diff / base);
}

/**
 * Kernel–target alignment ⟨K, YYᵀ⟩_F / (‖K‖_F ‖YYᵀ‖_F) for an n × n kernel and integer class
 * labels (Y one-hot, so (YYᵀ)_ij = [y_i = y_j]); in [−1, 1], 1 when K ∝ YYᵀ.
 */
export function kernelTargetAlignment(kernel: KernelMatrix, labels: ArrayLike<number>): number {
  const n = kernel.rows;
  if (kernel.cols !== n || labels.length !== n) throw new Error(`kernel alignment: needs an n × n kernel with n labels, got ${kernel.rows}×${kernel.cols} and ${labels.length} labels`);
  let inner = 0;
  let kk = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const v = kernel.values[i * n + j];
    kk += v * v;
    if (labels[i] === labels[j]) { inner += v; yy += 1; }
  }
  return inner / Math.sqrt(kk * yy);
}
