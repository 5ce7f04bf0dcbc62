/**
 * Each update rule's single step against arithmetic done by hand on one 3-parameter example,
 * split over two tensors (a = [θ₁, θ₂], b = [[θ₃]]) so that rules acting on the whole vector
 * (norms, argmax coordinate, ½‖θ‖_p²) are checked across tensor boundaries.
 *
 *   θ = (1, −2, 0.5),  g = (0.5, −1, 2),  η = 0.1
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import {
  adam, coordinateDescent, createUpdateRule, gradientDescent, learningRateAt, mirrorDescent, momentumDescent,
  normalizedGradientDescent, randomCoordinate, signDescent, steepestDescent, withWeightDecay, type UpdateRule,
} from '../../src/optim/index.ts';
import { potentialDomain } from '../../src/optim/mirrorDescent.ts';
import { lpNorm } from '../../src/optim/flat.ts';
import { optimizerDomainProblems, trainingBatchSize } from '../../src/optim/registry.ts';

beforeAll(async () => { await setupBackend(); });

const theta = [1, -2, 0.5];
const grad = [0.5, -1, 2];

function split(v: number[]): tf.Tensor[] {
  return [tf.tensor1d(v.slice(0, 2)), tf.tensor2d([[v[2]]])];
}

function step(rule: UpdateRule, opts: { params?: number[]; state?: Record<string, number[]>; step?: number } = {}) {
  const params = split(opts.params ?? theta);
  const grads = split(grad);
  const state = opts.state
    ? Object.fromEntries(Object.entries(opts.state).map(([k, v]) => [k, split(v)]))
    : rule.initState(params);
  const before = [...params, ...grads, ...Object.values(state).flat()].map((t) => Array.from(t.dataSync()));
  const out = rule.update(params, grads, state, { step: opts.step ?? 0, learningRate: 0.1 });
  // Pure: inputs are neither changed nor disposed.
  const after = [...params, ...grads, ...Object.values(state).flat()].map((t) => Array.from(t.dataSync()));
  expect(after).toEqual(before);
  expect(out.params[1].shape).toEqual([1, 1]);
  const values = out.params.flatMap((t) => Array.from(t.dataSync()));
  const newState = Object.fromEntries(Object.entries(out.state).map(([k, v]) => [k, v.flatMap((t) => Array.from(t.dataSync()))]));
  return { values, state: newState };
}

function close(got: number[], want: number[], tol = 2e-6) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `entry ${i}: got ${g}, want ${want[i]}`).toBeLessThan(tol));
}

describe('single updates, hand-computed', () => {
  it('GD: θ − ηg = (1 − 0.05, −2 + 0.1, 0.5 − 0.2)', () => {
    close(step(gradientDescent()).values, [0.95, -1.9, 0.3]);
  });

  it('heavy ball and Nesterov from velocity (1, 1, 1), β = 0.9', () => {
    // v = 0.9·(1,1,1) + g = (1.4, −0.1, 2.9);  θ − 0.1v = (0.86, −1.99, 0.21)
    const hb = step(momentumDescent({ momentum: 0.9 }), { state: { velocity: [1, 1, 1] } });
    close(hb.values, [0.86, -1.99, 0.21]);
    close(hb.state.velocity, [1.4, -0.1, 2.9]);
    // Nesterov direction g + 0.9v = (0.5 + 1.26, −1 − 0.09, 2 + 2.61) = (1.76, −1.09, 4.61)
    // θ − 0.1·(1.76, −1.09, 4.61) = (0.824, −1.891, 0.039)
    close(step(momentumDescent({ momentum: 0.9, nesterov: true }), { state: { velocity: [1, 1, 1] } }).values, [0.824, -1.891, 0.039]);
    // From v₀ = 0 the first heavy-ball step is a GD step.
    close(step(momentumDescent()).values, [0.95, -1.9, 0.3]);
  });

  it('Adam and AdamW at the second step (t = 2) from m = (0.1, 0, −0.2), v = (0.01, 0.04, 0)', () => {
    // m' = 0.9m + 0.1g = (0.14, −0.1, 0.02);  v' = 0.999v + 0.001g² = (0.01024, 0.04096, 0.004)
    // 1 − 0.9² = 0.19,  1 − 0.999² = 0.001999
    // m̂ = (0.736842, −0.526316, 0.105263),  √v̂ = √(5.122561, 20.490245, 2.001001) = (2.263308, 4.526615, 1.414567)
    // m̂/(√v̂ + ε) = (0.325560, −0.116271, 0.074414);  θ − 0.1·that = (0.967444, −1.988373, 0.492559)
    const a = step(adam(), { state: { m: [0.1, 0, -0.2], v: [0.01, 0.04, 0] }, step: 1 });
    close(a.values, [0.967444, -1.988373, 0.492559]);
    close(a.state.m, [0.14, -0.1, 0.02]);
    close(a.state.v, [0.01024, 0.04096, 0.004], 1e-8);
    // AdamW, λ = 0.01: additionally −0.1·0.01·θ = −0.001θ → (0.966444, −1.986373, 0.492059)
    close(step(adam({ decoupled: true, weightDecay: 0.01 }), { state: { m: [0.1, 0, -0.2], v: [0.01, 0.04, 0] }, step: 1 }).values,
      [0.966444, -1.986373, 0.492059]);
    // First step from zero moments: m̂ = g, v̂ = g², so the step is η·sign(g) (up to ε): (0.9, −1.9, 0.4)
    close(step(adam()).values, [0.9, -1.9, 0.4], 1e-6);
  });

  it('sign-GD and normalized GD', () => {
    // θ − 0.1·sign(g) = (0.9, −1.9, 0.4)
    close(step(signDescent()).values, [0.9, -1.9, 0.4]);
    // ‖g‖₂ = √5.25 = 2.291288;  θ − 0.1 g/2.291288 = (1 − 0.021822, −2 + 0.043644, 0.5 − 0.087287)
    close(step(normalizedGradientDescent()).values, [0.978178, -1.956356, 0.412713]);
  });

  it('steepest descent w.r.t. ℓ1, ℓ2, ℓ∞ (unnormalized: step length ‖g‖_* η)', () => {
    // ℓ∞: ‖g‖₁ = 3.5, θ − 0.1·3.5·sign(g) = (0.65, −1.65, 0.15)
    close(step(steepestDescent({ norm: Infinity })).values, [0.65, -1.65, 0.15]);
    // ℓ2: plain GD
    close(step(steepestDescent({ norm: 2 })).values, [0.95, -1.9, 0.3]);
    // ℓ1: argmax|g| = coordinate 3 (|2|, in the second tensor); θ₃ − 0.1·2 = 0.3
    close(step(steepestDescent({ norm: 1 })).values, [1, -2, 0.3]);
    // ℓ1 normalized: θ₃ − 0.1·sign(2) = 0.4
    close(step(steepestDescent({ norm: 1, normalized: true })).values, [1, -2, 0.4]);
  });

  it('steepest descent w.r.t. a general ℓp (p = 3 and p = 1.5): −sign(g)|g|^{q−1}‖g‖_q^{2−q}', () => {
    // p = 3, q = 3/2: ‖g‖_q = (0.5^1.5 + 1 + 2^1.5)^(2/3) = 4.181981^(2/3) = 2.595701
    // Δ_nsd = −sign(g)(|g|/‖g‖_q)^{1/2} = −sign(g)·(0.438892, 0.620687, 0.877784)   (‖Δ‖₃ = 1, ⟨g, Δ⟩ = −‖g‖_q)
    // unnormalized: θ + 0.1·2.595701·Δ = (1 − 0.113923, −2 + 0.161112, 0.5 − 0.227847) = (0.886077, −1.838888, 0.272153)
    close(step(steepestDescent({ norm: 3 })).values, [0.886077, -1.838888, 0.272153]);
    // normalized: θ + 0.1·Δ = (0.956111, −1.937931, 0.412222)
    close(step(steepestDescent({ norm: 3, normalized: true })).values, [0.956111, -1.937931, 0.412222]);
    // p = 1.5, q = 3: ‖g‖₃ = (0.125 + 1 + 8)^(1/3) = 2.089670;  Δ = −sign(g)(|g|/2.089670)² = −sign(g)·(0.057251, 0.229005, 0.916020)
    // unnormalized: θ + 0.1·2.089670·Δ = (0.988036, −1.952146, 0.308582)
    close(step(steepestDescent({ norm: 1.5 })).values, [0.988036, -1.952146, 0.308582]);
    expect(steepestDescent({ norm: 3 }).name).toBe('steepest-descent-l3');
    expect(() => steepestDescent({ norm: 0.5 })).toThrow(/norm p must be ≥ 1/);
  });

  it('coordinate descent: greedy (Gauss–Southwell) and seeded random', () => {
    close(step(coordinateDescent()).values, [1, -2, 0.3]);
    const seen = new Set<number>();
    for (let t = 0; t < 30; t++) {
      const i = randomCoordinate(3, 7, t);
      seen.add(i);
      const want = [...theta];
      want[i] -= 0.1 * grad[i];
      close(step(coordinateDescent({ selection: 'random', seed: 7 }), { step: t }).values, want);
    }
    expect(seen.size).toBe(3);
    expect(randomCoordinate(3, 7, 5)).toBe(randomCoordinate(3, 7, 5));
  });

  it('mirror descent: entropy (EG), signed EG± and ½‖θ‖_1.5²', () => {
    // θ = (1, 2, 0.5) > 0:  θ ⊙ exp(−0.1g) = (e^{−0.05}, 2e^{0.1}, 0.5e^{−0.2}) = (0.951229, 2.210342, 0.409365)
    close(step(mirrorDescent({ kind: 'entropy' }), { params: [1, 2, 0.5] }).values, [0.951229, 2.210342, 0.409365]);
    // EG± with β = 0.5 (2β = 1): arcsinh θ = (0.881374, −1.443635, 0.481212); minus 0.1g → (0.831374, −1.343635, 0.281212);
    // sinh → (0.930510, −1.786029, 0.284933)
    close(step(mirrorDescent({ kind: 'eg-pm', scale: 0.5 })).values, [0.930510, -1.786029, 0.284933]);
    // p = 1.5, q = 3: ‖θ‖_1.5 = (1 + 2^1.5 + 0.5^1.5)^(2/3) = 4.181981^(2/3) = 2.595701
    // z = sign(θ)|θ|^0.5·‖θ‖^0.5 = (1.611118, −2.278465, 1.139232);  z − 0.1g = (1.561118, −2.178465, 0.939232)
    // ‖z‖₃ = 2.464649;  θ' = sign(z) z²/‖z‖₃ = (0.988818, −1.925511, 0.357924)
    close(step(mirrorDescent({ kind: 'p-norm', p: 1.5 })).values, [0.988818, -1.925511, 0.357924], 5e-6);
    // p = 2 is GD.
    close(step(mirrorDescent({ kind: 'p-norm', p: 2 })).values, [0.95, -1.9, 0.3]);
  });

  it('explicit weight decay adds λθ to the gradient', () => {
    // λ = 0.5: g + 0.5θ = (1, −2, 2.25);  θ − 0.1·that = (0.9, −1.8, 0.275)
    close(step(withWeightDecay(gradientDescent(), 0.5)).values, [0.9, -1.8, 0.275]);
    // Through the registry (config path): same numbers.
    close(step(createUpdateRule({ kind: 'gd', weightDecay: 0.5 })).values, [0.9, -1.8, 0.275]);
  });

  it('the entropy potential refuses a start that is not strictly positive', () => {
    expect(() => mirrorDescent({ kind: 'entropy' }).initState(split(theta))).toThrow(/optimizer\.potential.*parameters > 0.*entry 1 = -2/);
    expect(() => mirrorDescent({ kind: 'entropy' }).initState([tf.zeros([3])])).toThrow(/optimizer\.potential/);
  });
});

describe('hyper-parameter ranges and defaults', () => {
  it('momentum β ∈ [0, 1): β = 0 is GD even with a velocity; β = 1 and β < 0 are refused', () => {
    close(step(momentumDescent({ momentum: 0 }), { state: { velocity: [1, 1, 1] } }).values, [0.95, -1.9, 0.3]);
    expect(() => momentumDescent({ momentum: 1 })).toThrow(/momentum must be in \[0, 1\), got 1/);
    expect(() => momentumDescent({ momentum: -0.1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(momentumDescent().initState(split(theta)).velocity.flatMap((t) => Array.from(t.dataSync()))).toEqual([0, 0, 0]);
  });

  it('Adam: β₁, β₂ ∈ [0, 1) and ε > 0; zero initial moments', () => {
    expect(() => adam({ beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
    expect(() => adam({ beta2: -0.1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(() => adam({ epsilon: 0 })).toThrow(/epsilon must be > 0, got 0/);
    // β₁ = 0: m̂ = g, so from v = 0 the first step is again η·sign(g).
    close(step(adam({ beta1: 0 })).values, [0.9, -1.9, 0.4], 1e-6);
    const state = adam().initState(split(theta));
    expect(Object.keys(state).sort()).toEqual(['m', 'v']);
    expect([...state.m, ...state.v].flatMap((t) => Array.from(t.dataSync()))).toEqual([0, 0, 0, 0, 0, 0]);
    // AdamW's default decoupled decay is λ = 0.01: first step η(sign(g) + 0.01θ) = (0.899, −1.898, 0.3995)
    close(step(adam({ decoupled: true })).values, [0.899, -1.898, 0.3995], 1e-6);
  });

  it('weight decay: λ = 0 returns the rule itself; a negative or infinite λ is refused', () => {
    const rule = gradientDescent();
    expect(withWeightDecay(rule, 0)).toBe(rule);
    expect(() => withWeightDecay(rule, -0.1)).toThrow(/weight decay must be a finite number ≥ 0, got -0.1/);
    expect(() => withWeightDecay(rule, Infinity)).toThrow(/weight decay/);
    expect(withWeightDecay(momentumDescent(), 0.5).initState(split(theta))).toHaveProperty('velocity');
  });

  it('mirror-descent potentials: EG± default β = 1, scale and p ranges, parameter domains', () => {
    // β = 1: θ ← 2 sinh(arcsinh(θ/2) − 0.1g) = 2 sinh(0.431212, −0.781374, 0.047466) = (0.889400, −1.726694, 0.094969)
    close(step(mirrorDescent({ kind: 'eg-pm' })).values, [0.889400, -1.726694, 0.094969]);
    expect(() => mirrorDescent({ kind: 'eg-pm', scale: 0 })).toThrow(/optimizer\.potential\.scale: must be a finite number > 0, got 0/);
    expect(() => mirrorDescent({ kind: 'eg-pm', scale: Infinity })).toThrow(/optimizer\.potential\.scale/);
    expect(() => mirrorDescent({ kind: 'p-norm', p: 1 })).toThrow(/optimizer\.potential\.p: must be in \(1, 2\], got 1/);
    expect(() => mirrorDescent({ kind: 'p-norm', p: 2.5 })).toThrow(/optimizer\.potential\.p/);
    expect(potentialDomain({ kind: 'entropy' })).toBe('positive');
    expect(potentialDomain({ kind: 'eg-pm' })).toBe('real');
    expect(potentialDomain({ kind: 'p-norm', p: 1.5 })).toBe('real');
    // Stateless rules carry no state.
    for (const rule of [mirrorDescent({ kind: 'eg-pm' }), mirrorDescent({ kind: 'p-norm', p: 1.5 }), coordinateDescent(), steepestDescent({ norm: 3 }), gradientDescent()]) {
      expect(rule.initState(split(theta))).toEqual({});
    }
    expect(mirrorDescent({ kind: 'entropy' }).initState(split([1, 2, 0.5]))).toEqual({});
  });
});

describe('the registry passes every config field to its rule', () => {
  it('momentum β, Adam ε and β₁, AdamW λ, the coordinate-descent seed', () => {
    // β = 0.5 from v = (1, 1, 1): v' = 0.5 + g = (1, −0.5, 2.5);  θ − 0.1v' = (0.9, −1.95, 0.25)
    close(step(createUpdateRule({ kind: 'momentum', momentum: 0.5 }), { state: { velocity: [1, 1, 1] } }).values, [0.9, -1.95, 0.25]);
    // ε = 1, first step: θ − 0.1·g/(|g| + 1) = (1 − 0.1/3, −2 + 0.05, 0.5 − 0.2/3)
    close(step(createUpdateRule({ kind: 'adam', epsilon: 1 })).values, [1 - 0.1 / 3, -1.95, 0.5 - 0.2 / 3]);
    // β₁ = 0 at t = 2 from v = (0.01, 0.04, 0): m̂ = g, √v̂ = (2.263308, 4.526615, 1.414567) → θ − 0.1·g/√v̂ = (0.977908, −1.977908, 0.358614)
    close(step(createUpdateRule({ kind: 'adam', beta1: 0 }), { state: { m: [0.1, 0, -0.2], v: [0.01, 0.04, 0] }, step: 1 }).values, [0.977908, -1.977908, 0.358614]);
    // AdamW λ = 0.1, first step: θ − 0.1(sign(g) + 0.1θ) = (0.89, −1.88, 0.395)
    close(step(createUpdateRule({ kind: 'adamw', weightDecay: 0.1 })).values, [0.89, -1.88, 0.395], 1e-6);
    // The random coordinate follows the run seed: at a step where seeds 0 and 7 pick different coordinates.
    const t = Array.from({ length: 50 }, (_, k) => k).find((k) => randomCoordinate(3, 7, k) !== randomCoordinate(3, 0, k))!;
    const want = [...theta];
    want[randomCoordinate(3, 7, t)] -= 0.1 * grad[randomCoordinate(3, 7, t)];
    close(step(createUpdateRule({ kind: 'coordinate-descent', selection: 'random' }, { seed: 7 }), { step: t }).values, want);
  });

  it('steepest descent is unnormalized unless asked; unknown kinds and a missing potential are refused', () => {
    close(step(createUpdateRule({ kind: 'steepest-descent', norm: 'inf' })).values, [0.65, -1.65, 0.15]);
    close(step(createUpdateRule({ kind: 'steepest-descent', norm: 'inf', normalized: true })).values, [0.9, -1.9, 0.4]);
    close(step(createUpdateRule({ kind: 'steepest-descent', norm: 3 })).values, [0.886077, -1.838888, 0.272153]);
    expect(() => createUpdateRule({ kind: 'adagrad' })).toThrow(/optimizer\.kind: unknown optimizer 'adagrad'/);
    expect(() => createUpdateRule({ kind: 'mirror-descent' })).toThrow(/optimizer\.potential: required for mirror-descent/);
    expect(mirrorDescent({ kind: 'entropy' }).name).toBe('mirror-descent-entropy');
  });

  it('batch sizes and parameter-domain problems', () => {
    expect(trainingBatchSize({ kind: 'sgd' })).toBe(64);
    expect(trainingBatchSize({ kind: 'sgd', batchSize: 8 })).toBe(8);
    expect(trainingBatchSize({ kind: 'gd', batchSize: 8 })).toBeNull();
    expect(trainingBatchSize({ kind: 'momentum' })).toBeNull();
    expect(optimizerDomainProblems({ kind: 'gd' }, 'mlp')).toEqual([]);
    // Only mirror descent uses a potential; another rule given one has no domain restriction.
    expect(optimizerDomainProblems({ kind: 'gd', potential: { kind: 'entropy' } }, 'mlp')).toEqual([]);
    expect(optimizerDomainProblems({ kind: 'mirror-descent', potential: { kind: 'eg-pm' } }, 'mlp')).toEqual([]);
    const problems = optimizerDomainProblems({ kind: 'mirror-descent', potential: { kind: 'entropy' } }, 'cnn');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^optimizer\.potential: the 'entropy' potential .* model 'cnn' .*use the signed \{"kind":"eg-pm"\} or \{"kind":"p-norm","p":…\} potential$/);
  });
});

describe('flat-vector helpers', () => {
  it('‖v‖_p scales by the largest entry, so tiny and large entries neither under- nor overflow in float32', () => {
    // ‖(1e-20, 3, 4)‖₃ = (27 + 64)^(1/3) = 4.497941 (scaling by the smallest entry would overflow: (4/1e-20)³)
    expect(lpNorm(tf.tensor1d([1e-20, 3, -4]), 3).dataSync()[0]).toBeCloseTo(4.497941, 5);
    // ‖(1e-30, 2e-30)‖₃ = 1e-30·(1 + 8)^(1/3) = 2.080084e-30 (unscaled, |v|³ underflows to 0)
    expect(lpNorm(tf.tensor1d([1e-30, 2e-30]), 3).dataSync()[0] / 2.080084e-30).toBeCloseTo(1, 4);
    expect(lpNorm(tf.tensor1d([1, -2, 2]), Infinity).dataSync()[0]).toBe(2);
    expect(lpNorm(tf.tensor1d([1, -2, 2]), 1).dataSync()[0]).toBe(5);
    expect(lpNorm(tf.tensor1d([1, -2, 2]), 2).dataSync()[0]).toBeCloseTo(3, 6);
  });

  it('a rule over a single parameter tensor (no split needed) keeps its shape', () => {
    const params = [tf.tensor2d([[1, -2], [0.5, 3]])];
    const out = steepestDescent({ norm: 1 }).update(params, [tf.tensor2d([[0.5, -1], [2, 1]])], {}, { step: 0, learningRate: 0.1 });
    expect(out.params).toHaveLength(1);
    expect(out.params[0].shape).toEqual([2, 2]);
    close(Array.from(out.params[0].dataSync()), [1, -2, 0.3, 3]);
  });

  it('weight decay frees its decayed gradient (no tensor leak per step)', () => {
    const params = split(theta);
    const grads = split(grad);
    const rule = withWeightDecay(gradientDescent(), 0.5);
    const before = tf.memory().numTensors;
    const out = rule.update(params, grads, {}, { step: 0, learningRate: 0.1 });
    expect(tf.memory().numTensors).toBe(before + out.params.length);
  });
});

describe('learning-rate schedules', () => {
  it('constant, step, cosine and linear warm-up by hand', () => {
    expect(learningRateAt(0.1, { kind: 'constant' }, 7, 100)).toBe(0.1);
    // step: 0.1·0.5^⌊25/10⌋ = 0.025
    expect(learningRateAt(0.1, { kind: 'step', every: 10, gamma: 0.5 }, 25, 100)).toBeCloseTo(0.025, 12);
    // cosine at t = T/2: min + ½(η₀ − min)(1 + cos(π/2)) = 0.01 + 0.045 = 0.055
    expect(learningRateAt(0.1, { kind: 'cosine', minLearningRate: 0.01 }, 50, 100)).toBeCloseTo(0.055, 12);
    expect(learningRateAt(0.1, { kind: 'cosine' }, 0, 100)).toBeCloseTo(0.1, 12);
    // cosine without a minimum at t = T/2: ½η₀ = 0.05; at t = 3T/4: ½η₀(1 − √½) = 0.014645
    expect(learningRateAt(0.1, { kind: 'cosine' }, 50, 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(0.1, { kind: 'cosine' }, 75, 100)).toBeCloseTo(0.05 * (1 - Math.SQRT1_2), 12);
    // T = 0 (no steps) must not divide by zero.
    expect(learningRateAt(0.1, { kind: 'cosine' }, 0, 0)).toBeCloseTo(0.1, 12);
    // step schedule just before and at a boundary: 0.1 at t = 9, 0.05 at t = 10
    expect(learningRateAt(0.1, { kind: 'step', every: 10, gamma: 0.5 }, 9, 100)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(0.1, { kind: 'step', every: 10, gamma: 0.5 }, 10, 100)).toBeCloseTo(0.05, 12);
    // warm-up over 4 steps: step 0 → η₀/4, step 1 → η₀/2, step 4 → η₀
    expect(learningRateAt(0.1, { kind: 'constant', warmupSteps: 4 }, 0, 100)).toBeCloseTo(0.025, 12);
    expect(learningRateAt(0.1, { kind: 'constant', warmupSteps: 4 }, 1, 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(0.1, { kind: 'constant', warmupSteps: 4 }, 4, 100)).toBe(0.1);
  });
});
