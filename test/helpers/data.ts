import type { Dataset } from '../../src/data/dataset.ts';
import { seededValues } from './float64.ts';

/** Seeded inputs in [−scale, scale] with labels i·7 mod k. */
export function syntheticDataset(n: number, d: number, k: number, seed: number, scale = 1): Dataset {
  return {
    name: 'synthetic', n, featureShape: [d], numClasses: k,
    x: Float32Array.from(seededValues(n * d, seed, scale)),
    y: Int32Array.from({ length: n }, (_, i) => (i * 7) % k),
  };
}
