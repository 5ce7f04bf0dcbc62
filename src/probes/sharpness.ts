/**
 * ε-sharpness (Keskar, Mudigere, Nocedal, Smelyanskiy & Tang 2017, "On large-batch training…",
 * Metric 2.1 with A = I):
 *   C_ε = { z : |z_i| ≤ ε (|θ_i| + 1) },
 *   φ(θ, ε) = (max_{z ∈ C_ε} L(θ + z) − L(θ)) / (1 + L(θ)),
 * reported here as a fraction (Keskar et al. multiply by 100). Keskar et al. solve the inner
 * maximisation with L-BFGS-B; we use projected gradient ascent in the box-normalised
 * coordinates u = z/b ∈ [−1, 1]^p (b_i = ε(|θ_i|+1)), trying at each iteration
 *   u ← clip(u + s · (b⊙∇L)/‖b⊙∇L‖_∞, −1, 1)   and   u ← clip(u + s · sign(b⊙∇L), −1, 1),
 * taking the better if it increases the loss and halving s otherwise (doubling it, up to 1,
 * after a success). The result is a
 * lower bound on the true maximum (a local maximiser); it is exact for losses convex along
 * coordinates on the box with a vertex maximum and for concave losses (tested on quadratics).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import { objectiveGradient, objectiveLoss, type Objective } from './objective.ts';
import { flatten, layoutOf, unflatten } from './operator.ts';

export interface SharpnessOptions {
  /** Box half-width factor ε (Keskar et al. use 1e-3 and 5e-4). Default 1e-3. */
  epsilon?: number;
  /** Gradient-ascent iterations (default 20). */
  iterations?: number;
  /** Start at u ~ U(−f, f)^p (default f = 0.1; breaks the tie at a stationary point). */
  startFraction?: number;
  rng: Rng;
}

export interface SharpnessResult {
  epsilon: number;
  loss: number;
  maxLoss: number;
  /** (maxLoss − loss) / (1 + loss). */
  relativeIncrease: number;
  iterations: number;
  gradientEvaluations: number;
  /** Fraction of coordinates at the box boundary at the maximiser. */
  fractionAtBoundary: number;
}

export function epsilonSharpness(objective: Objective, params: tf.Tensor[], options: SharpnessOptions): SharpnessResult {
  const { epsilon = 1e-3, iterations = 20, startFraction = 0.1, rng } = options;
  const layout = layoutOf(params);
  const theta = flatten(params);
  const p = theta.length;
  const box = theta.map((t) => epsilon * (Math.abs(t) + 1));
  const baseLoss = objectiveLoss(objective, params);
  const u = new Float64Array(p);
  for (let i = 0; i < p; i++) u[i] = startFraction * (2 * rng.next() - 1);
  const at = <T>(uu: Float64Array, f: (ps: tf.Tensor[]) => T): T => {
    const shifted = new Float64Array(p);
    for (let i = 0; i < p; i++) shifted[i] = theta[i] + box[i] * uu[i];
    const ps = unflatten(shifted, layout);
    try { return f(ps); } finally { tf.dispose(ps); }
  };
  let current = at(u, (ps) => objectiveGradient(objective, ps));
  let evaluations = 1;
  let step = 1;
  let done = 0;
  for (let it = 0; it < iterations && step > 1e-6; it++) {
    done++;
    const g = current.gradient.map((gi, i) => gi * box[i]);
    let gmax = 0;
    for (let i = 0; i < p; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax === 0) break;
    let accepted = false;
    while (step > 1e-6) {
      // Two candidate steps: along the ∞-normalised gradient (good near an interior maximum) and
      // along its sign (moves every coordinate, however small its gradient, toward the faces);
      // the better one is taken if it increases the loss.
      let best: { u: Float64Array; value: ReturnType<typeof objectiveGradient> } | null = null;
      for (const direction of ['gradient', 'sign'] as const) {
        const trial = new Float64Array(p);
        for (let i = 0; i < p; i++) {
          const d = direction === 'gradient' ? g[i] / gmax : Math.sign(g[i]);
          trial[i] = Math.min(1, Math.max(-1, u[i] + step * d));
        }
        const next = at(trial, (ps) => objectiveGradient(objective, ps));
        evaluations++;
        if (next.loss > current.loss && (!best || next.loss > best.value.loss)) best = { u: trial, value: next };
      }
      if (best) {
        u.set(best.u);
        current = best.value;
        accepted = true;
        step = Math.min(1, step * 2);
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  const maxLoss = Math.max(current.loss, baseLoss);
  let boundary = 0;
  for (let i = 0; i < p; i++) if (Math.abs(u[i]) >= 1 - 1e-12) boundary++;
  return {
    epsilon,
    loss: baseLoss,
    maxLoss,
    relativeIncrease: (maxLoss - baseLoss) / (1 + baseLoss),
    iterations: done,
    gradientEvaluations: evaluations,
    fractionAtBoundary: boundary / p,
  };
}
