/**
 * `minimize` on L(θ) = ½‖θ‖², where GD has the closed form θ_t = Π_{s<t}(1 − η_s) θ₀ and the
 * loss at step t is ½‖θ_t‖²: the schedule of loss checks, divergence, records, progress, the
 * learning-rate function and the optimiser state are each checked against it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { minimize } from '../../src/train/minimize.ts';
import { gradientDescent } from '../../src/optim/gradientDescent.ts';
import { momentumDescent } from '../../src/optim/momentum.ts';
import type { UpdateRule } from '../../src/optim/types.ts';

beforeAll(async () => { await setupBackend(); });

const halfSquaredNorm = (p: tf.Tensor[]) => tf.mul(0.5, tf.sum(tf.square(p[0]))) as tf.Scalar;

describe('minimize on ½θ² (closed form)', () => {
  it('contracts as (1 − η)^t, records θ at the chosen steps, reports progress and the last checked loss', () => {
    const recorded: [number, number][] = [];
    const progress: number[] = [];
    const r = minimize({
      objective: halfSquaredNorm, rule: gradientDescent(), params: [tf.tensor1d([2])], steps: 5, learningRate: 0.5,
      recordAt: (s) => s % 2 === 0, onRecord: (s, p) => recorded.push([s, p[0].dataSync()[0]]),
      onProgress: (s) => progress.push(s),
    });
    // θ_t = 2·2^{−t}.
    expect(recorded).toEqual([[0, 2], [2, 0.5], [4, 0.125]]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(r.status).toBe('completed');
    expect(r.stepsDone).toBe(5);
    expect(r.params[0].dataSync()[0]).toBe(0.0625);
    // Checked at t = 0 and at the last step t = 4 (before its update): ½·(2/16)².
    expect(r.lastLoss).toBeCloseTo(0.5 * 0.125 ** 2, 12);
    tf.dispose(r.params);
  });

  it('a learning-rate function is called with the step: η_t = 1 on odd steps lands on 0 at step 2', () => {
    const rates: number[] = [];
    const r = minimize({
      objective: halfSquaredNorm, rule: gradientDescent(), params: [tf.tensor1d([3])], steps: 2,
      learningRate: (t) => { rates.push(t); return t % 2 === 1 ? 1 : 0.5; },
    });
    expect(rates).toEqual([0, 1]);
    expect(r.params[0].dataSync()[0]).toBe(0); // 3 → 1.5 → 0
    tf.dispose(r.params);
  });

  it('divergence is seen at the first checked step whose loss exceeds divergenceLoss', () => {
    // η = 3: θ_t = (−2)^t, loss_t = ½·4^t = 0.5, 2, 8, 32, 128, 512, 2048, …
    const run = (checkEvery: number | undefined, steps: number, divergenceLoss?: number) =>
      minimize({ objective: halfSquaredNorm, rule: gradientDescent(), params: [tf.tensor1d([1])], steps, learningRate: 3, checkEvery, divergenceLoss });
    const every = run(1, 20, 100);
    expect([every.status, every.stepsDone, every.lastLoss]).toEqual(['diverged', 4, 128]);
    expect(every.params[0].dataSync()[0]).toBe(16); // θ₄, not updated past the check
    tf.dispose(every.params);
    const sparse = run(3, 20, 100);
    expect([sparse.status, sparse.stepsDone, sparse.lastLoss]).toEqual(['diverged', 6, 2048]);
    tf.dispose(sparse.params);
    // Default checkEvery (100): checks at t = 0 and at the last step only.
    const ends = run(undefined, 5, 100);
    expect([ends.status, ends.stepsDone, ends.lastLoss]).toEqual(['diverged', 4, 128]);
    tf.dispose(ends.params);
    // A loss equal to the limit is not divergence.
    const atLimit = run(1, 4, 32);
    expect([atLimit.status, atLimit.stepsDone, atLimit.lastLoss]).toEqual(['completed', 4, 32]);
    tf.dispose(atLimit.params);
    // Default limit ∞: only a non-finite loss diverges; θ = (−2)^t overflows float32 (> 3.4e38)
    // at t = 128, so ½θ² is ∞ from t = 64.
    const inf = run(1, 200);
    expect(inf.status).toBe('diverged');
    expect(inf.stepsDone).toBe(64);
    expect(inf.lastLoss).toBe(Infinity);
    tf.dispose(inf.params);
  });

  it('starts from a given optimiser state and returns the final one', () => {
    // Heavy ball v ← βv + g, θ ← θ − ηv with θ₀ = 0 (g₀ = 0) and v₀ = 1, β = 0.5, η = 0.1:
    // v₁ = 0.5, θ₁ = −0.05. Without the given state (v₀ = 0) θ would stay 0.
    const rule = momentumDescent({ momentum: 0.5 });
    const r = minimize({ objective: halfSquaredNorm, rule, params: [tf.tensor1d([0])], state: { velocity: [tf.tensor1d([1])] }, steps: 1, learningRate: 0.1 });
    expect(r.params[0].dataSync()[0]).toBeCloseTo(-0.05, 7);
    expect(r.state.velocity[0].dataSync()[0]).toBeCloseTo(0.5, 7);
    tf.dispose([...r.params, ...r.state.velocity]);
  });

  it('leaves no tensors behind but the result', () => {
    const before = tf.memory().numTensors;
    const rule = momentumDescent({ momentum: 0.5 });
    const r = minimize({ objective: halfSquaredNorm, rule, params: [tf.tensor1d([1, 2])], steps: 7, learningRate: 0.1, checkEvery: 2 });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([...r.params, ...r.state.velocity]);
  });

  it('records only the steps asked for (step 2 only), and frees every replaced tensor but none it keeps', () => {
    const recorded: number[] = [];
    const r = minimize({
      objective: halfSquaredNorm, rule: gradientDescent(), params: [tf.tensor1d([2])], steps: 4, learningRate: 0.5,
      recordAt: (s) => s === 2, onRecord: (s, p) => recorded.push(s, p[0].dataSync()[0]),
    });
    expect(recorded).toEqual([2, 0.5]);
    tf.dispose(r.params);
    // A rule that returns its parameters and a state tensor unchanged: the loop must not free them.
    const keep: UpdateRule = {
      name: 'keep', initState: () => ({ memory: [tf.scalar(7)] }),
      update: (params, _grads, state) => ({ params, state }),
    };
    const before = tf.memory().numTensors;
    const kept = minimize({ objective: halfSquaredNorm, rule: keep, params: [tf.tensor1d([3])], steps: 3, learningRate: 0.1 });
    expect(kept.params[0].dataSync()[0]).toBe(3);
    expect(kept.state.memory[0].dataSync()[0]).toBe(7);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([...kept.params, ...kept.state.memory]);
    // Divergence returns without leaking the last loss and gradients.
    const start = tf.memory().numTensors;
    const d = minimize({ objective: halfSquaredNorm, rule: gradientDescent(), params: [tf.tensor1d([1])], steps: 20, learningRate: 3, checkEvery: 1, divergenceLoss: 100 });
    expect(d.status).toBe('diverged');
    expect(tf.memory().numTensors).toBe(start + 1);
    tf.dispose(d.params);
  });
});
