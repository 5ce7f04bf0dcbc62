/**
 * ibl sweep on the study engine: every grid point is validated before any run; a diverging point
 * is recorded at its step and a failing one with its reason while the sweep goes on (exit status
 * 1); a larger step budget continues the same runs from their checkpoints, to the numbers of a
 * run trained straight through; a presentation change only redraws; `ibl report` rewrites the
 * same tables from the folders; `seed` as an axis gives mean ± s.d. over the replicates.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { runExperiment } from '../src/experiments/runExperiment.ts';
import { ibl, readJson, readMetrics, runFolders } from './study/helpers.ts';

const config = {
  name: 'lr',
  seed: 1,
  data: { dataset: 'digits', trainSize: 100 },
  model: { hidden: [16] },
  optimizer: { kind: 'gd', learningRate: 0.1 },
  training: { steps: 30, divergenceLoss: 100 },
  probes: { every: 15, trace: { samples: 3 } },
};

function csv(file: string): Record<string, string>[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
  return lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

describe('ibl sweep', () => {
  it('rejects a grid with an out-of-range value before running anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-sweep-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const result = ibl(['sweep', 'c.json', '--grid', 'optimizer.learningRate=0.1,-1', '--out', 'out'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('grid point learningRate=-1: optimizer.learningRate');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records diverged and failed points, exits 1; a larger budget continues the runs; presentation only redraws; ibl report agrees', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-sweep-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const grid = ['--grid', 'optimizer.learningRate=0.05,1e4,0.2', '--grid', 'data.dataset=digits,mnist'];
    const first = ibl(['sweep', 'c.json', ...grid, '--out', 'out', '--jobs', '2'], dir);
    expect(first.status, first.stderr).toBe(1); // the mnist points fail (no data.dir)
    const out = path.join(dir, 'out');
    expect(runFolders(out)).toHaveLength(6);
    const rows = csv(path.join(out, 'summary.csv'));
    const status = (lr: string, ds: string) => rows.find((r) => r['optimizer.learningRate'] === lr && r['data.dataset'] === ds)!.status;
    expect(status('0.05', 'digits')).toBe('completed');
    expect(status('0.2', 'digits')).toBe('completed');
    expect(status('10000', 'digits')).toMatch(/^diverged \(step \d+\)$/);
    expect(status('0.05', 'mnist')).toMatch(/^failed: data\.dir is required/);
    expect(first.stderr).toMatch(/\[6\/6\] .* — 3 done, 0 running, 3 failed, 0 remaining/);
    // The duration estimate comes before the first point, measured on this backend; the points
    // that cannot load their data are left out with the reason.
    expect(first.stderr).toMatch(/estimated duration \d+ s with 2 at once, from step times measured now on \w+: [\d.]+(–[\d.]+)? ms per step over 1 kind of point \(measuring took \d+ s\); 3 points left out: data\.dir is required/);
    expect(first.stderr.indexOf('estimated duration')).toBeLessThan(first.stderr.indexOf('[1/6]'));
    const markdown = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(markdown).toMatch(/\| 10000 +\| digits +\| diverged \(step \d+\)/);
    for (const column of ['steps', 'wall time (s)', 'train loss', 'test acc', 'trace ± s.e.', 'λ_max', '2/η', '‖θ‖₂', 'normalized margin']) expect(markdown).toContain(column);
    expect(fs.existsSync(path.join(out, 'sweep.png'))).toBe(true);

    // A larger step budget: same folders, every finished point continues from its last checkpoint.
    const folder = runFolders(out).find((f) => f.startsWith('learningRate=0.2_dataset=digits-'))!;
    const second = ibl(['sweep', 'c.json', ...grid.slice(0, 2), '--grid', 'data.dataset=digits', '--set', 'training.steps=45', '--out', 'out'], dir);
    expect(second.status, second.stderr).toBe(0);
    expect(runFolders(out)).toHaveLength(6);
    const continued = readJson(path.join(out, folder, 'summary.json'));
    expect(continued).toMatchObject({ status: 'completed', stepsDone: 45, resumedFromStep: 30 });
    // ... and ends where a 45-step run trained straight through ends.
    const straight = await runExperiment(parseRunConfig({ ...config, optimizer: { kind: 'gd', learningRate: 0.2 }, training: { steps: 45, divergenceLoss: 100 } }), { outDir: path.join(dir, 'straight') });
    const metrics = readMetrics(path.join(out, folder));
    expect(metrics.at(-1)).toEqual((straight.final));
    expect(csv(path.join(out, 'summary.csv')).map((r) => r['data.dataset'])).toEqual(['digits', 'digits', 'digits']); // the table shows only the current plan

    // A presentation-only change retrains nothing; ibl report rewrites the same table.
    const summaryFile = path.join(out, folder, 'summary.json');
    const before = fs.statSync(summaryFile).mtimeMs;
    const table = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    const third = ibl(['sweep', 'c.json', ...grid.slice(0, 2), '--grid', 'data.dataset=digits', '--set', 'training.steps=45', '--set', 'report.formats=["svg"]', '--out', 'out'], dir);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/3 finished on disk, 0 to run/);
    expect(fs.statSync(summaryFile).mtimeMs).toBe(before);
    expect(fs.existsSync(path.join(out, folder, 'report.svg'))).toBe(true); // redrawn in the new format
    fs.rmSync(path.join(out, 'summary.md'));
    const report = ibl(['report', 'out'], dir);
    expect(report.status, report.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toBe(table);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seed as an axis: replicates summarised as mean ± s.d.', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-sweep-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ ...config, training: { steps: 15 } }));
    const result = ibl(['sweep', 'c.json', '--grid', 'optimizer.learningRate=0.05,0.2', '--grid', 'seed=0,1,2', '--out', 'out', '--jobs', '2'], dir);
    expect(result.status, result.stderr).toBe(0);
    const rows = csv(path.join(dir, 'out', 'summary.csv'));
    const groups = csv(path.join(dir, 'out', 'summary-seeds.csv'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      const xs = rows.filter((r) => r['optimizer.learningRate'] === g['optimizer.learningRate']).map((r) => Number(r.trainLoss));
      expect(xs).toHaveLength(3);
      const mean = (xs[0] + xs[1] + xs[2]) / 3;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
      expect(Number(g.trainLossMean)).toBeCloseTo(mean, 12);
      expect(Number(g.trainLossSd)).toBeCloseTo(sd, 12);
      expect(g.seeds).toBe('3');
    }
    expect(fs.readFileSync(path.join(dir, 'out', 'summary.md'), 'utf8')).toContain('Mean ± s.d. over seeds');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
