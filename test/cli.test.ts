/**
 * The command line: bad configs fail before any work and leave no run folder; two runs with the
 * same seed on the same backend write identical metrics; a rerun of a finished run is a no-op.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

function ibl(args: string[], cwd: string) {
  return spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-cli-'));
}

const smallConfig = {
  name: 'tiny',
  seed: 3,
  data: { dataset: 'digits', trainSize: 200 },
  model: { hidden: [16] },
  optimizer: { kind: 'sgd', learningRate: 0.1, batchSize: 32 },
  training: { steps: 40 },
  probes: { every: 20, trace: { samples: 4 }, subset: 100 },
  checkpoint: { every: 20 },
};

describe('ibl run', () => {
  it('rejects a misspelt field, naming it, and leaves no run folder', () => {
    const dir = tempDir();
    const config = { ...smallConfig, optimizer: { kind: 'sgd', lerningRate: 0.1 } };
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(config));
    const result = ibl(['run', 'bad.json', '--out', 'out'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('optimizer.lerningRate: unknown field');
    expect(result.stderr).toContain('optimizer.learningRate');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('rejects an out-of-range value and an unknown override, naming them', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(smallConfig));
    const negative = ibl(['run', 'c.json', '--out', 'out', '--set', 'optimizer.learningRate=-1'], dir);
    expect(negative.status).toBe(1);
    expect(negative.stderr).toMatch(/--set optimizer\.learningRate=-1: .*(>0|greater than 0|positive)/i);
    const unknown = ibl(['run', 'c.json', '--out', 'out', '--set', 'training.stpes=5'], dir);
    expect(unknown.stderr).toContain('--set training.stpes=5: unknown field');
    expect(unknown.stderr).toContain('(command line)');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('two runs with the same seed write identical metrics.jsonl; a rerun of a finished run changes nothing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(smallConfig));
    const a = ibl(['run', 'c.json', '--out', 'a'], dir);
    expect(a.status, a.stderr).toBe(0);
    const b = ibl(['run', 'c.json', '--out', 'b'], dir);
    expect(b.status, b.stderr).toBe(0);
    const metricsA = fs.readFileSync(path.join(dir, 'a', 'metrics.jsonl'), 'utf8');
    expect(metricsA.trim().split('\n')).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, 'b', 'metrics.jsonl'), 'utf8')).toBe(metricsA);
    for (const file of ['config.json', 'summary.json', 'report.png', 'checkpoint/model.json', 'checkpoint/params.bin']) {
      expect(fs.existsSync(path.join(dir, 'a', file)), file).toBe(true);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'a', 'summary.json'), 'utf8'));
    expect(summary.status).toBe('completed');
    expect(summary.backend).toMatch(/^(tensorflow|native|wasm|cpu)$/);
    expect(summary.seed).toBe(3);
    const before = fs.statSync(path.join(dir, 'a', 'metrics.jsonl')).mtimeMs;
    const again = ibl(['run', 'c.json', '--out', 'a'], dir);
    expect(again.status).toBe(0);
    expect(fs.statSync(path.join(dir, 'a', 'metrics.jsonl')).mtimeMs).toBe(before);
  });

  it('an interrupted run resumes from its checkpoint and ends with the same metrics as an uninterrupted one', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(smallConfig));
    expect(ibl(['run', 'c.json', '--out', 'full'], dir).status).toBe(0);
    // Simulate a crash after the step-20 checkpoint: run 20 steps' worth, then mark it running.
    expect(ibl(['run', 'c.json', '--out', 'part'], dir).status).toBe(0);
    const part = path.join(dir, 'part');
    const summary = JSON.parse(fs.readFileSync(path.join(part, 'summary.json'), 'utf8'));
    fs.writeFileSync(path.join(part, 'summary.json'), JSON.stringify({ ...summary, status: 'running' }));
    // Roll the checkpoint back to step 20 by rerunning a 20-step copy into a scratch folder.
    const shortConfig = { ...smallConfig, training: { steps: 20 } };
    fs.writeFileSync(path.join(dir, 'short.json'), JSON.stringify(shortConfig));
    expect(ibl(['run', 'short.json', '--out', 'short'], dir).status).toBe(0);
    fs.rmSync(path.join(part, 'checkpoint'), { recursive: true });
    fs.cpSync(path.join(dir, 'short', 'checkpoint'), path.join(part, 'checkpoint'), { recursive: true });
    const resumed = ibl(['run', 'c.json', '--out', 'part'], dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const resumedSummary = JSON.parse(fs.readFileSync(path.join(part, 'summary.json'), 'utf8'));
    expect(resumedSummary.resumedFromStep).toBe(20);
    expect(fs.readFileSync(path.join(part, 'metrics.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'full', 'metrics.jsonl'), 'utf8'));
  });
});
