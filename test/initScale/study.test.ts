/**
 * The init-scale study: points (step-size rules, lazy vs plain configs), verdicts on hand-built
 * collected points (monotone trends and thresholds can fail), and a tiny end-to-end run on the
 * engine whose report reads only the run folders (and rewrites the same verdicts under ibl report).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupBackend } from '../../src/backend/index.ts';
import { initScalePreset, schedule, type InitScaleSpec } from '../../src/experiments/initScale/config.ts';
import { initScalePoints, initScaleStudy, initScaleVerdicts, pointResults, thresholds } from '../../src/experiments/initScale/study.ts';
import type { CollectedPoint } from '../../src/experiments/study/types.ts';
import type { RunSummary } from '../../src/experiments/runExperiment.ts';
import { runStudy, reportStudy } from '../../src/experiments/study/engine.ts';
import { resolveInitScaleSpec } from '../../src/cli/reproduceInitScale.ts';

function collected(spec: InitScaleSpec, values: (p: string, alpha: number) => Record<string, number>): CollectedPoint[] {
  return initScalePoints(spec).map((point) => {
    const steps = point.config.training.steps;
    return {
      point, dir: '/nowhere',
      summary: { status: 'completed', stepsDone: steps } as RunSummary,
      metrics: [{ step: 0 }, { step: steps, testAccuracy: 0.9, kernelPredictorTestAccuracy: 0.8, ...values(String(point.tags.parameterisation), Number(point.tags.alpha)) }],
    };
  });
}

describe('init-scale study', () => {
  const spec = initScalePreset('quick');

  it('plans lazy and plain points with the step-size rules of config.ts', () => {
    const points = initScalePoints(spec);
    expect(points).toHaveLength(spec.alphas.length * 2);
    const lazySmall = points.find((p) => p.tags.parameterisation === 'lazy' && p.tags.alpha === 0.1)!;
    expect(lazySmall.config.model).toMatchObject({ kind: 'mlp', lazyScale: 0.1, initScale: 1 });
    expect(lazySmall.config.optimizer.learningRate).toBeCloseTo(0.05, 12);
    expect(lazySmall.config.training.steps).toBe(3000);
    const plainLarge = points.find((p) => p.tags.parameterisation === 'plain' && p.tags.alpha === 1000)!;
    expect(plainLarge.config.model).toMatchObject({ initScale: 1000 });
    expect(plainLarge.config.model.lazyScale).toBeUndefined();
    expect(schedule(spec, 'plain', 1000).learningRate).toBeCloseTo(5e-7, 18);
    expect(plainLarge.config.probes.kernelPredictor).toEqual({ testSubset: 100, chunkSize: 32 });
    // Paper scale: every point is a valid config; the CNN (3 weight layers) gets η₀/α⁴ above α = 1.
    const paper = initScalePoints(initScalePreset('paper'));
    expect(paper).toHaveLength(11 * 2 * 2);
    const cnnPlain = paper.find((p) => p.tags.architecture === 'cnn' && p.tags.parameterisation === 'plain' && p.tags.alpha === 10)!;
    expect(cnnPlain.config.model).toMatchObject({ kind: 'cnn', initScale: 10 });
    expect(cnnPlain.config.optimizer.learningRate).toBeCloseTo(0.5e-4, 15);
  });

  it('command line: --scale and --set resolve the spec; bad values are named', () => {
    expect(resolveInitScaleSpec({ scale: 'paper', set: ['alphas=[1,10]'] })).toMatchObject({ scale: 'paper', alphas: [1, 10], hidden: [512] });
    expect(() => resolveInitScaleSpec({ scale: 'huge' })).toThrow(/--scale huge/);
    expect(() => resolveInitScaleSpec({ set: ['alphas=[-1,2]'] })).toThrow(/alphas\.0/);
    expect(() => resolveInitScaleSpec({ set: ['widths=[3]'] })).toThrow(/widths: unknown field/);
  });

  it('verdicts pass on falling trends below the thresholds and fail on a rise or above them', () => {
    const falling = (p: string, a: number) => ({ kernelChange: 1 / a, kernelPredictorRelativeTest: 0.03 / a ** 0.5, relativeMovement: 1 / a, linearisationRelativeTest: 0.1, kernelAlignment: 0.4, kernelAlignmentInitial: 0.4, ...(p === 'plain' ? { kernelPredictorRelativeTest: 1 } : {}) });
    const diagonal = { spec: spec.diagonal, minL1Norm: 1, minL2SolutionL1Norm: 2, rows: [{ alpha: 0.001, l1Norm: 1.01, toMinL1: 0.01, toMinL2: 0.5, residual: 0, status: 'completed' }, { alpha: 3, l1Norm: 1.9, toMinL1: 0.4, toMinL2: 0.01, residual: 0, status: 'completed' }] };
    const good = initScaleVerdicts(pointResults(collected(spec, falling)), diagonal);
    expect(good.map((v) => v.pass)).toEqual([true, true, true, true, true]);
    // A rise at α = 100 breaks the lazy kernel-change trend.
    const bump = initScaleVerdicts(pointResults(collected(spec, (p, a) => ({ ...falling(p, a), ...(a === 100 ? { kernelChange: 5 } : {}) }))), null);
    expect(bump[0].pass).toBe(false);
    expect(bump[3].pass).toBe(false);
    // Falling but above the threshold at the largest α.
    const high = initScaleVerdicts(pointResults(collected(spec, (p, a) => ({ ...falling(p, a), kernelChange: 10 * thresholds.kernelChange * (2000 / a) }))), null);
    expect(high[0].pass).toBe(true);
    expect(high[2].pass).toBe(false);
    // A point that did not finish is no evidence: the trend fails.
    const partial = collected(spec, falling);
    partial[2] = { ...partial[2], summary: null, metrics: [] };
    expect(initScaleVerdicts(pointResults(partial), null)[0].pass).toBe(false);
    // ‖θ‖₁ falling with α: the diagonal verdict fails.
    expect(initScaleVerdicts([], { ...diagonal, rows: diagonal.rows.map((r) => ({ ...r, l1Norm: r.alpha < 1 ? 2 : 1 })) })[0].pass).toBe(false);
  });

  describe('end to end on the engine (tiny)', () => {
    beforeAll(async () => { await setupBackend(); });

    it('trains the points, writes figures, summary and verdicts; ibl report reproduces the verdicts', async () => {
      const tiny: InitScaleSpec = {
        ...spec, alphas: [1, 100], hidden: [16], trainSize: 20, testSize: 20, kernelTestSubset: 10, steps: 20,
        diagonal: { n: 8, p: 16, k: 2, steps: 500, alphas: [0.01, 1], seed: 51 },
      };
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-init-scale-'));
      const result = await runStudy(initScaleStudy(tiny), { outDir: dir, jobs: 2, log: () => {} });
      expect(result.failed).toBe(0);
      expect(result.collected.every((c) => c.summary?.status === 'completed')).toBe(true);
      for (const f of ['init-scale-mlp.png', 'init-scale-diagonal.png', 'summary.md', 'results.json', 'diagonal-network.json']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
      const lazy = pointResults(result.collected).filter((r) => r.parameterisation === 'lazy').sort((a, b) => a.alpha - b.alpha);
      expect(lazy[1].kernelChange).toBeLessThan(lazy[0].kernelChange);
      expect(result.verdicts.length).toBe(5);
      const again = await reportStudy(dir);
      expect(again.verdicts).toEqual(result.verdicts);
      expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toMatch(/## Verdicts/);
      fs.rmSync(dir, { recursive: true, force: true });
    }, 600_000);
  });
});
