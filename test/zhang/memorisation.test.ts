/**
 * Zhang et al. (2017) in miniature, through the same path `ibl reproduce zhang` uses (run
 * configs → runExperiment with SGD momentum and the stop-at-100% rule): a small MLP memorises
 * 500 randomly labelled digits while its test accuracy stays at chance, and needs more steps to
 * do so than on the true labels.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/experiments/runConfig.ts';
import { runExperiment } from '../../src/experiments/runExperiment.ts';

function config(corruption: object) {
  return parseRunConfig({
    name: 'memorise', seed: 1,
    data: { dataset: 'digits', trainSize: 500, corruption, standardise: true },
    model: { kind: 'mlp', hidden: [256] },
    optimizer: { kind: 'momentum', learningRate: 0.01, momentum: 0.9, batchSize: 50 },
    training: { steps: 3000, stopAtTrainAccuracy: 1 },
    probes: { every: 10, trace: false, margin: false, norms: true },
  });
}

describe('memorisation (Zhang et al. 2017) on digits', () => {
  it('an MLP fits 500 random labels to 100% with test accuracy within 0.1 of 1/K, taking more steps than on true labels', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-zhang-'));
    const random = await runExperiment(config({ kind: 'random-labels' }), { outDir: path.join(dir, 'random') });
    const truth = await runExperiment(config({ kind: 'true-labels' }), { outDir: path.join(dir, 'true') });
    const finalOf = (s: typeof random) => s.final as { trainAccuracy: number; testAccuracy: number };
    expect(random.status).toBe('completed');
    expect(random.stoppedEarly).toBe(true);
    expect(finalOf(random).trainAccuracy).toBe(1);
    expect(Math.abs(finalOf(random).testAccuracy - 1 / 10)).toBeLessThan(0.1);
    expect(truth.stoppedEarly).toBe(true);
    expect(finalOf(truth).trainAccuracy).toBe(1);
    expect(finalOf(truth).testAccuracy).toBeGreaterThan(0.85);
    expect(random.stepsDone).toBeGreaterThan(truth.stepsDone);
    // the record says where it stopped: the last probe is the first at 100%
    const metrics = fs.readFileSync(path.join(dir, 'random', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.at(-1).step).toBe(random.stepsDone);
    expect(metrics.slice(0, -1).every((m: { trainAccuracy: number }) => m.trainAccuracy < 1)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
