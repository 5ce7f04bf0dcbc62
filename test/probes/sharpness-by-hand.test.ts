/**
 * ε-sharpness (Keskar et al. 2017) on objectives whose box maximum is known by hand: a linear
 * loss (maximum at the vertex sign(w), reached in one sign step from the box centre), a convex
 * quadratic at its minimum (a stationary point: no ascent direction without the random start),
 * and a box whose half-widths scale with |θ_i| + 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import type { Objective } from '../../src/probes/objective.ts';
import { epsilonSharpness } from '../../src/probes/sharpness.ts';
import { createRng } from '../../src/util/rng.ts';

/** L(θ) = wᵀθ + c over one chunk. */
const linear = (w: number[], c: number): Objective => ({
  n: 1,
  chunkSize: 1,
  chunkLoss: (ps) => tf.tidy(() => tf.add(tf.sum(tf.mul(tf.tensor1d(w), ps[0])), c) as tf.Scalar),
});
/** L(θ) = ½Σ a_i(θ_i − c_i)². */
const quadratic = (a: number[], c: number[]): Objective => ({
  n: 1,
  chunkSize: 1,
  chunkLoss: (ps) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(tf.sub(ps[0], tf.tensor1d(c)))))) as tf.Scalar),
});

describe('epsilonSharpness by hand', () => {
  beforeAll(async () => { await setupBackend(); });
  const theta = [0.5, -2, 0, 3];
  const w = [1, -2, 0.5, -0.25];
  const eps = 0.05;
  // box half-widths b_i = ε(|θ_i| + 1) = [0.075, 0.15, 0.05, 0.2]; the maximum adds Σ|w_i| b_i
  const loss = theta.reduce((s, t, i) => s + w[i] * t, 3); // 0.5 + 4 + 0 − 0.75 + 3 = 6.75
  const gain = w.reduce((s, wi, i) => s + Math.abs(wi) * eps * (Math.abs(theta[i]) + 1), 0); // 0.075 + 0.3 + 0.025 + 0.05 = 0.45

  it('linear loss from the box centre: one sign step reaches the vertex; then 20 halvings of the step (down to 2⁻²⁰ < 1e-6) fail and it stops', () => {
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(linear(w, 3), params, { epsilon: eps, startFraction: 0, rng: createRng(1) });
    expect(r.epsilon).toBe(eps);
    expect(r.loss).toBeCloseTo(6.75, 5);
    expect(r.maxLoss).toBeCloseTo(6.75 + 0.45, 5);
    expect(r.relativeIncrease).toBeCloseTo(0.45 / 7.75, 6);
    expect(r.fractionAtBoundary).toBe(1);
    // iteration 1 accepted (2 trials), iteration 2: steps 1, ½, …, 2⁻¹⁹ all fail (2 trials each)
    expect(r.iterations).toBe(2);
    expect(r.gradientEvaluations).toBe(1 + 2 + 2 * 20);
    tf.dispose(params);
  });

  it('the iteration budget is respected: with 1 iteration, 3 evaluations, and the same vertex', () => {
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(linear(w, 3), params, { epsilon: eps, iterations: 1, startFraction: 0, rng: createRng(1) });
    expect(r.iterations).toBe(1);
    expect(r.gradientEvaluations).toBe(3);
    expect(r.maxLoss).toBeCloseTo(loss + gain, 5);
    const none = epsilonSharpness(linear(w, 3), params, { epsilon: eps, iterations: 0, startFraction: 0, rng: createRng(1) });
    expect(none.iterations).toBe(0);
    expect(none.gradientEvaluations).toBe(1);
    expect(none.maxLoss).toBeCloseTo(loss, 5);
    expect(none.fractionAtBoundary).toBe(0);
    tf.dispose(params);
  });

  it('default ε = 1e-3: the gain is 1e-3·Σ|w_i|(|θ_i| + 1)', () => {
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(linear(w, 3), params, { rng: createRng(2) });
    expect(r.epsilon).toBe(1e-3);
    expect((r.maxLoss - r.loss) / (gain / eps * 1e-3)).toBeCloseTo(1, 2);
    expect(r.fractionAtBoundary).toBe(1);
    tf.dispose(params);
  });

  it('a coordinate with zero gradient stays put (the sign step does not move it); the others reach the faces', () => {
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(linear([1, 0, -1, 0], 0), params, { epsilon: eps, startFraction: 0, rng: createRng(3) });
    expect(r.fractionAtBoundary).toBe(0.5);
    expect(r.maxLoss - r.loss).toBeCloseTo(eps * 1.5 + eps * 1, 5);
    tf.dispose(params);
  });

  it('at a minimum with no random start the gradient is 0: stop at once, sharpness 0; the default random start escapes to the far vertex', () => {
    const a = [2, 1, 4];
    const c = [1, -1, 0.5];
    const params = [tf.tensor1d(c)];
    const stuck = epsilonSharpness(quadratic(a, c), params, { epsilon: eps, startFraction: 0, rng: createRng(4) });
    expect(stuck.iterations).toBe(1);
    expect(stuck.gradientEvaluations).toBe(1);
    expect(stuck.maxLoss).toBe(0);
    expect(stuck.relativeIncrease).toBe(0);
    expect(stuck.fractionAtBoundary).toBe(0);
    const escaped = epsilonSharpness(quadratic(a, c), params, { epsilon: eps, rng: createRng(4) });
    // every coordinate at a face: ½Σ a_i b_i², b_i = ε(|c_i| + 1)
    const vertex = 0.5 * a.reduce((s, ai, i) => s + ai * (eps * (Math.abs(c[i]) + 1)) ** 2, 0);
    expect(escaped.maxLoss / vertex).toBeCloseTo(1, 4);
    expect(escaped.fractionAtBoundary).toBe(1);
    expect(escaped.relativeIncrease).toBeCloseTo(vertex, 6); // L(θ) = 0
    tf.dispose(params);
  });

  it('a loss that only decreases inside the box: maxLoss is L(θ), not the lower start value', () => {
    // L = −‖θ − c‖²·½ with c = θ: the start u ≠ 0 is below L(θ) and every step goes uphill back toward 0
    const c = [0.2, -0.1];
    const obj: Objective = { n: 1, chunkSize: 1, chunkLoss: (ps, s, n) => tf.tidy(() => tf.neg(quadratic([1, 1], c).chunkLoss(ps, s, n)) as tf.Scalar) };
    const params = [tf.tensor1d(c)];
    const r = epsilonSharpness(obj, params, { epsilon: 0.5, iterations: 1, startFraction: 0.9, rng: createRng(5) });
    expect(r.loss).toBeCloseTo(0, 7);
    expect(r.maxLoss).toBeCloseTo(0, 7);
    expect(r.relativeIncrease).toBeCloseTo(0, 7);
    tf.dispose(params);
  });
  it('the random start lies inside the box: with no iterations, fraction 1 leaves every coordinate strictly inside and L below the vertex value', () => {
    const params = [tf.tensor1d(theta)];
    const r = epsilonSharpness(linear(w, 3), params, { epsilon: eps, iterations: 0, startFraction: 1, rng: createRng(6) });
    expect(r.fractionAtBoundary).toBe(0);
    expect(r.maxLoss).toBeLessThanOrEqual(loss + gain + 1e-5);
    tf.dispose(params);
  });

  it('the gradient candidate is steps along b⊙∇L/‖b⊙∇L‖_∞ and wins when better: an isotropic concave bowl in u is climbed to its top in one step', () => {
    // θ = (1, −2), ε = 0.1: b = (0.2, 0.3). L(θ') = −½Σ a_i(θ'_i − c_i)² with a_i = 4/b_i² is −2‖u − u*‖² in
    // u = (θ' − θ)/b, top at u* = (1, ½): b⊙∇L at u = 0 is 4u*, ‖·‖_∞ = 4, so the gradient step (step 1)
    // lands on u* exactly (L = 0), while the sign step (1, 1) gives −½ — better than L(θ) = −5/2 but not best.
    const t = [1, -2];
    const b = [0.2, 0.3];
    const uStar = [1, 0.5];
    const a = b.map((x) => 4 / (x * x));
    const c = t.map((x, i) => x + b[i] * uStar[i]);
    const obj: Objective = { n: 1, chunkSize: 1, chunkLoss: (ps, s0, n) => tf.tidy(() => tf.neg(quadratic(a, c).chunkLoss(ps, s0, n)) as tf.Scalar) };
    const params = [tf.tensor1d(t)];
    const r = epsilonSharpness(obj, params, { epsilon: 0.1, iterations: 1, startFraction: 0, rng: createRng(7) });
    expect(r.loss).toBeCloseTo(-2.5, 5);
    expect(r.maxLoss).toBeCloseTo(0, 5);
    expect(r.fractionAtBoundary).toBe(0.5); // u*₁ = 1 is on a face, u*₂ = ½ is not
    tf.dispose(params);
  });

  it('leaves no tensors behind', () => {
    const params = [tf.tensor1d(theta)];
    const before = tf.memory().numTensors;
    epsilonSharpness(linear(w, 3), params, { epsilon: eps, iterations: 3, rng: createRng(8) });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params);
  });
});
