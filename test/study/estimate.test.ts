/**
 * The study duration estimate: its probe schedule against the records a real run writes (fresh
 * and continued), which points share a measurement, and the measured cost against the run's
 * own wall time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/backend/index.ts';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';
import { costKey, estimatePointSeconds, estimateStudy, measurePointCost, pointSchedule, processStartSeconds, recordSeconds } from '../../src/experiments/study/estimate.ts';
import { readMetrics } from './helpers.ts';

beforeAll(async () => { await setupBackend(); });

const base = {
  name: 'estimate',
  seed: 3,
  data: { dataset: 'digits', trainSize: 120, testSize: 60 },
  model: { kind: 'mlp', hidden: [16] },
  optimizer: { kind: 'gd', learningRate: 0.05 },
  training: { steps: 23 },
  probes: { every: 5, curvatureEvery: 10, sharpnessEvery: 3, trace: { samples: 2 }, eig: { maxIterations: 10 } },
  report: { formats: ['svg'] },
};

function counts(records: Record<string, unknown>[]) {
  const full = records.filter((r) => !r.tracking);
  return { probes: full.length, curvature: full.filter((r) => r.hessianTrace !== undefined).length, tracking: records.filter((r) => r.tracking).length };
}

describe('study duration estimate', () => {
  it('counts the probe, curvature and tracking records a run writes, fresh and continued to a larger budget', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-estimate-'));
    const first = parseRunConfig(base, 'test');
    await runExperiment(first, { outDir: dir, log: () => {} });
    const written = counts(readMetrics(dir));
    // Independently of the formula: 0, 5, 10, 15, 20, 23 are probes; 0, 10, 20, 23 curvature;
    // 3, 6, 9, 12, 18, 21 tracking (15 is a probe).
    expect(written).toEqual({ probes: 6, curvature: 4, tracking: 6 });
    const { steps: _steps, ...schedule } = pointSchedule(first);
    expect(schedule).toEqual(written);

    const grown = parseRunConfig({ ...base, training: { steps: 40 } }, 'test');
    await runExperiment(grown, { outDir: dir, log: () => {} });
    const after = counts(readMetrics(dir).filter((r) => (r.step as number) > 23));
    const { steps, ...continued } = pointSchedule(grown, 23);
    expect(steps).toBe(17);
    expect(continued).toEqual(after);
    expect(pointSchedule(grown, 40)).toEqual({ steps: 0, probes: 0, curvature: 0, tracking: 0 });
  });

  it('points that differ only in seed, learning rate, labels or budget share one measurement; model and batch do not', () => {
    const sgd = { ...base, optimizer: { kind: 'sgd', learningRate: 0.05, batchSize: 20 } };
    const key = costKey(parseRunConfig(sgd, 't'));
    expect(costKey(parseRunConfig({ ...sgd, seed: 9, optimizer: { ...sgd.optimizer, learningRate: 0.5 }, training: { steps: 99 } }, 't'))).toBe(key);
    expect(costKey(parseRunConfig({ ...sgd, data: { ...sgd.data, corruption: { kind: 'random-labels' } } }, 't'))).toBe(key);
    expect(costKey(parseRunConfig({ ...sgd, model: { kind: 'mlp', hidden: [32] } }, 't'))).not.toBe(key);
    expect(costKey(parseRunConfig({ ...sgd, optimizer: { ...sgd.optimizer, batchSize: 40 } }, 't'))).not.toBe(key);
    let measured = 0;
    const fake = () => { measured++; return { stepSeconds: 0.01, probeSeconds: 0.1, curvatureSeconds: 1, trackingSeconds: 0.5, setupSeconds: 0 }; };
    const configs = [sgd, { ...sgd, seed: 1 }, { ...sgd, model: { kind: 'mlp', hidden: [32] } }].map((c) => ({ config: parseRunConfig(c, 't') }));
    const estimate = estimateStudy(configs, 1, fake);
    expect(measured).toBe(2);
    expect(estimate.kinds).toBe(2);
    // One job: the sum of the three points' schedules priced by the fake costs.
    const s = pointSchedule(configs[0].config);
    const each = processStartSeconds + recordSeconds + s.steps * 0.01 + (s.probes - s.curvature) * 0.1 + s.curvature * 1 + s.tracking * 0.5;
    expect(estimate.seconds).toBeCloseTo(3 * each, 9);
    // Two jobs, longest first: two points on one worker.
    expect(estimateStudy(configs, 2, fake).seconds).toBeCloseTo(2 * each, 9);
  });

  it('a point whose data cannot be loaded is left out with the reason; the others are still estimated', () => {
    const good = parseRunConfig({ ...base, optimizer: { kind: 'sgd', learningRate: 0.05, batchSize: 20 }, probes: { every: 5 } }, 't');
    const bad = parseRunConfig({ ...base, data: { dataset: 'mnist', dir: '/nonexistent/mnist' } }, 't');
    const estimate = estimateStudy([{ config: good }, { config: bad }], 1);
    expect(estimate.kinds).toBe(1);
    expect(estimate.unmeasured?.count).toBe(1);
    expect(estimate.unmeasured?.reason).toMatch(/nonexistent/);
    expect(estimate.seconds).toBeGreaterThan(0);
  });

  it('the measured cost predicts the run\'s own wall time to within a factor of 3', async () => {
    const config = parseRunConfig({
      ...base, data: { dataset: 'digits', trainSize: 1000, testSize: 200 }, model: { kind: 'mlp', hidden: [256, 256] },
      optimizer: { kind: 'sgd', learningRate: 0.05, batchSize: 100 }, training: { steps: 1200 }, probes: { every: 400, trace: { samples: 4 } },
    }, 'test');
    const cost = measurePointCost(config);
    expect(cost.stepSeconds).toBeGreaterThan(0);
    expect(cost.curvatureSeconds).toBeGreaterThan(cost.probeSeconds);
    const predicted = estimatePointSeconds(config, cost) - processStartSeconds;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-estimate-wall-'));
    // The whole call (set-up, training, probes and writing the record, which the estimate prices
    // as recordSeconds), not the summary's wall time, which stops before the record is written.
    const t0 = performance.now();
    await runExperiment(config, { outDir: dir, log: () => {} });
    const elapsed = (performance.now() - t0) / 1000;
    const ratio = predicted / elapsed;
    console.log(`estimate ${predicted.toFixed(2)} s against ${elapsed.toFixed(2)} s measured (step ${(cost.stepSeconds * 1000).toFixed(2)} ms)`);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });
});
