/**
 * The laziness probes inside `ibl run` (model.lazyScale, probes.movement / tangentKernel /
 * linearisation / kernelPredictor) and `ibl probe --probes lazy` on the run's checkpoint, which
 * carries θ₀: the same kernel change and linearisation distance from an independent process.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { runExperiment } from '../src/experiments/runExperiment.ts';
import { loadDataForRun } from '../src/experiments/loadData.ts';
import { writeIdx } from '../src/data/idx.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const ibl = (args: string[], cwd: string) => spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

const config = {
  name: 'lazy-run', seed: 3,
  data: { dataset: 'digits', trainSize: 50, testSize: 50 },
  model: { hidden: [32], lazyScale: 30 },
  optimizer: { kind: 'gd', learningRate: 0.5 },
  training: { steps: 30 },
  probes: { every: 15, trace: false, margin: false, movement: true, tangentKernel: { subset: 50 }, linearisation: true, kernelPredictor: { testSubset: 20 } },
};

describe('laziness probes in runs and ibl probe', () => {
  it('records them per probe step; ibl probe --probes lazy on the checkpoint agrees', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-lazy-run-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const run = ibl(['run', 'c.json', '--out', 'run'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'run', 'checkpoint', 'initial-params.bin'))).toBe(true);
    const metrics = fs.readFileSync(path.join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([0, 15, 30]);
    const [first, , last] = metrics;
    // The centred model starts at the zero function: loss ln 10, nothing moved.
    expect(first.trainLoss).toBeCloseTo(Math.log(10), 5);
    expect(first).toMatchObject({ relativeMovement: 0, kernelChange: 0, kernelPredictorDistanceTrain: 0 });
    expect(last.relativeMovementPerLayer).toHaveLength(2);
    for (const key of ['relativeMovement', 'kernelChange', 'linearisationRelativeTrain', 'linearisationRelativeTest', 'kernelPredictorRelativeTrain', 'kernelPredictorRelativeTest']) {
      expect(last[key], key).toBeGreaterThan(0);
      expect(last[key], key).toBeLessThan(0.2);
    }
    expect(last.kernelAlignment).toBeGreaterThan(0);
    const { train } = loadDataForRun(parseRunConfig(config));
    writeIdx(path.join(dir, 'img.idx'), { dtype: 'uint8', dims: [train.n, 8, 8], data: Uint8Array.from(train.x, (v) => Math.round(v * 255)) });
    writeIdx(path.join(dir, 'lab.idx'), { dtype: 'uint8', dims: [train.n], data: Uint8Array.from(train.y) });
    const probe = ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--probes', 'lazy,norms', '--json'], dir);
    expect(probe.status, probe.stderr).toBe(0);
    const r = JSON.parse(probe.stdout);
    expect(r.loss).toBe(last.trainLoss);
    expect(r.lazy.relativeMovement).toBeCloseTo(last.relativeMovement, 6);
    expect(Math.abs(r.lazy.kernelChange - last.kernelChange) / last.kernelChange).toBeLessThan(1e-3);
    expect(r.lazy.kernelAlignment).toBeCloseTo(last.kernelAlignment, 5);
    expect(Math.abs(r.lazy.linearisationRelative - last.linearisationRelativeTrain) / last.linearisationRelativeTrain).toBeLessThan(1e-3);
    expect(r.lazy.kernelBackwardPasses).toBe(2 * 50 * 10);
    const table = ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--probes', 'lazy'], dir);
    expect(table.stdout).toMatch(/tangent kernel ‖K − K₀‖\/‖K₀‖/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('a lazy run resumed from its checkpoint ends with the same metrics (θ₀, K₀ and the kernel predictor rebuilt)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-lazy-resume-'));
    const small = { ...config, data: { dataset: 'digits', trainSize: 30, testSize: 30 }, model: { hidden: [16], lazyScale: 5 }, probes: { ...config.probes, tangentKernel: { subset: 20 } } };
    await runExperiment(parseRunConfig(small), { outDir: path.join(dir, 'full') });
    await runExperiment(parseRunConfig({ ...small, training: { steps: 15 } }), { outDir: path.join(dir, 'short') });
    // The full record with its checkpoint rolled back to step 15 and marked running: a crash after step 15.
    fs.cpSync(path.join(dir, 'full'), path.join(dir, 'part'), { recursive: true });
    fs.rmSync(path.join(dir, 'part', 'checkpoint'), { recursive: true });
    fs.cpSync(path.join(dir, 'short', 'checkpoint'), path.join(dir, 'part', 'checkpoint'), { recursive: true });
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'part', 'summary.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'part', 'summary.json'), JSON.stringify({ ...summary, status: 'running' }));
    const resumed = await runExperiment(parseRunConfig(small), { outDir: path.join(dir, 'part') });
    expect(resumed.resumedFromStep).toBe(15);
    const read = (d: string) => fs.readFileSync(path.join(dir, d, 'metrics.jsonl'), 'utf8');
    expect(read('part')).toBe(read('full'));
    expect(read('full')).toMatch(/"kernelPredictorRelativeTest"/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
