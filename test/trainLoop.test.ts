/** Probe schedule: cheap probes every `probeEvery` steps, curvature probes every `curvatureEvery`. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { gradientDescent } from '../src/optim/gradientDescent.ts';
import { trainLoop } from '../src/train/trainLoop.ts';
import { toTensorData, disposeTensorData } from '../src/train/tensorData.ts';
import type { ProbeRecord } from '../src/probes/probeSuite.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';

describe('trainLoop probe schedule', () => {
  beforeAll(async () => { await setupBackend(); });
  it('records cheap probes every 5 steps and the trace only every 10 and at the ends', () => {
    const data = toTensorData({ name: 's', n: 40, featureShape: [6], numClasses: 3, x: Float32Array.from(seededValues(240, 1)), y: Int32Array.from({ length: 40 }, (_, i) => i % 3) });
    const model = createMlp({ widths: [6, 8, 3] });
    const params = model.init(createRng(1));
    const rule = gradientDescent();
    const records: ProbeRecord[] = [];
    const result = trainLoop({
      model, rule, data: { train: data, curvature: data }, steps: 25, batchSize: 8, withReplacement: true,
      learningRate: () => 0.1, seed: 2, probeEvery: 5, curvatureEvery: 10,
      probes: { trace: { samples: 3 }, margin: true, norms: true },
      divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 }, onProbe: (r) => records.push(r),
    });
    expect(records.map((r) => r.step)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(records.filter((r) => r.hessianTrace !== undefined).map((r) => r.step)).toEqual([0, 10, 20, 25]);
    expect(records.every((r) => r.paramNormL2 !== undefined)).toBe(true);
    tf.dispose(result.params);
    disposeTensorData(data);
  });

  it('testEvery: the test set only every 15 steps, at curvature probes and at both ends; the values equal a full schedule\'s', () => {
    const data = toTensorData({ name: 's', n: 40, featureShape: [6], numClasses: 3, x: Float32Array.from(seededValues(240, 1)), y: Int32Array.from({ length: 40 }, (_, i) => i % 3) });
    const test = toTensorData({ name: 't', n: 20, featureShape: [6], numClasses: 3, x: Float32Array.from(seededValues(120, 7)), y: Int32Array.from({ length: 20 }, (_, i) => (i * 2) % 3) });
    const model = createMlp({ widths: [6, 8, 3] });
    const run = (testEvery?: number) => {
      const params = model.init(createRng(1));
      const rule = gradientDescent();
      const records: ProbeRecord[] = [];
      const result = trainLoop({
        model, rule, data: { train: data, test, curvature: data }, steps: 47, batchSize: 8, withReplacement: true,
        learningRate: () => 0.1, seed: 2, probeEvery: 5, curvatureEvery: 20, ...(testEvery ? { testEvery } : {}),
        probes: { trace: false, margin: false, norms: false },
        divergenceLoss: 1e4, start: { params, state: rule.initState(params), step: 0 }, onProbe: (r) => records.push(r),
      });
      tf.dispose(result.params);
      return records;
    };
    const sparse = run(15);
    const full = run();
    expect(sparse.map((r) => r.step)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 47]);
    // 0 and 47 (the ends), 15, 30, 45 (testEvery), 20 and 40 (curvature probes).
    expect(sparse.filter((r) => r.testAccuracy !== undefined).map((r) => r.step)).toEqual([0, 15, 20, 30, 40, 45, 47]);
    expect(full.every((r) => r.testAccuracy !== undefined)).toBe(true);
    for (const r of sparse) {
      const same = full.find((f) => f.step === r.step)!;
      expect(r.trainLoss).toBe(same.trainLoss);
      if (r.testAccuracy !== undefined) expect([r.testLoss, r.testAccuracy]).toEqual([same.testLoss, same.testAccuracy]);
    }
    disposeTensorData(data);
    disposeTensorData(test);
  });
});
