/**
 * The optimizer section of a run config: every optimiser is selectable, and an unknown kind, a
 * negative learning rate, a misplaced parameter or a potential that does not fit the model's
 * parameter domain fails at validation — before any training — with a message naming the field.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseRunConfig } from '../../src/experiments/runConfig.ts';
import { createUpdateRule, optimizerKinds, trainingBatchSize } from '../../src/optim/index.ts';

const base = { training: { steps: 10 } };

function problems(optimizer: unknown): string[] {
  try {
    parseRunConfig({ ...base, optimizer });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('optimizer config', () => {
  it('accepts every optimiser kind and builds the rule it names', () => {
    const extra: Record<string, object> = {
      'mirror-descent': { potential: { kind: 'p-norm', p: 1.5 } },
      'steepest-descent': { norm: 'inf' },
    };
    // The rule each kind must build (sgd is GD on minibatches: the loop, not the rule, samples).
    const expectedName: Record<string, string> = {
      gd: 'gd', sgd: 'gd', momentum: 'momentum', nesterov: 'nesterov', adam: 'adam', adamw: 'adamw',
      'sign-gd': 'sign-gd', 'normalized-gd': 'normalized-gd', 'coordinate-descent': 'coordinate-descent-greedy',
      'mirror-descent': 'mirror-descent-p1.5', 'steepest-descent': 'steepest-descent-linf',
    };
    expect([...optimizerKinds].sort()).toEqual(Object.keys(expectedName).sort());
    for (const kind of optimizerKinds) {
      const config = parseRunConfig({ ...base, optimizer: { kind, learningRate: 0.1, ...extra[kind] } });
      expect(config.optimizer.kind).toBe(kind);
      expect(createUpdateRule(config.optimizer).name, kind).toBe(expectedName[kind]);
    }
    const named = (optimizer: object) => createUpdateRule(parseRunConfig({ ...base, optimizer: { learningRate: 0.1, ...optimizer } }).optimizer).name;
    expect(named({ kind: 'momentum', weightDecay: 0.1 })).toBe('momentum+wd');
    expect(named({ kind: 'adamw', weightDecay: 0.1 })).toBe('adamw');
    expect(named({ kind: 'coordinate-descent', selection: 'random' })).toBe('coordinate-descent-random');
    expect(named({ kind: 'steepest-descent', norm: 1, normalized: true })).toBe('steepest-descent-l1-normalized');
    expect(named({ kind: 'mirror-descent', potential: { kind: 'eg-pm', scale: 0.5 } })).toBe('mirror-descent-eg-pm');
  });

  it('defaults: kind sgd with batches of 64; gd full batch (batchSize is an error); others full batch unless batchSize', () => {
    const sgd = parseRunConfig({ ...base, optimizer: { learningRate: 0.1 } });
    expect(sgd.optimizer.kind).toBe('sgd');
    expect(trainingBatchSize(sgd.optimizer)).toBe(64);
    expect(trainingBatchSize(parseRunConfig({ ...base, optimizer: { kind: 'gd', learningRate: 0.1 } }).optimizer)).toBeNull();
    // gd is full batch by definition: a batch size with it is an error, not silently ignored.
    expect(problems({ kind: 'gd', learningRate: 0.1, batchSize: 8 })).toEqual([
      'optimizer.batchSize: gd is full-batch gradient descent and takes no batchSize; use sgd (or another kind) for minibatches',
    ]);
    expect(problems({ kind: 'gd', learningRate: 0.1, withReplacement: true })[0]).toMatch(/^optimizer\.withReplacement: gd is full-batch/);
    expect(trainingBatchSize(parseRunConfig({ ...base, optimizer: { kind: 'adam', learningRate: 0.1 } }).optimizer)).toBeNull();
    expect(trainingBatchSize(parseRunConfig({ ...base, optimizer: { kind: 'adam', learningRate: 0.1, batchSize: 16 } }).optimizer)).toBe(16);
  });

  it('rejects an unknown optimiser, naming optimizer.kind and the known kinds', () => {
    const p = problems({ kind: 'adagrad', learningRate: 0.1 });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^optimizer\.kind: unknown optimizer \(known: gd, sgd, momentum/);
  });

  it('a section that is not an object is a type error, not an unknown optimizer or potential', () => {
    expect(problems('adam')).toEqual(['optimizer: Invalid input: expected object, received string']);
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1, potential: 'entropy' })).toEqual(['optimizer.potential: Invalid input: expected object, received string']);
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'p-norm', p: 3 } })[0]).toMatch(/^optimizer\.potential\.p: .*<=2/);
  });

  it('rejects a negative or zero learning rate, naming optimizer.learningRate', () => {
    expect(problems({ kind: 'adam', learningRate: -0.01 })[0]).toMatch(/^optimizer\.learningRate: .*>0/);
    expect(problems({ kind: 'gd', learningRate: 0 })[0]).toMatch(/^optimizer\.learningRate/);
  });

  it('rejects parameters of another optimiser and out-of-range ones, naming them', () => {
    expect(problems({ kind: 'gd', learningRate: 0.1, beta1: 0.9 })).toContain('optimizer.beta1: unknown field');
    expect(problems({ kind: 'momentum', learningRate: 0.1, momentum: 1 })[0]).toMatch(/^optimizer\.momentum/);
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'p-norm', p: 3 } })[0]).toMatch(/^optimizer\.potential\.p/);
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'tsallis' } })[0]).toMatch(/^optimizer\.potential\.kind: unknown potential/);
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1 })[0]).toMatch(/^optimizer\.potential/);
    expect(problems({ kind: 'steepest-descent', learningRate: 0.1, norm: 3 })[0]).toMatch(/^optimizer\.norm/);
    expect(problems({ kind: 'gd', learningRate: 0.1, weightDecay: -1 })[0]).toMatch(/^optimizer\.weightDecay/);
  });

  it('rejects the negative-entropy potential on a model whose parameters can be negative', () => {
    const p = problems({ kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'entropy' } });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^optimizer\.potential: the 'entropy' potential .* parameters > 0, but model 'mlp'/);
    // The signed form fits real parameters.
    expect(problems({ kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'eg-pm' } })).toEqual([]);
  });

  it('ibl run stops on such a config before training and creates no run folder', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-optim-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({
      name: 'eg', data: { dataset: 'digits', trainSize: 100 }, model: { hidden: [8] },
      optimizer: { kind: 'mirror-descent', learningRate: 0.1, potential: { kind: 'entropy' } }, training: { steps: 5 },
    }));
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli', 'main.ts'), 'run', 'c.json', '--out', 'out'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('optimizer.potential');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
