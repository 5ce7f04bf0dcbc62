/**
 * The modified loss of implicit gradient regularisation on a diagonal quadratic, where every
 * term is a closed form: L = ½Σ a_i(θ_i − c_i)², ∇L = a⊙(θ − c), H = diag(a), so
 * L̃ = L + (η/4)Σ a_i²(θ_i − c_i)² and ∇L̃ = ∇L + (η/2)·a⊙∇L.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import type { Objective } from '../../src/probes/objective.ts';
import { modifiedLoss, modifiedLossGradient } from '../../src/probes/modifiedLoss.ts';

function quadratic(a: number[], c: number[]): Objective {
  return {
    n: 1,
    chunkSize: 1,
    chunkLoss: (params) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(tf.sub(params[0], tf.tensor1d(c)))))) as tf.Scalar),
  };
}

describe('modified loss on a diagonal quadratic (closed form)', () => {
  beforeAll(async () => { await setupBackend(); });
  const a = [2, 0.5, 3];
  const c = [1, -1, 0.25];
  const theta = [1.5, 1, -0.75];
  const g = theta.map((t, i) => a[i] * (t - c[i])); // [1, 1, -3]
  const loss = 0.5 * theta.reduce((s, t, i) => s + a[i] * (t - c[i]) ** 2, 0); // 0.25 + 1 + 1.5 = 2.75
  const eta = 0.4;

  it('L̃ = L + (η/4)‖∇L‖², and L̃ = L at η = 0', () => {
    const params = [tf.tensor1d(theta)];
    const sq = g.reduce((s, x) => s + x * x, 0); // 11
    expect(modifiedLoss(quadratic(a, c), params, eta)).toBeCloseTo(loss + (eta / 4) * sq, 5);
    expect(modifiedLoss(quadratic(a, c), params, eta)).toBeCloseTo(2.75 + 0.1 * 11, 5);
    expect(modifiedLoss(quadratic(a, c), params, 0)).toBeCloseTo(2.75, 5);
    tf.dispose(params);
  });

  it('∇L̃ = ∇L + (η/2)·H∇L with H = diag(a); L and ∇L returned alongside', () => {
    const params = [tf.tensor1d(theta)];
    const r = modifiedLossGradient(quadratic(a, c), params, eta);
    expect(r.loss).toBeCloseTo(loss, 5);
    g.forEach((x, i) => expect(r.gradient[i]).toBeCloseTo(x, 5));
    // [1 + 0.2·2·1, 1 + 0.2·0.5·1, −3 + 0.2·3·(−3)] = [1.4, 1.1, −4.8]
    [1.4, 1.1, -4.8].forEach((x, i) => expect(r.modifiedGradient[i]).toBeCloseTo(x, 5));
    expect(r.modifiedGradient.length).toBe(3);
    tf.dispose(params);
  });
});
