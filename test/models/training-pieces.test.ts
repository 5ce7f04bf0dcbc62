/**
 * The pieces the reproduction adds to training: heavy-ball momentum with weight decay (hand-
 * computed), seeded crop/flip augmentation, and stopping at a training-accuracy target.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { momentumDescent } from '../../src/optim/momentum.ts';
import { withWeightDecay } from '../../src/optim/weightDecay.ts';
import { createUpdateRule } from '../../src/optim/registry.ts';
import { augmentImages } from '../../src/data/augment.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { trainLoop } from '../../src/train/trainLoop.ts';
import { toTensorData, disposeTensorData } from '../../src/train/tensorData.ts';
import { loadDigits } from '../../src/data/digits.ts';
import { createRng } from '../../src/util/rng.ts';
import type { Dataset } from '../../src/data/dataset.ts';

describe('training pieces', () => {
  beforeAll(async () => { await setupBackend(); });

  it('heavy-ball momentum with weight decay: v ← βv + g + λθ, θ ← θ − ηv (two steps by hand)', () => {
    const rule = withWeightDecay(momentumDescent({ momentum: 0.5 }), 0.1);
    let params: tf.Tensor[] = [tf.tensor1d([1, -2])];
    let state = rule.initState(params);
    const g = [tf.tensor1d([0.5, 1])];
    // step 1: v = g + 0.1θ = [0.6, 0.8]; θ = θ − 0.2 v = [0.88, −2.16]
    let next = rule.update(params, g, state, { step: 0, learningRate: 0.2 });
    expect(Array.from(next.params[0].dataSync())).toEqual([0.88, -2.16].map((v) => expect.closeTo(v, 6)));
    params = next.params; state = next.state;
    // step 2: v = 0.5·[0.6, 0.8] + [0.5, 1] + 0.1·[0.88, −2.16] = [0.888, 1.184]; θ = [0.88 − 0.1776, −2.16 − 0.2368]
    next = rule.update(params, g, state, { step: 1, learningRate: 0.2 });
    expect(Array.from(next.state.velocity[0].dataSync())).toEqual([0.888, 1.184].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(next.params[0].dataSync())).toEqual([0.7024, -2.3968].map((v) => expect.closeTo(v, 6)));
    expect(createUpdateRule({ kind: 'momentum' }).name).toBe('momentum');
    expect(() => momentumDescent({ momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
  });

  it('augmentation: shifts with zero fill and left–right flips, seeded, labels carried, copies stacked', () => {
    // one 3×4×1 image with distinct pixel values 1..12
    const ds: Dataset = { name: 'img', n: 1, featureShape: [3, 4, 1], numClasses: 2, x: Float32Array.from({ length: 12 }, (_, i) => i + 1), y: Int32Array.from([1]) };
    const identity = augmentImages(ds, { crop: 0, flip: false, copies: 1 }, 0);
    expect(Array.from(identity.x)).toEqual(Array.from(ds.x));
    const views = augmentImages(ds, { crop: 1, flip: true, copies: 200 }, 7);
    expect(views.n).toBe(200);
    expect(Array.from(views.y).every((v) => v === 1)).toBe(true);
    const rows = (k: number) => Array.from({ length: 3 }, (_, r) => Array.from(views.x.subarray(k * 12 + r * 4, k * 12 + r * 4 + 4)));
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      const img = rows(k);
      // every view is some shift (dy, dx ∈ {−1, 0, 1}) of the image or of its mirror
      const match = [false, true].flatMap((mirror) => [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => ({ mirror, dy, dx })))).find(({ mirror, dy, dx }) =>
        img.every((row, r) => row.every((v, c) => {
          const sr = r + dy;
          const sc = (mirror ? 3 - c : c) + dx;
          return v === (sr < 0 || sr > 2 || sc < 0 || sc > 3 ? 0 : sr * 4 + sc + 1);
        })));
      expect(match).toBeDefined();
      seen.add(JSON.stringify(match));
    }
    expect(seen.size).toBe(18); // all 9 shifts × 2 orientations occur
    expect(Array.from(augmentImages(ds, { crop: 1, flip: true, copies: 200 }, 7).x)).toEqual(Array.from(views.x));
    expect(Array.from(augmentImages(ds, { crop: 1, flip: true, copies: 200 }, 8).x)).not.toEqual(Array.from(views.x));
    expect(views.provenance?.steps.at(-1)).toMatchObject({ op: 'augment', seed: 7 });
    expect(() => augmentImages({ ...ds, featureShape: [12] }, { crop: 1, flip: false, copies: 1 }, 0)).toThrow(/featureShape \[height, width, channels\]/);
  });

  it('stopWhen ends training at the first probe that satisfies it', () => {
    const { train } = loadDigits({ seed: 0 });
    const data = toTensorData(train);
    const model = createMlp({ widths: [64, 64, 10] });
    const rule = momentumDescent({ momentum: 0.9 });
    const params = model.init(createRng(0));
    const seen: number[] = [];
    const result = trainLoop({
      model, rule, data: { train: data, curvature: data }, steps: 5000, batchSize: 64, withReplacement: false,
      learningRate: () => 0.02, seed: 0, probeEvery: 10, probes: { trace: false, margin: false, norms: false },
      divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 },
      onProbe: (r) => seen.push(r.trainAccuracy), stopWhen: (r) => r.trainAccuracy >= 0.9,
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.stepsDone).toBeLessThan(5000);
    expect(result.stepsDone % 10).toBe(0);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(0.9);
    expect(seen.slice(0, -1).every((a) => a < 0.9)).toBe(true);
    tf.dispose([...result.params, ...result.state.velocity]);
    disposeTensorData(data);
  });
});
