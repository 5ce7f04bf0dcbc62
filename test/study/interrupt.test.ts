/**
 * Interruption and concurrency: Ctrl-C on `ibl run` checkpoints at the current step and the
 * rerun ends bit-for-bit where an uninterrupted run ends; SIGINT to a local-executor sweep leaves
 * every point resumable and the rerun redoes only the unfinished points; two processes started
 * on one point — one trains, the other waits, one complete record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ibl, iblAsync, readMetrics, runFolders, summaryOf, until } from './helpers.ts';

const config = {
  name: 'int', seed: 3,
  data: { dataset: 'digits', trainSize: 100 },
  model: { hidden: [16] },
  optimizer: { kind: 'sgd', learningRate: 0.05, batchSize: 20 },
  training: { steps: 1500 },
  probes: { every: 50, trace: { samples: 2 } },
};

describe('interruption', () => {
  it('ibl run: SIGINT checkpoints at the current step, marks the record interrupted; the rerun continues to the uninterrupted result', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-int-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const run = iblAsync(['run', 'c.json', '--out', 'a'], dir);
    await until(() => (summaryOf(path.join(dir, 'a'))?.status === 'running' && fs.existsSync(path.join(dir, 'a', 'metrics.jsonl')) && readMetrics(path.join(dir, 'a')).length >= 3), 60_000, 'training to start');
    run.child.kill('SIGINT');
    const first = await run.done;
    expect(first.status, first.stderr).toBe(130);
    expect(first.stderr).toMatch(/interrupted at step (\d+)\/1500; checkpoint saved/);
    const summary = summaryOf(path.join(dir, 'a'));
    expect(summary.status).toBe('interrupted');
    expect(summary.stepsDone).toBeGreaterThan(0);
    expect(summary.stepsDone).toBeLessThan(1500);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'a', 'checkpoint', 'training-state.json'), 'utf8')).step).toBe(summary.stepsDone);
    expect(fs.existsSync(path.join(dir, 'a', 'run.lock'))).toBe(false);

    const [resumed, straight] = [ibl(['run', 'c.json', '--out', 'a'], dir), ibl(['run', 'c.json', '--out', 'b'], dir)];
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(straight.status).toBe(0);
    expect(summaryOf(path.join(dir, 'a'))).toMatchObject({ status: 'completed', stepsDone: 1500, resumedFromStep: summary.stepsDone });
    expect(readMetrics(path.join(dir, 'a'))).toEqual(readMetrics(path.join(dir, 'b')));
  });

  it('local executor: SIGINT stops every point resumably; the rerun redoes only the unfinished points', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-int-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    // All four start at once (--jobs 4): the 30-step points finish, the 1500-step ones are interrupted mid-run.
    const args = ['sweep', 'c.json', '--grid', 'training.steps=30,1500', '--grid', 'optimizer.learningRate=0.05,0.1', '--out', 'out', '--jobs', '4'];
    const sweep = iblAsync(args, dir);
    const out = path.join(dir, 'out');
    const folders = () => (fs.existsSync(out) ? runFolders(out) : []);
    const long = () => folders().filter((f) => f.includes('steps=1500'));
    await until(() => folders().filter((f) => f.includes('steps=30')).every((f) => summaryOf(path.join(out, f))?.status === 'completed') && folders().length === 4
      && long().filter((f) => (summaryOf(path.join(out, f))?.status === 'running' && fs.existsSync(path.join(out, f, 'metrics.jsonl')))).length === 2, 90_000, 'the short points to finish and both long ones to train');
    sweep.child.kill('SIGINT');
    const first = await sweep.done;
    expect(first.status, first.stderr).toBe(130);
    expect(first.stderr).toMatch(/stopping every point after its current step/);
    const interrupted = long().map((f) => summaryOf(path.join(out, f)));
    expect(interrupted.map((s) => s.status)).toEqual(['interrupted', 'interrupted']);
    const shortFiles = folders().filter((f) => f.includes('steps=30')).map((f) => path.join(out, f, 'summary.json'));
    const mtimes = shortFiles.map((f) => fs.statSync(f).mtimeMs);

    const second = ibl(args, dir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/4 points, 2 finished on disk, 2 to run/);
    expect(shortFiles.map((f) => fs.statSync(f).mtimeMs)).toEqual(mtimes);
    const resumed = long().map((f) => summaryOf(path.join(out, f)));
    expect(resumed.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(resumed.map((s) => s.resumedFromStep)).toEqual(interrupted.map((s) => s.stepsDone));
    for (const f of long()) {
      const steps = readMetrics(path.join(out, f)).map((m) => m.step as number);
      expect(new Set(steps).size).toBe(steps.length);
      expect(steps.at(-1)).toBe(1500);
    }
  });

  it('two processes on one point: one trains, the other waits; one complete record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-lock-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ ...config, training: { steps: 600 } }));
    const [a, b] = [iblAsync(['run', 'c.json', '--out', 'p'], dir), iblAsync(['run', 'c.json', '--out', 'p'], dir)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.status, rb.status]).toEqual([0, 0]);
    const waited = [ra, rb].filter((r) => /being trained by pid \d+ on .*; waiting for it to finish/.test(r.stderr));
    expect(waited).toHaveLength(1);
    const summary = summaryOf(path.join(dir, 'p'));
    expect(summary).toMatchObject({ status: 'completed', stepsDone: 600 });
    expect(summary.resumedFromStep).toBeUndefined();
    const steps = readMetrics(path.join(dir, 'p')).map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 13 }, (_, i) => i * 50));
    expect(fs.readdirSync(path.join(dir, 'p')).sort()).toEqual(['checkpoint', 'checkpoint-initial', 'config.json', 'metrics.jsonl', 'report.png', 'summary.json']);
  });
});
