/**
 * Resuming a run whose optimiser has state (momentum's velocity, Adam's moments) must continue
 * exactly: a run interrupted after its step-20 checkpoint and rerun writes a metrics.jsonl
 * byte-identical to the uninterrupted run's. Restoring the state as zeros (a fresh initState)
 * changes every later step, so the step-40 record differs. In process (not via the CLI) so that
 * mutation testing, which switches mutants inside this process, sees it too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupBackend } from '../../src/backend/index.ts';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';

beforeAll(async () => { await setupBackend(); });

const base = {
  seed: 4,
  data: { dataset: 'digits', trainSize: 100, testSize: 50 },
  model: { hidden: [8] },
  training: { steps: 40 },
  probes: { every: 20, trace: false },
  checkpoint: { every: 20 },
};

describe.each([
  ['momentum', { kind: 'momentum', learningRate: 0.05, momentum: 0.9, batchSize: 25 }],
  ['adam', { kind: 'adam', learningRate: 0.01, batchSize: 25 }],
])('%s: a run interrupted after its step-20 checkpoint and resumed', (name, optimizer) => {
  it('writes the same metrics.jsonl as an uninterrupted run, byte for byte', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ibl-resume-${name}-`));
    const config = parseRunConfig({ ...base, name, optimizer });
    const full = path.join(dir, 'full');
    expect((await runExperiment(config, { outDir: full })).status).toBe('completed');
    // The same run stopped at step 20: its checkpoint is the one an interrupted run leaves.
    const short = path.join(dir, 'short');
    await runExperiment(parseRunConfig({ ...base, name, optimizer, training: { steps: 20 } }), { outDir: short });
    // The interrupted run: the full record with the step-20 checkpoint and status 'running'.
    const part = path.join(dir, 'part');
    fs.cpSync(full, part, { recursive: true });
    fs.rmSync(path.join(part, 'checkpoint'), { recursive: true });
    fs.cpSync(path.join(short, 'checkpoint'), path.join(part, 'checkpoint'), { recursive: true });
    const summary = JSON.parse(fs.readFileSync(path.join(part, 'summary.json'), 'utf8'));
    fs.writeFileSync(path.join(part, 'summary.json'), JSON.stringify({ ...summary, status: 'running' }));
    // The checkpoint really carries non-zero optimiser state (else this test could not fail).
    const state = JSON.parse(fs.readFileSync(path.join(part, 'checkpoint', 'training-state.json'), 'utf8'));
    expect(state.step).toBe(20);
    const optimizerBytes = fs.readFileSync(path.join(part, 'checkpoint', 'optimizer.bin'));
    expect(optimizerBytes.some((b) => b !== 0)).toBe(true);

    const resumed = await runExperiment(config, { outDir: part });
    expect(resumed.resumedFromStep).toBe(20);
    expect(resumed.status).toBe('completed');
    const metrics = fs.readFileSync(path.join(full, 'metrics.jsonl'), 'utf8');
    expect(metrics.trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([0, 20, 40]);
    expect(fs.readFileSync(path.join(part, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });
});
