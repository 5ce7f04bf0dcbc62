/**
 * Parameters as one flat float64 vector, and the Hessian as a linear operator on it.
 *
 * The iterative eigen- and trace-solvers (Hutchinson, Hutch++, power iteration, Lanczos, SLQ)
 * do their linear algebra in float64 JS arrays — dot products, reorthogonalisation and
 * deflation accumulate no float32 round-off — and only the matrix-vector product itself runs on
 * the TF.js backend. The flat order is the model's `paramSpecs` order, each tensor row-major
 * (the order of `params.bin`).
 */
import * as tf from '@tensorflow/tfjs';

export interface ParamLayout {
  shapes: number[][];
  sizes: number[];
  /** Start of each tensor in the flat vector. */
  offsets: number[];
  total: number;
}

export function layoutOf(params: readonly (tf.Tensor | { shape: number[] })[]): ParamLayout {
  const shapes = params.map((p) => [...p.shape]);
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) { offsets.push(total); total += size; }
  return { shapes, sizes, offsets, total };
}

/** Concatenate tensors (row-major) into one float64 vector. */
export function flatten(tensors: readonly tf.Tensor[]): Float64Array {
  const layout = layoutOf(tensors);
  const out = new Float64Array(layout.total);
  tensors.forEach((t, i) => out.set(t.dataSync() as Float32Array, layout.offsets[i]));
  return out;
}

/** Split a flat vector into float32 tensors of the layout's shapes (caller owns them). */
export function unflatten(x: ArrayLike<number>, layout: ParamLayout): tf.Tensor[] {
  return layout.shapes.map((shape, i) => {
    const values = new Float32Array(layout.sizes[i]);
    for (let j = 0; j < values.length; j++) values[j] = x[layout.offsets[i] + j];
    return tf.tensor(values, shape);
  });
}

export type HvpMethod = 'exact' | 'finite-difference' | 'dense';

/** A symmetric linear operator x ↦ Hx on flat float64 vectors, counting its products. */
export interface HessianOperator {
  readonly dimension: number;
  /** How each product is computed (recorded next to every number derived from it). */
  readonly method: HvpMethod;
  apply(x: Float64Array): Float64Array;
  /** Number of products computed so far. */
  readonly matvecs: number;
}

/** A named contiguous block of the flat vector (one layer's tensors). */
export interface ParamBlock { name: string; layer: number; start: number; end: number }

/**
 * Blocks by layer: the flat ranges of the tensors whose ParamSpec.layer is the same. A layer's
 * tensors must be contiguous in `paramSpecs` (true of every model here: kernel, then bias).
 */
export function layerBlocks(specs: readonly { name: string; shape: number[]; layer: number }[]): ParamBlock[] {
  const layout = layoutOf(specs);
  const blocks: ParamBlock[] = [];
  specs.forEach((spec, i) => {
    const last = blocks[blocks.length - 1];
    const start = layout.offsets[i];
    const end = start + layout.sizes[i];
    if (last && last.layer === spec.layer) {
      if (last.end !== start) throw new Error(`layer ${spec.layer}: tensors are not contiguous in paramSpecs`);
      last.end = end;
      last.name += `+${spec.name}`;
    } else {
      if (blocks.some((b) => b.layer === spec.layer)) throw new Error(`layer ${spec.layer}: tensors are not contiguous in paramSpecs`);
      blocks.push({ name: spec.name, layer: spec.layer, start, end });
    }
  });
  for (const b of blocks) b.name = b.name.split('+')[0].split('/')[0];
  return blocks;
}

/** The diagonal block H_bb of `op` as an operator on the block's coordinates. */
export function restrictOperator(op: HessianOperator, block: { start: number; end: number }): HessianOperator {
  const size = block.end - block.start;
  return {
    dimension: size,
    method: op.method,
    get matvecs() { return op.matvecs; },
    apply(x) {
      if (x.length !== size) throw new Error(`restricted operator: vector has ${x.length} entries, block has ${size}`);
      const full = new Float64Array(op.dimension);
      full.set(x, block.start);
      return op.apply(full).slice(block.start, block.end);
    },
  };
}

/** A dense symmetric matrix (row-major p×p) as an operator — for tests and small models. */
export function denseOperator(matrix: ArrayLike<number>, p: number): HessianOperator {
  if (matrix.length !== p * p) throw new Error(`denseOperator: ${matrix.length} entries, expected ${p}×${p}`);
  let count = 0;
  return {
    dimension: p,
    method: 'dense',
    get matvecs() { return count; },
    apply(x) {
      count++;
      const y = new Float64Array(p);
      for (let i = 0; i < p; i++) {
        let s = 0;
        const row = i * p;
        for (let j = 0; j < p; j++) s += matrix[row + j] * x[j];
        y[i] = s;
      }
      return y;
    },
  };
}

/**
 * The full Hessian, column by column (p products): H[:, j] = H e_j. Only for small models
 * (p ≤ a few thousand). Returned row-major; `symmetrize` averages H and Hᵀ (after you have
 * checked the asymmetry with `asymmetry`).
 */
export function denseHessian(op: HessianOperator, options: { symmetrize?: boolean } = {}): Float64Array {
  const p = op.dimension;
  const h = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    const column = op.apply(e);
    for (let i = 0; i < p; i++) h[i * p + j] = column[i];
  }
  if (options.symmetrize) {
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) {
      const m = (h[i * p + j] + h[j * p + i]) / 2;
      h[i * p + j] = m;
      h[j * p + i] = m;
    }
  }
  return h;
}

/** max |H_ij − H_ji| / max |H_ij|. */
export function asymmetry(h: ArrayLike<number>, p: number): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    diff = Math.max(diff, Math.abs(h[i * p + j] - h[j * p + i]));
    scale = Math.max(scale, Math.abs(h[i * p + j]));
  }
  return diff / Math.max(scale, 1e-300);
}

// ——— float64 vector helpers ———

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm2(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + αx (in place). */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scale(alpha: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
  return out;
}

/** Orthogonalise `v` against each (unit) vector of `basis` in place, twice (Kahan's "twice is enough"). */
export function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(-dot(v, q), q, v);
}

/**
 * Run `fn` in a TF.js scope and dispose every tensor it created (like tf.tidy, but for
 * functions that return plain JS values rather than tensors).
 */
export function withScope<T>(fn: () => T): T {
  const engine = tf.engine();
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope();
  }
}
