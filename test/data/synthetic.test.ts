import { describe, expect, it } from 'vitest';
import { separableClassification, sparseTeacherRegression, underdeterminedRegression } from '../../src/data/synthetic.ts';

const dot = (a: number[], b: number[]) => a.reduce((s, v, j) => s + v * b[j], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe('separableClassification', () => {
  for (const margin of [0.05, 0.5, 3]) {
    it(`margin ${margin}: every y_i⟨w*, x_i⟩/‖w*‖ ≥ margin, shapes, ±1 labels`, () => {
      const { X, y, teacher, teacherMargin } = separableClassification({ n: 300, p: 20, margin, seed: 4 });
      expect(X.length).toBe(300);
      X.forEach((row) => expect(row.length).toBe(20));
      expect(teacher.length).toBe(20);
      expect(norm(teacher)).toBeCloseTo(1, 12);
      const margins = X.map((x, i) => (y[i] * dot(teacher, x)) / norm(teacher));
      const min = Math.min(...margins);
      expect(min).toBeGreaterThanOrEqual(margin);
      expect(teacherMargin).toBeCloseTo(min, 10);
      expect(min).toBeLessThan(margin + 0.1); // the gap is tight, not a loose bound
      expect(new Set(y)).toEqual(new Set([-1, 1]));
      const pos = y.filter((v) => v === 1).length;
      expect(pos).toBeGreaterThan(100);
      expect(pos).toBeLessThan(200);
    });
  }

  it('orthogonal part stays standard Gaussian (variance ≈ 1)', () => {
    const { X, teacher } = separableClassification({ n: 2000, p: 10, margin: 1, seed: 1 });
    let sq = 0;
    for (const x of X) {
      const s = dot(teacher, x);
      const perp = x.map((v, j) => v - s * teacher[j]);
      sq += dot(perp, perp);
    }
    expect(sq / (2000 * 9)).toBeGreaterThan(0.95);
    expect(sq / (2000 * 9)).toBeLessThan(1.05);
  });

  it('is deterministic in the seed', () => {
    const a = separableClassification({ n: 50, p: 5, margin: 1, seed: 9 });
    expect(separableClassification({ n: 50, p: 5, margin: 1, seed: 9 })).toEqual(a);
    expect(separableClassification({ n: 50, p: 5, margin: 1, seed: 10 }).X).not.toEqual(a.X);
  });

  it('rejects a non-positive margin', () => {
    expect(() => separableClassification({ n: 5, p: 2, margin: 0, seed: 1 })).toThrow(/margin must be a finite number > 0/);
  });
});

describe('underdeterminedRegression', () => {
  it('dense teacher: shapes, unit norm, noiseless y = X w*', () => {
    const { X, y, teacher } = underdeterminedRegression({ n: 20, p: 50, teacher: 'dense', seed: 3 });
    expect(X.length).toBe(20);
    X.forEach((r) => expect(r.length).toBe(50));
    expect(y.length).toBe(20);
    expect(teacher.length).toBe(50);
    expect(norm(teacher)).toBeCloseTo(1, 12);
    expect(teacher.filter((v) => v !== 0).length).toBe(50);
    X.forEach((x, i) => expect(y[i]).toBeCloseTo(dot(x, teacher), 12));
  });

  it('sparse teacher has exactly `sparsity` non-zeros of size 1/√k', () => {
    const { teacher } = underdeterminedRegression({ n: 20, p: 50, teacher: 'sparse', sparsity: 4, seed: 3 });
    const nz = teacher.filter((v) => v !== 0);
    expect(nz.length).toBe(4);
    nz.forEach((v) => expect(Math.abs(v)).toBeCloseTo(0.5, 12));
  });

  it('noise adds residuals of the right size; deterministic; n < p enforced', () => {
    const a = underdeterminedRegression({ n: 400, p: 500, teacher: 'dense', noise: 0.5, seed: 8 });
    const res = a.X.map((x, i) => a.y[i] - dot(x, a.teacher));
    const sd = Math.sqrt(res.reduce((s, r) => s + r * r, 0) / res.length);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
    expect(underdeterminedRegression({ n: 400, p: 500, teacher: 'dense', noise: 0.5, seed: 8 })).toEqual(a);
    expect(() => underdeterminedRegression({ n: 5, p: 5, teacher: 'dense', seed: 1 })).toThrow(/need n < p/);
  });
});

describe('sparseTeacherRegression', () => {
  it('k-sparse teacher on the returned support; y = X w*; positive option', () => {
    const r = sparseTeacherRegression({ n: 30, p: 100, k: 5, noise: 0, seed: 2 });
    expect(r.support.length).toBe(5);
    expect([...r.support].sort((a, b) => a - b)).toEqual(r.support);
    r.teacher.forEach((v, j) => expect(v !== 0).toBe(r.support.includes(j)));
    expect(norm(r.teacher)).toBeCloseTo(1, 12);
    r.X.forEach((x, i) => expect(r.y[i]).toBeCloseTo(dot(x, r.teacher), 12));
    const pos = sparseTeacherRegression({ n: 30, p: 100, k: 5, noise: 0, positive: true, seed: 2 });
    expect(pos.teacher.every((v) => v >= 0)).toBe(true);
    expect(sparseTeacherRegression({ n: 30, p: 100, k: 5, noise: 0, seed: 2 })).toEqual(r);
    expect(sparseTeacherRegression({ n: 30, p: 100, k: 5, noise: 0, seed: 3 }).support).not.toEqual(r.support);
  });
});
