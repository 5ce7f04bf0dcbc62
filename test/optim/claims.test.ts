/**
 * The seed claims at small sizes. Claims 1, 2, 5 and 6 are held to the thresholds;
 * claims 3, 4 and 7 run as smoke versions (fewer steps) whose *trend* is checked, the full
 * thresholds being verified by `ibl reproduce seed-claims`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/backend/setup.ts';
import { claim1, claim2, claim3, claim4, claim5, claim6, claim7, verdictLine, sci } from '../../src/experiments/seedClaims/index.ts';

beforeAll(async () => { await setupBackend(); });

describe('seed claims with thresholds (small sizes)', () => {
  it('claim 1: GD reaches the min-ℓ2 interpolant from 0 and the closest one from θ₀ (rel. dist. < 1e-3)', () => {
    const r = claim1({ size: 'smoke' });
    expect(r.details.fromZero).toBeLessThan(1e-3);
    expect(r.details.fromTheta0).toBeLessThan(1e-3);
    // …and from θ₀ ≠ 0 it is *not* the min-norm interpolant.
    expect(r.details.theta0VsMinNorm).toBeGreaterThan(0.1);
    expect(r.pass).toBe(true);
    expect(verdictLine(r)).toMatch(/^claim 1 {2}PASS {2}rel\. dist\. .* \(threshold 1e-3\)$/);
  });

  it('claim 2: EG reaches the min-relative-entropy interpolant (rel. dist. < 1e-2), which GD does not', () => {
    const r = claim2({ size: 'smoke' });
    expect(r.details.distance).toBeLessThan(1e-2);
    expect(r.details.gdToEntropy).toBeGreaterThan(1e-2);
    expect(r.details.minReference).toBeGreaterThan(0.1); // well-conditioned reference
    expect(r.pass).toBe(true);
  });

  it('claim 5: diagonal network, small α → min-ℓ1, large α → min-ℓ2 (rel. dist. < 5e-2), Q_α in between', async () => {
    const r = await claim5({ size: 'smoke' });
    expect(r.details['toL1@0.001']).toBeLessThan(5e-2);
    expect(r.details['toL2@3']).toBeLessThan(5e-2);
    expect(r.details['toL2@0.001']).toBeGreaterThan(0.3);
    expect(r.details['toL1@3']).toBeGreaterThan(0.3);
    expect(r.details.maxToQ).toBeLessThan(5e-2);
    expect(r.pass).toBe(true);
  });

  it('claim 6: early-stopped GD stays within Ali et al.\'s 0.2985 band of ridge at λ = 1/(ηt)', () => {
    const r = claim6({ size: 'smoke' });
    expect(r.details.maxDistance).toBeLessThan(0.2985);
    expect(r.details.maxClosedForm).toBeLessThan(1e-4);
    expect(r.pass).toBe(true);
  });
});

describe('seed claims, smoke versions', () => {
  it('claim 3: 1 − cos to the SVM direction shrinks over the run; margin gap positive and shrinking', () => {
    const r = claim3({ size: 'smoke' });
    const [cos] = r.figure.panels[0].series;
    const [gap] = r.figure.panels[1].series;
    expect(cos.y[cos.y.length - 1]).toBeLessThan(cos.y[Math.floor(cos.y.length / 2)]);
    expect(gap.y[gap.y.length - 1]).toBeLessThan(gap.y[Math.floor(gap.y.length / 2)]);
    expect(r.details.oneMinusCos).toBeLessThan(1e-2);
    expect(r.details.svmKkt).toBeLessThan(1e-8);
    expect(r.figure.panels[0].xScale).toBe('log');
    expect(r.figure.panels[0].yScale).toBe('log');
  });

  it('claim 4: CD is closest to the ℓ1 optimum, sign-GD to the ℓ∞ one', async () => {
    const r = await claim4({ size: 'smoke' });
    expect(r.details.cdOrdered).toBe(true);
    expect(r.details.signOrdered).toBe(true);
    expect(r.details.cdGapL1).toBeLessThan(2e-2);
    expect(r.details.signGapLinf).toBeLessThan(5e-2);
  });

  it('claim 7: the normalized margin of a bias-free ReLU MLP does not decrease after separation', () => {
    const r = claim7({ size: 'smoke' });
    expect(r.details.separatedAt).toBeGreaterThan(0);
    expect(r.details.maxDrop).toBeLessThanOrEqual(1e-3);
    expect(r.details.increase).toBeGreaterThan(1);
    expect(r.pass).toBe(true);
  });

  it('formats verdicts like the issue: "claim 3  PASS  1−cos = 2.1e-3 after 1e5 steps (threshold 1e-2)"', () => {
    expect(sci(0.0021)).toBe('2.1e-3');
    expect(sci(100000)).toBe('1e5');
    expect(sci(0.01)).toBe('1e-2');
    expect(sci(0.35)).toBe('0.35');
    expect(verdictLine({ id: 3, pass: true, measured: `1−cos = ${sci(0.0021)} after ${sci(1e5)} steps`, threshold: `threshold ${sci(1e-2)}` }))
      .toBe('claim 3  PASS  1−cos = 2.1e-3 after 1e5 steps (threshold 1e-2)');
    expect(verdictLine({ id: 5, pass: false, measured: 'x', threshold: 'y' })).toBe('claim 5  FAIL  x (y)');
  });
});
