/**
 * The flatness study's planner and report: points are resolved configs with the Hessian on the
 * whole training set; the report, fed tiny runs trained here, writes figures 1–6 with CSVs,
 * summary.md with captions and verdict lines, and draws a diverged run as such.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupBackend } from '../../src/backend/index.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';
import { flatnessPreset, type FlatnessConfig } from '../../src/experiments/flatness/config.ts';
import { flatnessStudy } from '../../src/experiments/flatness/study.ts';
import { flatnessReport, flatnessRuns } from '../../src/experiments/flatness/report.ts';
import type { CollectedPoint } from '../../src/experiments/study/types.ts';
import { planStudy } from '../../src/experiments/study/engine.ts';
import { studyKind } from '../../src/experiments/study/registry.ts';

const tiny: FlatnessConfig = {
  ...flatnessPreset('quick'),
  trainSize: 100, testSize: 100,
  architectures: [{ id: 'mlp', model: { kind: 'mlp', hidden: [16, 16], activation: 'tanh', init: 'lecun' } }],
  losses: ['mse'],
  learningRates: { mse: [0.05, 3], 'cross-entropy': [] },
  stepBudget: 60, sharpnessEvery: 10, probeEvery: 30, traceSamples: 3,
  sgd: { learningRate: 0.05, batchSizes: [10, 50], ratioPairs: [{ learningRate: 0.01, batchSize: 10 }], stepBudget: 60 },
};

describe('flatness-vs-lr planner', () => {
  it('plans resolved configs: GD with λ_max tracking, SGD without; every Hessian on the whole training set', async () => {
    const quick = flatnessStudy(flatnessPreset('quick'));
    expect(quick.points).toHaveLength(22);
    for (const p of quick.points) {
      expect(p.config.probes.subset).toBe('all');
      expect(p.config.probes.sharpnessEvery !== undefined).toBe(p.tags.part === 'gd');
    }
    expect(new Set(quick.points.map((p) => p.label)).size).toBe(22);
    // ibl report DIR rebuilds the study (and its report) from the manifest the engine writes.
    const plan = planStudy(flatnessStudy(tiny), fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-flatness-plan-')));
    expect(plan.points).toHaveLength(5);
    const rebuilt = await (await studyKind('flatness-vs-lr'))!.fromManifest(plan.manifest);
    expect(rebuilt.kind).toBe('flatness-vs-lr');
    expect(rebuilt.points.map((p) => p.label)).toEqual(plan.points.map((p) => p.label));
  });
});

describe('flatness-vs-lr report on tiny runs', () => {
  beforeAll(async () => { await setupBackend(); });
  it('writes figures 1–6 with CSVs, summary.md with captions and three verdict lines; marks the diverged run', async () => {
    const study = flatnessStudy(tiny);
    expect(study.points).toHaveLength(5);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-flatness-'));
    const collected: CollectedPoint[] = [];
    for (const point of study.points) {
      const dir = path.join(outDir, point.label);
      const summary = await runExperiment(point.config, { outDir: dir });
      const metrics = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      collected.push({ point, dir, summary, metrics });
    }
    const verdicts = await study.report(collected, outDir);
    expect(verdicts).toHaveLength(3);
    for (let k = 1; k <= 6; k++) {
      const png = fs.readdirSync(outDir).find((f) => f.startsWith(`fig-${k}-`) && f.endsWith('.png'));
      expect(png, `figure ${k}`).toBeDefined();
      expect(fs.existsSync(path.join(outDir, png!.replace(/\.png$/, '.csv')))).toBe(true);
    }
    const summary = fs.readFileSync(path.join(outDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/## Verdicts/);
    expect(summary).toMatch(/(PASS|FAIL) {2}edge of stability/);
    expect(summary).toMatch(/fig-1-sharpness\.png.*λ_max/);
    const runs = flatnessRuns(collected);
    const diverged = runs.find((r) => r.eta === 3)!;
    expect(diverged.status).toBe('diverged');
    expect(summary).toMatch(/gd-mlp-mse-eta=3 +\| diverged \(step \d+, loss /);
    // The diverged run is plotted up to its divergence and marked, not dropped.
    const csv = fs.readFileSync(path.join(outDir, 'fig-3-final-vs-eta.csv'), 'utf8');
    expect(csv).toMatch(/,diverged: last finite λ_max,point,learning rate η,[^,]*,3,\d/);
    // Each figure is indexed with its caption in the folder's README.md.
    expect(fs.readFileSync(path.join(outDir, 'README.md'), 'utf8')).toMatch(/- \*\*`fig-3-final-vs-eta`\*\* — Final λ_max/);
    expect(flatnessReport).toBeTypeOf('function');
  });
});
