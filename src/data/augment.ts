/**
 * Seeded data augmentation by random crop and horizontal flip (the "data augmentation" column of
 * Zhang et al. 2017, Table 1), as a *data transform*: every training image is replaced by
 * `copies` augmented views, each
 *   - shifted by (dy, dx) drawn uniformly from {−pad, …, pad}² with zero fill — identical to
 *     padding by `pad` pixels and taking a random H×W crop, and
 *   - mirrored left–right with probability ½ when `flip` is on.
 * The views are drawn once from `seed`, so a run is reproducible and resumable with no
 * augmentation state; `copies` > 1 gives the optimiser several views of each image (a static
 * approximation of per-step augmentation). Labels are carried over unchanged (they may already be
 * corrupted); the test set is never augmented. Images are HWC rows of featureShape [H, W, C].
 */
import { withStep, type Dataset } from './dataset.ts';
import { createRng } from '../util/rng.ts';

export interface AugmentSpec {
  /** Maximum shift in pixels (0 = no crop). */
  crop: number;
  flip: boolean;
  /** Augmented views per training image (≥ 1). */
  copies: number;
}

export function augmentImages(ds: Dataset, spec: AugmentSpec, seed: number): Dataset {
  if (ds.featureShape.length !== 3) {
    throw new Error(`${ds.name}: augmentation needs images with featureShape [height, width, channels], got [${ds.featureShape}]`);
  }
  const { crop, flip, copies } = spec;
  if (!Number.isInteger(crop) || crop < 0) throw new Error(`augment: crop must be a non-negative integer, got ${crop}`);
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`augment: copies must be a positive integer, got ${copies}`);
  const [h, w, c] = ds.featureShape;
  const d = h * w * c;
  const n = ds.n * copies;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const rng = createRng(seed);
  for (let k = 0; k < copies; k++) {
    for (let i = 0; i < ds.n; i++) {
      const out = k * ds.n + i;
      y[out] = ds.y[i];
      const dy = crop > 0 ? rng.int(2 * crop + 1) - crop : 0;
      const dx = crop > 0 ? rng.int(2 * crop + 1) - crop : 0;
      const mirror = flip && rng.next() < 0.5;
      const src = i * d;
      const dst = out * d;
      for (let r = 0; r < h; r++) {
        const sr = r + dy;
        if (sr < 0 || sr >= h) continue;
        for (let col = 0; col < w; col++) {
          const sc = (mirror ? w - 1 - col : col) + dx;
          if (sc < 0 || sc >= w) continue;
          for (let ch = 0; ch < c; ch++) x[dst + (r * w + col) * c + ch] = ds.x[src + (sr * w + sc) * c + ch];
        }
      }
    }
  }
  return {
    ...ds, x, y, n, featureShape: [...ds.featureShape],
    provenance: withStep(ds.provenance, { op: 'augment', seed, params: { ...spec } }, ds.name),
  };
}
