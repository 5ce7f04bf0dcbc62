/**
 * Coordinate descent on the whole parameter vector: one coordinate i per step,
 *   θ_i ← θ_i − η g_i,   other coordinates unchanged,
 * with i chosen
 *   greedy (Gauss–Southwell): i = argmax_j |g_j| (first on ties) — this is exactly ℓ1 steepest
 *     descent, whose implicit bias on separable data is the ℓ1 max-margin direction
 *     (Gunasekar et al. 2018; AdaBoost);
 *   random: i uniform over all coordinates, drawn from (seed, step) alone, so the choice is
 *     reproducible and a resumed run picks the same coordinates. Stateless.
 */
import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types.ts';
import { flatten, indicator, totalSize, unflatten } from './flat.ts';
import { derivedSeed } from '../train/batches.ts';
import { createRng } from '../util/rng.ts';

export interface CoordinateDescentOptions {
  selection?: 'greedy' | 'random';
  /** Seed of the random coordinate stream (random selection only). */
  seed?: number;
}

/** The coordinate a random-selection rule updates at `step`. */
export function randomCoordinate(size: number, seed: number, step: number): number {
  return createRng(derivedSeed(seed, 'coordinate-descent', step)).int(size);
}

export function coordinateDescent(options: CoordinateDescentOptions = {}): UpdateRule {
  const selection = options.selection ?? 'greedy';
  const seed = options.seed ?? 0;
  return {
    name: `coordinate-descent-${selection}`,
    initState: () => ({}),
    update: (params, grads, state, { step, learningRate }) => ({
      params: tf.tidy(() => {
        const g = flatten(grads);
        const index = selection === 'greedy' ? tf.argMax(tf.abs(g)) : randomCoordinate(totalSize(params), seed, step);
        const delta = tf.mul(tf.mul(indicator(g.size, index), g), -learningRate);
        return unflatten(delta, params).map((d, i) => tf.add(params[i], d));
      }),
      state,
    }),
  };
}
