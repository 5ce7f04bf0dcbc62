/**
 * Run-level behaviour a sharpness study depends on: collapsed networks are flagged, the last
 * record always carries the curvature probes, GD's Hessian is of the whole training set, a
 * diverged run's final block is its last finite probe with the divergence step and loss, the
 * initial parameters are saved, training can stop at a loss threshold, and `ibl probe --run`
 * reproduces a squared-loss run's last record from its folder alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { parseRunConfig, type RunConfigInput } from '../../src/experiments/runConfig.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';
import { loadCheckpoint } from '../../src/train/checkpoint.ts';
import { distanceFromInit } from '../../src/probes/norms.ts';
import { checkCollapse } from '../../src/probes/collapse.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { createRng } from '../../src/util/rng.ts';
import { oneHotFloat } from '../../src/train/loss.ts';
import { seededValues } from '../helpers/float64.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const ibl = (args: string[], cwd: string) => spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-runfix-'));
const readMetrics = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const base = (overrides: Partial<RunConfigInput>): RunConfigInput => ({
  name: 't', seed: 3,
  data: { dataset: 'digits', trainSize: 100, testSize: 50 },
  model: { hidden: [16] },
  optimizer: { kind: 'gd', learningRate: 0.5 },
  training: { steps: 20 },
  probes: { every: 5, trace: { samples: 3 }, eig: { k: 1 } },
  ...overrides,
});

describe('collapse check', () => {
  beforeAll(async () => { await setupBackend(); });
  it('flags a net whose logits do not depend on the input, and not a random net', () => {
    const model = createMlp({ widths: [6, 8, 4] });
    const x = tf.tensor2d(Array.from(seededValues(40 * 6, 7)), [40, 6]);
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
    const data = { x, oneHot: oneHotFloat(labels, 4), labels, n: 40 };
    const live = model.init(createRng(1));
    expect(checkCollapse(model, live, data).collapsed).toBe(false);
    // Every hidden unit dead: first-layer weights that make every pre-activation negative.
    const dead = [tf.fill([6, 8], -1), live[1]];
    const positive = { ...data, x: tf.abs(x) as tf.Tensor2D };
    const c = checkCollapse(model, dead, positive);
    expect(c.collapsed).toBe(true);
    expect(c.reason).toBe('outputs-independent-of-input');
    expect(c.loss).toBeCloseTo(Math.log(4), 5); // constant zero logits: the chance loss
    tf.dispose([x, data.oneHot, positive.x, ...live, dead[0]]);
  });
});

describe('run-level records', () => {
  beforeAll(async () => { await setupBackend(); });

  it('GD: the Hessian is of the whole training set; initial parameters saved; a tiny-init collapsed run is flagged', async () => {
    const config = parseRunConfig(base({}));
    expect(config.probes.subset).toBe('all');
    expect(parseRunConfig(base({ optimizer: { kind: 'sgd', learningRate: 0.1, batchSize: 10 } })).probes.subset).toBe(256);
    const dir = tmp();
    const summary = await runExperiment(config, { outDir: dir });
    expect(summary.collapsed).toBe(false);
    const last = readMetrics(dir).pop();
    expect(last.curvatureData).toBe('train');
    expect(last.curvatureExamples).toBe(100);
    const init = loadCheckpoint(path.join(dir, 'checkpoint-initial'));
    const final = loadCheckpoint(path.join(dir, 'checkpoint'));
    expect(distanceFromInit(final.params, init.params).l2).toBeCloseTo(last.distanceFromInit, 5);
    tf.dispose([init.params, final.params, Object.values(final.training!.optimizerState).flat()]);

    const collapsed = await runExperiment(parseRunConfig(base({ model: { hidden: [16, 16], initScale: 1e-4 }, training: { steps: 5 } })), { outDir: tmp() });
    expect(collapsed.status).toBe('completed');
    expect(collapsed.collapsed).toBe(true);
    expect((collapsed.final as { collapsed: boolean }).collapsed).toBe(true);
  });

  it('stopping between curvature probes (stopAtTrainLoss) still ends with trace and λ_max', async () => {
    const dir = tmp();
    const summary = await runExperiment(parseRunConfig(base({
      training: { steps: 400, stopAtTrainLoss: 1.0 },
      probes: { every: 5, curvatureEvery: 1000, trace: { samples: 3 }, eig: { k: 1 } },
    })), { outDir: dir });
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.stepsDone).toBeLessThan(400);
    const final = summary.final as Record<string, number>;
    expect(final.step).toBe(summary.stepsDone);
    expect(final.trainLoss).toBeLessThanOrEqual(1.0);
    expect(final.hessianTrace).toBeGreaterThan(0);
    expect(final.sharpness).toBeGreaterThan(0);
    const records = readMetrics(dir);
    expect(records[records.length - 2].hessianTrace).toBeUndefined(); // the one before was cheap
  });

  it('a diverged run records where and at what loss, and its final block is its last finite probe', async () => {
    const dir = tmp();
    const summary = await runExperiment(parseRunConfig(base({ model: { hidden: [16], activation: 'tanh', init: 'lecun' }, optimizer: { kind: 'gd', learningRate: 3 }, training: { steps: 200, loss: 'mse' }, probes: { every: 50, trace: { samples: 3 }, eig: { k: 1 } } })), { outDir: dir });
    expect(summary.status).toBe('diverged');
    const records = readMetrics(dir);
    const last = records[records.length - 1];
    expect(last.diverged).toBe(true);
    expect(last.step).toBe(summary.divergedAtStep);
    const final = summary.final as Record<string, number>;
    expect(final.divergedAtStep).toBe(summary.divergedAtStep);
    expect(final.divergedLoss).toBe(summary.divergedLoss);
    expect(Number.isFinite(final.trainLoss)).toBe(true);
    expect(final.step).toBeLessThan(summary.divergedAtStep!);
  });
});

describe('ibl probe --run', () => {
  it('reproduces the last record of a squared-loss run from the run folder (loss, trace, λ_max)', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(base({ training: { steps: 10, loss: 'mse' }, probes: { every: 5, trace: { samples: 3 }, eig: { k: 1 }, subset: 60 } })));
    const run = ibl(['run', 'c.json', '--out', 'run'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'run', 'checkpoint', 'model.json'), 'utf8')).loss).toBe('mse');
    const last = readMetrics(path.join(dir, 'run')).pop();
    expect(last.curvatureData).toBe('train-subset');
    const probe = ibl(['probe', '--run', 'run', '--json'], dir);
    expect(probe.status, probe.stderr).toBe(0);
    const r = JSON.parse(probe.stdout);
    expect(r.lossFunction).toBe('mse');
    expect(r.curvatureExamples).toBe(60);
    expect(r.loss).toBe(last.trainLoss);
    expect(r.accuracy).toBe(last.trainAccuracy);
    expect(r.hessianTrace.estimate).toBe(last.hessianTrace);
    expect(r.topEigenvalues[0]).toBe(last.sharpness);
    expect(r.norms.distanceFromInit.l2).toBeCloseTo(last.distanceFromInit, 5);
    // A squared loss near ½ at initialisation, far from the cross-entropy's ln 10 ≈ 2.3.
    expect(r.loss).toBeLessThan(1);
    const table = ibl(['probe', '--run', 'run'], dir);
    expect(table.stdout).toMatch(/squared loss/);
  });
});
