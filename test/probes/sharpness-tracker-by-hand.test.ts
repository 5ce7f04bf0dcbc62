/**
 * The sharpness tracker on dense diagonal matrices (λ_max and its eigenvector known exactly):
 * cold then warm starts, what resets the warm start, the documented defaults (tol 1e-3, at
 * most 100 Lanczos steps, perturbation 0.1) and the per-sample bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { denseOperator } from '../../src/probes/operator.ts';
import { createSharpnessTracker } from '../../src/probes/sharpnessTracker.ts';

const diag = (d: number[]): Float64Array => {
  const p = d.length;
  const h = new Float64Array(p * p);
  d.forEach((x, i) => { h[i * p + i] = x; });
  return h;
};
// λ_max = 10, then a cluster below it: a cold start needs several Lanczos steps
const spectrum = [10, 9, 8.5, 8, 7, 6, 5, 4, 3, 2, 1, 0.5];
const op = () => denseOperator(diag(spectrum), spectrum.length);

describe('createSharpnessTracker', () => {
  it('first measurement cold, next ones warm-started from the previous eigenvector; both give λ_max within the default tolerance', () => {
    const tracker = createSharpnessTracker({ seed: 3 });
    const t0 = performance.now();
    const cold = tracker.measure(op(), 0);
    const elapsed = (performance.now() - t0) / 1000;
    expect(cold.warmStart).toBe(false);
    expect(cold.converged).toBe(true);
    expect(cold.relativeResidual).toBeLessThanOrEqual(1e-3);
    // the eigenvalue error is second order in the residual: |θ − λ| ≤ ‖r‖²/gap
    expect(Math.abs(cold.sharpness - 10)).toBeLessThan(10 * (10 * cold.relativeResidual) ** 2 + 1e-12);
    expect(cold.iterations).toBeGreaterThan(2);
    expect(cold.seconds).toBeGreaterThanOrEqual(0);
    expect(cold.seconds).toBeLessThanOrEqual(elapsed);
    const warm = tracker.measure(op(), 10);
    expect(warm.warmStart).toBe(true);
    expect(warm.converged).toBe(true);
    expect(Math.abs(warm.sharpness - 10)).toBeLessThan(1e-3);
    expect(warm.iterations).toBeLessThanOrEqual(cold.iterations);
  });

  it('the default tolerance is 1e-3: a tighter one takes more steps, the default stops with a residual above 1e-6', () => {
    const loose = createSharpnessTracker({ seed: 4 }).measure(op(), 0);
    const tight = createSharpnessTracker({ seed: 4, tol: 1e-9 }).measure(op(), 0);
    expect(loose.relativeResidual).toBeLessThanOrEqual(1e-3);
    expect(loose.relativeResidual).toBeGreaterThan(1e-6);
    expect(tight.relativeResidual).toBeLessThanOrEqual(1e-9);
    expect(tight.iterations).toBeGreaterThan(loose.iterations);
  });

  it('with no perturbation the warm start is the previous eigenvector itself: one product suffices; more perturbation, more steps', () => {
    const exact = createSharpnessTracker({ seed: 5, perturbation: 0, tol: 1e-6 });
    exact.measure(op(), 0);
    const again = exact.measure(op(), 1);
    expect(again.warmStart).toBe(true);
    expect(again.iterations).toBe(1);
    expect(again.sharpness).toBeCloseTo(10, 9);
    // 40 eigenvalues: 10, then 8.8 down to 1.2 (a cold start takes 12 steps at tol 1e-3)
    const wide = () => denseOperator(diag(Array.from({ length: 40 }, (_, i) => (i === 0 ? 10 : 9 - i * 0.2))), 40);
    const warmSteps = (perturbation?: number) => {
      const t = createSharpnessTracker({ seed: 5, ...(perturbation === undefined ? {} : { perturbation }) });
      const cold = t.measure(wide(), 0);
      const warm = t.measure(wide(), 1);
      expect(Math.abs(warm.sharpness - 10)).toBeLessThan(1e-3);
      return { cold: cold.iterations, warm: warm.iterations };
    };
    const byDefault = warmSteps();
    expect(byDefault.warm).toBeLessThan(byDefault.cold);
    // the random part has norm ρ exactly (0.1 by default): ρ = 1 needs more steps, ρ = 10⁶ more than a cold start
    expect(warmSteps(1).warm).toBeGreaterThan(byDefault.warm);
    expect(warmSteps(1e6).warm).toBeGreaterThan(byDefault.cold);
  });

  it('reset() and a change of dimension both make the next measurement cold', () => {
    const tracker = createSharpnessTracker({ seed: 6 });
    tracker.measure(op(), 0);
    tracker.reset();
    expect(tracker.measure(op(), 1).warmStart).toBe(false);
    expect(tracker.measure(op(), 2).warmStart).toBe(true);
    const other = tracker.measure(denseOperator(diag([3, 1, 2]), 3), 3);
    expect(other.warmStart).toBe(false);
    expect(other.sharpness).toBeCloseTo(3, 5);
  });

  it('maxIterations caps the Krylov dimension (default 100)', () => {
    const capped = createSharpnessTracker({ seed: 7, tol: 1e-14, maxIterations: 3 }).measure(op(), 0);
    expect(capped.iterations).toBe(3);
    expect(capped.converged).toBe(false);
    // 300 eigenvalues spread over (0, 1]: no relative residual of 1e-15 is reached before 100 steps
    const wide = Array.from({ length: 300 }, (_, i) => 1 - i / 300);
    const byDefault = createSharpnessTracker({ seed: 7, tol: 1e-15 }).measure(denseOperator(diag(wide), 300), 0);
    expect(byDefault.iterations).toBe(100);
    expect(byDefault.converged).toBe(false);
  });

  it('reproducible from (seed, step): two trackers with the same seed give the same samples; another step draws another start', () => {
    const strip = (s: { seconds: number }) => ({ ...s, seconds: 0 });
    const a = createSharpnessTracker({ seed: 8 });
    const b = createSharpnessTracker({ seed: 8 });
    expect(strip(a.measure(op(), 5))).toEqual(strip(b.measure(op(), 5)));
    const c = createSharpnessTracker({ seed: 8 }).measure(op(), 6);
    const d = createSharpnessTracker({ seed: 8 }).measure(op(), 5);
    expect(c.sharpness).not.toBe(d.sharpness);
  });
  it('the warm start is the previous unit eigenvector plus a random part of norm ρ (seen in the first vector Lanczos applies H to)', () => {
    // H = diag(10, 1, …, 1), p = 100: two distinct eigenvalues, so the cold start ends invariant at
    // exactly e₁. The warm start s = e₁ + ρr̂ (‖r̂‖ = 1) reaches H normalised; s/s₁ − e₁ = ρr̂⊥/(1 + ρr̂₁)
    // has norm between ρ‖r̂⊥‖/(1 + ρ) and ρ/(1 − ρ); ‖r̂⊥‖ > 0.9 for a random direction in 100 dimensions.
    const p = 100;
    const first: Float64Array[] = [];
    const spy = () => {
      const inner = denseOperator(diag([10, ...Array.from({ length: p - 1 }, () => 1)]), p);
      let seen = false;
      return { ...inner, apply(x: Float64Array) { if (!seen) { first.push(Float64Array.from(x)); seen = true; } return inner.apply(x); }, get matvecs() { return inner.matvecs; } };
    };
    for (const rho of [0.1, 0.3]) {
      const tracker = createSharpnessTracker({ seed: 9, ...(rho === 0.1 ? {} : { perturbation: rho }) });
      expect(tracker.measure(spy(), 0).sharpness).toBeCloseTo(10, 10);
      const warm = tracker.measure(spy(), 1);
      expect(warm.warmStart).toBe(true);
      const s = first[first.length - 1];
      const offAxis = Math.hypot(...s.slice(1)) / Math.abs(s[0]);
      expect(offAxis).toBeGreaterThan((0.9 * rho) / (1 + rho));
      expect(offAxis).toBeLessThan(rho / (1 - rho));
    }
  });
});
