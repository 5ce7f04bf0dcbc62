/**
 * The examples a run's curvature probes (trace, λ_max) use: the whole training set, or the
 * seeded subset of `probes.subset` examples. One function for the run and for `ibl probe --run`,
 * so that both compute the Hessian of the same loss.
 */
import type { RunConfig } from './runConfig.ts';
import { createRng, permutation } from '../util/rng.ts';
import { derivedSeed } from '../train/batches.ts';

/** Indices into the training set, or null for all of it. */
export function curvatureSubsetIndices(config: Pick<RunConfig, 'seed' | 'probes'>, trainSize: number): ArrayLike<number> | null {
  const size = config.probes.subset ?? 'all';
  if (size === 'all' || size >= trainSize) return null;
  return permutation(trainSize, createRng(derivedSeed(config.seed, 'curvature-subset'))).slice(0, size);
}
