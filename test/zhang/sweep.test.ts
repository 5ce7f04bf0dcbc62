/**
 * The reproduction's machinery on a tiny sweep: planning, skipped conv nets (while wasm lacks the
 * Conv2DBackpropFilter kernel), a diverged run recorded while the sweep goes on, figures and
 * tables written, and a rerun that retrains nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { zhangPreset, zhangConfigSchema, type ZhangConfig } from '../../src/experiments/zhang/config.ts';
import { describeZhangResult, planZhangRuns, runZhangSweep, zhangCorruptions, type ZhangRunResult } from '../../src/experiments/zhang/sweep.ts';
import { writeZhangReport } from '../../src/experiments/zhang/report.ts';
import { resolveZhangConfig } from '../../src/cli/reproduceZhang.ts';
import { pointFolderName } from '../../src/experiments/study/identity.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';

/** A run's folder in the study: `<run id>-<hash of its config>` (the engine's naming). */
const runDir = (out: string, id: string) => path.join(out, fs.readdirSync(out).find((f) => f.startsWith(`${id}-`) && /-[0-9a-f]{10}$/.test(f))!);

describe('zhang sweep', () => {
  it('plans every architecture × corruption plus the Table 1 variants, as valid momentum run configs', () => {
    const config = zhangPreset('quick', 'fashion-mnist');
    expect(config.architectures.map((a) => a.id)).toEqual(['mlp-1x512', 'mlp-3x512', 'cnn-small', 'resnet-cnn', 'residual-mlp']);
    expect(zhangCorruptions(config).map((c) => c.id)).toEqual([
      'true-labels', 'partial-0.2', 'partial-0.4', 'partial-0.6', 'partial-0.8', 'random-labels', 'shuffled-pixels', 'random-pixels', 'gaussian',
    ]);
    const runs = planZhangRuns(config, 1000);
    expect(runs).toHaveLength(5 * (9 + 3));
    const wd = runs.find((r) => r.id === 'mlp-3x512__true-labels__weight-decay+augment')!;
    expect(wd.config.optimizer).toMatchObject({ kind: 'momentum', momentum: 0.9, weightDecay: 5e-4, batchSize: 100 });
    expect(wd.config.data.augment).toEqual({ crop: 2, flip: true, copies: 2 });
    expect(wd.config.probes.every).toBe(20); // one epoch of the 2,000 augmented images
    // An architecture's own probeEveryEpochs: 2.5 epochs of 10 steps, test set every testEveryProbes of those.
    const sparse = planZhangRuns({ ...config, architectures: [{ ...config.architectures[0], probeEveryEpochs: 2.5 }] }, 1000);
    expect(sparse[0].config.probes).toMatchObject({ every: 25, testEvery: 25 * config.testEveryProbes });
    expect(sparse.find((r) => r.variant === 'augment')!.config.probes.every).toBe(50);
    expect(runs.filter((r) => r.conv).every((r) => ['cnn-small', 'resnet-cnn'].includes(r.architecture))).toBe(true);
    const paper = planZhangRuns(zhangPreset('paper', 'cifar10'), 50000);
    expect(paper[0].config.optimizer.schedule).toEqual({ kind: 'step', every: 391, gamma: 0.95 });
    expect(paper[0].config.checkpoint.every).toBe(5 * 391);
  });

  it('ibl reproduce: a missing or unknown study is a usage error; a bad option is reported before any work', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-cli-'));
    const ibl = (args: string[]) => spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8' });
    const missing = ibl(['reproduce']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing study \(known: seed-claims, zhang, flatness-vs-lr, init-scale\)/);
    expect(ibl(['reproduce', 'hinton']).stderr).toMatch(/unknown study 'hinton'/);
    const bad = ibl(['reproduce', 'zhang', '--dataset', 'svhn']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--dataset svhn: expected one of digits, fashion-mnist, mnist, cifar10/);
    expect(fs.readdirSync(cwd)).toEqual([]);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('rejects an unknown field or scale naming it', () => {
    expect(() => resolveZhangConfig({ scale: 'huge' })).toThrow(/--scale huge/);
    expect(() => resolveZhangConfig({ set: ['optimizer.momentm=0.5'] })).toThrow(/optimizer\.momentm: unknown field/);
    expect(resolveZhangConfig({ dataset: 'digits', set: ['stepBudget=10'], formats: 'png,svg' })).toMatchObject({ stepBudget: 10, formats: ['png', 'svg'] });
  });

  it('runs a tiny sweep: fitted runs, a diverged run recorded, conv nets skipped or trained, a rerun retrains nothing', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-sweep-'));
    const config: ZhangConfig = zhangConfigSchema.parse({
      ...zhangPreset('quick', 'digits'),
      trainSize: 100,
      architectures: [
        { id: 'mlp-small', model: { kind: 'mlp', hidden: [64] } },
        { id: 'mlp-exploding', model: { kind: 'mlp', hidden: [64] }, learningRate: 50 },
        { id: 'cnn-tiny', model: { kind: 'cnn', channels: [2], dense: [] } },
      ],
      labelLevels: [0.5],
      inputCorruptions: false,
      table: { enabled: false, weightDecay: 5e-4, augment: { crop: 1, flip: false, copies: 1 } },
      stepBudget: 600,
      curvature: { subset: 50, samples: 3 },
    });
    const lines: string[] = [];
    const first = await runZhangSweep(config, { outDir: out, log: (l) => lines.push(l) });
    const byId = new Map(first.results.map((r) => [r.id, r]));
    for (const id of ['mlp-small__true-labels', 'mlp-small__partial-0.5', 'mlp-small__random-labels']) {
      expect(byId.get(id)).toMatchObject({ status: 'completed', fitted: true });
      expect(byId.get(id)!.hessianTrace).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(runDir(out, id), 'checkpoint', 'model.json'))).toBe(true);
    }
    expect(byId.get('mlp-small__random-labels')!.stepsToFit!).toBeGreaterThan(byId.get('mlp-small__true-labels')!.stepsToFit!);
    expect(byId.get('mlp-exploding__true-labels')).toMatchObject({ status: 'diverged', fitted: false });
    expect(byId.get('mlp-exploding__true-labels')!.reason).toMatch(/diverged at step/);
    const conv = byId.get('cnn-tiny__true-labels')!;
    if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined && first.backend === 'wasm') {
      expect(conv.status).toBe('skipped');
      expect(conv.reason).toMatch(/Conv2DBackpropFilter/);
      expect(first.notes.join(' ')).toMatch(/conv architectures skipped/);
    } else {
      expect(conv.status).not.toBe('skipped');
    }
    const { files, markdown } = writeZhangReport(first.results, config, out, { backend: first.backend, notes: first.notes, wallTimeSeconds: 1 });
    for (const name of ['fig-a-loss.png', 'fig-b-time-to-fit.png', 'fig-c-test-error.png', 'fig-d-norm-margin-flatness.png', 'table1.md', 'results.json']) {
      expect(files).toContain(path.join(out, name));
      expect(fs.statSync(path.join(out, name)).size).toBeGreaterThan(100);
    }
    expect(markdown).toMatch(/\| mlp-small +\| +\d+ +\| random +\| no +\| no +\| 100\.0% /);
    expect(markdown).toMatch(/\| mlp-exploding +\| +\d+ +\| true .*\| diverged \(step \d+\) +\|/);
    expect(markdown).toMatch(/mlp-exploding__true-labels diverged/);

    const summaryFile = path.join(runDir(out, 'mlp-small__random-labels'), 'summary.json');
    const before = fs.statSync(summaryFile).mtimeMs;
    const second = await runZhangSweep(config, { outDir: out });
    expect(fs.statSync(summaryFile).mtimeMs).toBe(before);
    expect(second.results.map((r) => [r.id, r.status, r.stepsToFit])).toEqual(first.results.map((r) => [r.id, r.status, r.stepsToFit]));
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('jobs 2 (child processes) gives the same records as one process, one progress line per run, and a rerun retrains nothing', async () => {
    const config: ZhangConfig = zhangConfigSchema.parse({
      ...zhangPreset('quick', 'digits'),
      trainSize: 100,
      architectures: [{ id: 'mlp', model: { kind: 'mlp', hidden: [32] } }, { id: 'cnn', model: { kind: 'cnn', channels: [2], dense: [] } }],
      labelLevels: [], inputCorruptions: false,
      table: { enabled: false, weightDecay: 5e-4, augment: { crop: 1, flip: false, copies: 1 } },
      stepBudget: 40, curvature: { subset: 50, samples: 2 },
    });
    const key = (r: ZhangRunResult) => [r.id, r.status, r.stepsDone, r.trainAccuracy, r.testAccuracy, r.trainLoss, r.hessianTrace];
    const serialOut = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-serial-'));
    const parallelOut = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-jobs-'));
    const serial = await runZhangSweep(config, { outDir: serialOut });
    const lines: string[] = [];
    const parallel = await runZhangSweep(config, { outDir: parallelOut, jobs: 2, onRunDone: (r, done, total) => lines.push(`[${done}/${total}] ${describeZhangResult(r)}`) });
    expect(parallel.results.map(key)).toEqual(serial.results.map(key));
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.slice(0, 6)).sort()).toEqual(['[1/4] ', '[2/4] ', '[3/4] ', '[4/4] ']);
    const summaryFile = path.join(runDir(parallelOut, 'cnn__random-labels'), 'summary.json');
    const before = fs.statSync(summaryFile).mtimeMs;
    const again = await runZhangSweep(config, { outDir: parallelOut, jobs: 2 });
    expect(fs.statSync(summaryFile).mtimeMs).toBe(before);
    expect(again.results.map(key)).toEqual(serial.results.map(key));
    fs.rmSync(serialOut, { recursive: true, force: true });
    fs.rmSync(parallelOut, { recursive: true, force: true });
  });

  it('continues an interrupted run from its last checkpoint (paper-scale resumption)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-resume-'));
    const config: ZhangConfig = zhangConfigSchema.parse({
      ...zhangPreset('quick', 'digits'),
      trainSize: 100,
      architectures: [{ id: 'mlp', model: { kind: 'mlp', hidden: [64] } }],
      labelLevels: [], inputCorruptions: false, checkpointEveryProbes: 2,
      table: { enabled: false, weightDecay: 5e-4, augment: { crop: 1, flip: false, copies: 1 } },
      stepBudget: 600, curvature: { subset: 50, samples: 2 },
    });
    const spec = planZhangRuns(config, 100).find((r) => r.id === 'mlp__random-labels')!;
    expect(spec.config.checkpoint.every).toBe(2); // 2 probes × 1 epoch of 100 images at batch 100
    const dir = path.join(out, pointFolderName(spec.id, spec.config));
    // interrupt the run after step 5: its checkpoint holds step 4
    const interrupt = { start() {}, stop() {}, update(step: number) { if (step > 5) throw new Error('interrupted'); } };
    await expect(runExperiment(spec.config, { outDir: dir, progress: interrupt })).rejects.toThrow('interrupted');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint', 'training-state.json'), 'utf8')).step).toBe(4);
    const { results } = await runZhangSweep(config, { outDir: out });
    const resumed = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    expect(resumed.resumedFromStep).toBe(4);
    expect(results.find((r) => r.id === spec.id)).toMatchObject({ status: 'completed', fitted: true });
    fs.rmSync(out, { recursive: true, force: true });
  });
});
