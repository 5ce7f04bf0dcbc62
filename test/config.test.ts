/** The run-config schema names every offending field and fills documented defaults. */
import { describe, expect, it } from 'vitest';
import { applyOverrides, ConfigError, parseRunConfig, parseRunConfigWithOverrides } from '../src/experiments/runConfig.ts';

const minimal = { optimizer: { learningRate: 0.1 }, training: { steps: 10 } };

function problemsOf(raw: unknown): string[] {
  try {
    parseRunConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('run config schema', () => {
  it('fills defaults for a minimal config', () => {
    const config = parseRunConfig(minimal);
    expect(config.data.dataset).toBe('digits');
    expect(config.model).toMatchObject({ kind: 'mlp', hidden: [64, 64] });
    expect(config.probes.every).toBe(200);
    expect(config.probes.subset).toBe(256);
    expect(config.probes.trace).toEqual({ samples: 10 });
    expect(config.probes.curvatureEvery).toBeUndefined();
  });

  it('names unknown fields at any depth, and every problem at once', () => {
    const problems = problemsOf({ ...minimal, optimiser: {}, probes: { evry: 5, trace: { sample: 3 } } });
    expect(problems).toContain('optimiser: unknown field');
    expect(problems).toContain('probes.evry: unknown field');
    expect(problems).toContain('probes.trace.sample: unknown field');
  });

  it('names out-of-range and mistyped values', () => {
    expect(problemsOf({ ...minimal, optimizer: { learningRate: 0 } }).join('\n')).toMatch(/optimizer\.learningRate/);
    expect(problemsOf({ ...minimal, training: { steps: 2.5 } }).join('\n')).toMatch(/training\.steps/);
    expect(problemsOf({ ...minimal, seed: 'one' }).join('\n')).toMatch(/seed/);
    expect(problemsOf({ ...minimal, data: { dataset: 'imagenet' } }).join('\n')).toMatch(/data\.dataset/);
  });

  it('requires probes.curvatureEvery to be a multiple of probes.every', () => {
    expect(problemsOf({ ...minimal, probes: { every: 100, curvatureEvery: 250 } }).join('\n'))
      .toContain('probes.curvatureEvery: must be a multiple of probes.every (100), got 250');
    expect(problemsOf({ ...minimal, probes: { every: 100, curvatureEvery: 300 } })).toEqual([]);
    expect(problemsOf({ ...minimal, probes: { every: 100, testEvery: 150 } }).join('\n'))
      .toContain('probes.testEvery: must be a multiple of probes.every (100), got 150');
    expect(problemsOf({ ...minimal, probes: { every: 100, testEvery: 0 } }).join('\n')).toContain('probes.testEvery');
    expect(problemsOf({ ...minimal, probes: { every: 100, testEvery: 500 } })).toEqual([]);
  });

  it('--set overrides parse JSON values and create nested objects', () => {
    const raw = applyOverrides(minimal, ['optimizer.learningRate=0.5', 'model.hidden=[8,8]', 'name=abc']);
    const config = parseRunConfig(raw);
    expect(config.optimizer.learningRate).toBe(0.5);
    expect(config.model).toMatchObject({ hidden: [8, 8] });
    expect(config.name).toBe('abc');
    expect(minimal.optimizer.learningRate).toBe(0.1);
  });

  it('probes.eig: true and probes.trace: true mean the default settings', () => {
    const config = parseRunConfig({ ...minimal, probes: { eig: true, trace: true } });
    expect(config.probes.eig).toEqual({ k: 1, method: 'lanczos', tol: 1e-5, maxIterations: 100 });
    expect(config.probes.trace).toEqual({ samples: 10 });
    expect(problemsOf({ ...minimal, probes: { eig: 'yes' } }).join('\n')).toMatch(/^probes\.eig/);
  });

  it('a problem an override caused names the override; one in the file names the field', () => {
    const attempt = (raw: Record<string, unknown>, sets: string[]): ConfigError => {
      try {
        parseRunConfigWithOverrides(raw, sets, 'configs/x.json');
      } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };
    const onlySet = attempt(minimal, ['optimizer.learningrate=0.1', 'training.steps=-3']);
    expect(onlySet.problems).toEqual(['--set optimizer.learningrate=0.1: unknown field', expect.stringMatching(/^--set training\.steps=-3: /)]);
    expect(onlySet.message).toMatch(/\(command line\)/);
    const nested = attempt(minimal, ['probes={"evry":3}']);
    expect(nested.problems).toEqual(['--set probes={"evry":3}: probes.evry: unknown field']);
    const both = attempt({ ...minimal, sed: 1 }, ['model.hidden=[0]']);
    expect(both.problems).toHaveLength(2);
    expect(both.problems).toContain('sed: unknown field');
    expect(both.problems).toContainEqual(expect.stringMatching(/^--set model\.hidden=\[0\]: model\.hidden\.0: /));
    expect(both.message).toMatch(/\(configs\/x\.json\)/);
  });
});
