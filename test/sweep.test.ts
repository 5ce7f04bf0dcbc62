/**
 * Sweeps: every grid point is validated before any run; a diverging point is recorded as
 * diverged at its step and the sweep goes on to the next point.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const ibl = (args: string[], cwd: string) =>
  spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

const config = {
  name: 'lr',
  seed: 1,
  data: { dataset: 'digits', trainSize: 100 },
  model: { hidden: [16] },
  optimizer: { kind: 'gd', learningRate: 0.1 },
  training: { steps: 30, divergenceLoss: 100 },
  probes: { every: 15, trace: { samples: 3 } },
};

describe('ibl sweep', () => {
  it('rejects a grid with an out-of-range value before running anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-sweep-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const result = ibl(['sweep', 'c.json', '--grid', 'optimizer.learningRate=0.1,-1', '--out', 'out'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('grid point learningRate=-1: optimizer.learningRate');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('records a diverging point as diverged at its step and completes the others', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-sweep-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const result = ibl(['sweep', 'c.json', '--grid', 'optimizer.learningRate=0.05,1e4,0.2', '--out', 'out'], dir);
    expect(result.status, result.stderr).toBe(0);
    const sweep = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'sweep.json'), 'utf8'));
    const statuses = sweep.results.map((r: { status: string }) => r.status);
    expect(statuses).toEqual(['completed', 'diverged', 'completed']);
    const diverged = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'learningRate=10000', 'summary.json'), 'utf8'));
    expect(diverged.status).toBe('diverged');
    expect(diverged.divergedAtStep).toBeGreaterThan(0);
    expect(diverged.divergedAtStep).toBeLessThan(30);
    expect(fs.readFileSync(path.join(dir, 'out', 'summary.md'), 'utf8')).toContain(`diverged (step ${diverged.divergedAtStep})`);
    expect(fs.existsSync(path.join(dir, 'out', 'sweep.png'))).toBe(true);
  });
});
