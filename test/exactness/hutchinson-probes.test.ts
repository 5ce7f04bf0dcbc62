/**
 * Hutchinson's estimator against facts that do not depend on sampling luck:
 *  - on a diagonal H every Rademacher probe gives vᵀHv = Σ v_i² H_ii = tr H exactly, so the
 *    estimate is tr H and its standard error 0 (a 1/(m−1) mean or non-±1 probes break this);
 *  - on a dense H the per-probe variance is 2·Σ_{i≠j} H_ij² for Rademacher probes but 2‖H‖_F²
 *    for Gaussian ones; H below is diagonally dominant so the two differ by a factor ≈ 240;
 *  - the mean and standard error on hand numbers.
 * The operators are plain float64 matrix products written here, not the library's.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { hutchinsonTrace, hutchPlusPlusTrace, meanAndStderr, perLayerTrace, rademacher, rademacherLike, sumOfBlockTraces, type BlockTrace } from '../../src/probes/hessianTrace.ts';
import type { HessianOperator } from '../../src/probes/operator.ts';
import { createRng } from '../../src/util/rng.ts';

/** x ↦ Hx for a row-major p×p matrix, remembering every vector it was applied to. */
function recordingOperator(h: Float64Array, p: number) {
  const seen: Float64Array[] = [];
  const op: HessianOperator = {
    dimension: p,
    method: 'dense',
    get matvecs() { return seen.length; },
    apply(x) {
      seen.push(Float64Array.from(x));
      const y = new Float64Array(p);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) y[i] += h[i * p + j] * x[j];
      return y;
    },
  };
  return { op, seen };
}

describe('meanAndStderr on hand numbers', () => {
  it('(1, 2, 3, 6): mean 3, s² = 14/3, s.e. = √(14/3/4) = √(7/6)', () => {
    const r = meanAndStderr([1, 2, 3, 6]);
    expect(r.mean).toBe(3);
    expect(r.stderr).toBeCloseTo(Math.sqrt(7 / 6), 14);
  });
  it('(5, 5): mean 5, s.e. 0; a single value has no standard error', () => {
    expect(meanAndStderr([5, 5])).toEqual({ mean: 5, stderr: 0 });
    expect(meanAndStderr([4])).toEqual({ mean: 4, stderr: Infinity });
  });
});

describe('Hutchinson on a diagonal Hessian: every probe gives tr H exactly', () => {
  const p = 7;
  const diag = [3, -1, 0.5, 2, 10, -4, 1.5];
  const trace = diag.reduce((a, b) => a + b, 0);
  const h = new Float64Array(p * p);
  diag.forEach((d, i) => { h[i * p + i] = d; });

  it.each([2, 5, 40])('m = %i probes: estimate = tr H, s.e. = 0, and every probe entry is ±1', (m) => {
    const { op, seen } = recordingOperator(h, p);
    const r = hutchinsonTrace(op, { samples: m, rng: createRng(11) });
    expect(r.samples).toBe(m);
    expect(r.matvecs).toBe(m);
    expect(r.method).toBe('hutchinson');
    expect(r.hvp).toBe('dense');
    expect(Math.abs(r.estimate - trace)).toBeLessThan(1e-12);
    expect(r.stderr).toBeLessThan(1e-12);
    expect(seen).toHaveLength(m);
    for (const v of seen) for (const x of v) expect(Math.abs(x)).toBe(1);
  });

  it('per-layer traces are the block sums of the diagonal and add up to tr H with s.e. 0', () => {
    const { op } = recordingOperator(h, p);
    const blocks = perLayerTrace(op, [{ name: 'a', layer: 0, start: 0, end: 3 }, { name: 'b', layer: 1, start: 3, end: 7 }], { samples: 3, rng: createRng(2) });
    expect(blocks[0].trace.estimate).toBeCloseTo(3 - 1 + 0.5, 12);
    expect(blocks[1].trace.estimate).toBeCloseTo(2 + 10 - 4 + 1.5, 12);
    const total = sumOfBlockTraces(blocks);
    expect(total.estimate).toBeCloseTo(trace, 12);
    expect(total.stderr).toBeLessThan(1e-12);
  });
});

describe('Hutchinson on a dense Hessian: the per-probe variance is the Rademacher one', () => {
  const p = 20;
  const rng = createRng(5);
  const h = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    h[i * p + i] = 4 + 2 * rng.next();
    for (let j = 0; j < i; j++) h[i * p + j] = h[j * p + i] = 0.3 * (rng.next() - 0.5);
  }
  let offDiagonal = 0;
  let frobenius = 0;
  let trace = 0;
  for (let i = 0; i < p; i++) {
    trace += h[i * p + i];
    for (let j = 0; j < p; j++) {
      frobenius += h[i * p + j] ** 2;
      if (i !== j) offDiagonal += h[i * p + j] ** 2;
    }
  }
  const rademacherVariance = 2 * offDiagonal;
  const gaussianVariance = 2 * frobenius;

  it('s² over 4,000 probes is within 15% of 2·Σ_{i≠j}H_ij² (Gaussian probes: 2‖H‖_F², ~240× larger)', () => {
    expect(gaussianVariance / rademacherVariance).toBeGreaterThan(100);
    const m = 4000;
    const { op, seen } = recordingOperator(h, p);
    const r = hutchinsonTrace(op, { samples: m, rng: createRng(9) });
    const sampleVariance = r.stderr ** 2 * m;
    // vᵀHv − tr H = 2Σ_{i<j} H_ij v_i v_j, a sum of 190 uncorrelated terms: s²/σ² has relative
    // s.d. ≈ √(2/m) ≈ 2%, so 15% is > 6 s.d.
    expect(sampleVariance / rademacherVariance).toBeGreaterThan(0.85);
    expect(sampleVariance / rademacherVariance).toBeLessThan(1.15);
    expect(Math.abs(r.estimate - trace)).toBeLessThan(4 * r.stderr);
    expect(seen.filter((v) => v.some((x) => Math.abs(x) !== 1))).toHaveLength(0);
  });

  it('Hutch++ with m ≥ 3p recovers tr H exactly (the sketch spans the whole space)', () => {
    const { op } = recordingOperator(h, p);
    const r = hutchPlusPlusTrace(op, { matvecs: 3 * p, rng: createRng(4) });
    expect(r.estimate).toBeCloseTo(trace, 9);
    expect(r.stderr).toBe(0);
    expect(r.matvecs).toBe(3 * p);
  });
});

describe('probe vectors: one ±1 draw per coordinate, in flat parameter order', () => {
  it('rademacher(p) consumes exactly p signs of the stream; rademacherLike draws the same values tensor by tensor', () => {
    const reference = createRng(21);
    const signs = Array.from({ length: 10 }, () => reference.sign());
    const rng = createRng(21);
    expect([...rademacher(4, rng), ...rademacher(6, rng)]).toEqual(signs);
    const tensors = rademacherLike([tf.zeros([2, 2]), tf.zeros([3]), tf.zeros([1, 3])], createRng(21));
    expect(tensors.map((t) => t.shape)).toEqual([[2, 2], [3], [1, 3]]);
    expect(tensors.flatMap((t) => Array.from(t.dataSync()))).toEqual(signs);
    tf.dispose(tensors);
  });
});

describe('Hutchinson bookkeeping', () => {
  const p = 12;
  const h = new Float64Array(p * p);
  for (let i = 0; i < p; i++) h[i * p + i] = 2 * (i + 1);

  it('refuses fewer than 2 samples (no standard error)', () => {
    expect(() => hutchinsonTrace(recordingOperator(h, p).op, { samples: 1, rng: createRng(1) })).toThrow(/at least 2 samples/);
  });

  it('counts only its own products when the operator has been used before', () => {
    const { op } = recordingOperator(h, p);
    op.apply(new Float64Array(p));
    op.apply(new Float64Array(p));
    expect(hutchinsonTrace(op, { samples: 6, rng: createRng(1) }).matvecs).toBe(6);
    expect(hutchPlusPlusTrace(op, { matvecs: 9, rng: createRng(1) }).matvecs).toBe(9);
  });

  it('early stop: the first k ≥ minSamples with s.e. ≤ target·|mean| (s.e. is 0 here, so exactly minSamples)', () => {
    const run = (minSamples: number, relativeStderrTarget: number) =>
      hutchinsonTrace(recordingOperator(h, p).op, { samples: 50, rng: createRng(3), minSamples, relativeStderrTarget }).samples;
    expect(run(3, 0.01)).toBe(3);
    expect(run(7, 0.01)).toBe(7);
    expect(run(4, 0)).toBe(4); // s.e. = 0 ≤ 0·|mean|
  });

  it('the standard error of a sum of block traces is the root sum of squares (3, 4 → 5)', () => {
    const block = (estimate: number, stderr: number): BlockTrace => ({ name: 'b', layer: 0, start: 0, end: 1, trace: { estimate, stderr, samples: 2, method: 'hutchinson' } });
    expect(sumOfBlockTraces([block(1, 3), block(2, 4)])).toEqual({ estimate: 3, stderr: 5 });
  });
});

describe('Hutch++ (Meyer et al. 2021) against exact traces', () => {
  it('needs at least 3 products; with 3 it runs one sketch, one exact and one remainder product', () => {
    const p = 4;
    const h = new Float64Array(p * p);
    [1, 2, 3, 4].forEach((d, i) => { h[i * p + i] = d; });
    expect(() => hutchPlusPlusTrace(recordingOperator(h, p).op, { matvecs: 2, rng: createRng(1) })).toThrow(/at least 3 matvecs/);
    const r = hutchPlusPlusTrace(recordingOperator(h, p).op, { matvecs: 3, rng: createRng(1) });
    expect(r.matvecs).toBe(3);
    expect(r.samples).toBe(1);
  });

  it('H = diag(3, 2, 0, 0, 0, 0), 9 products: the sketch finds the 2-dimensional range, drops the third (zero) direction, and the estimate is exactly 5', () => {
    const p = 6;
    const h = new Float64Array(p * p);
    h[0] = 3;
    h[p + 1] = 2;
    const r = hutchPlusPlusTrace(recordingOperator(h, p).op, { matvecs: 9, rng: createRng(8) });
    expect(Math.abs(r.estimate - 5)).toBeLessThan(1e-12);
    expect(r.stderr).toBeLessThan(1e-12);
    // 3 sketch products + 2 exact ones (the dropped direction costs none) + 3 remainder probes.
    expect(r.matvecs).toBe(8);
    expect(r.samples).toBe(3);
  });

  it('H = 50·uuᵀ + 50·wwᵀ + 0.5·I (p = 20), 12 products: within 4 s.e. of tr H = 110, s.e. > 0 and far below the remainder\'s mean 0.5·16', () => {
    const p = 20;
    const rng = createRng(12);
    const unit = () => { const v = Array.from({ length: p }, () => rng.normal()); const n = Math.hypot(...v); return v.map((x) => x / n); };
    const [u, w] = [unit(), unit()];
    const h = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) h[i * p + j] = 50 * (u[i] * u[j] + w[i] * w[j]) + (i === j ? 0.5 : 0);
    const r = hutchPlusPlusTrace(recordingOperator(h, p).op, { matvecs: 12, rng: createRng(2) });
    expect(r.matvecs).toBe(12);
    expect(r.samples).toBe(4);
    expect(r.stderr).toBeGreaterThan(0);
    expect(r.stderr).toBeLessThan(1);
    expect(Math.abs(r.estimate - 110)).toBeLessThan(4 * r.stderr);
  });
});
