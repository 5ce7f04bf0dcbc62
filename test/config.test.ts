/** The run-config schema names every offending field and fills documented defaults. */
import { describe, expect, it } from 'vitest';
import { applyOverrides, ConfigError, parseRunConfig } from '../src/experiments/runConfig.ts';

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
  });

  it('--set overrides parse JSON values and create nested objects', () => {
    const raw = applyOverrides(minimal, ['optimizer.learningRate=0.5', 'model.hidden=[8,8]', 'name=abc']);
    const config = parseRunConfig(raw);
    expect(config.optimizer.learningRate).toBe(0.5);
    expect(config.model).toMatchObject({ hidden: [8, 8] });
    expect(config.name).toBe('abc');
    expect(minimal.optimizer.learningRate).toBe(0.1);
  });
});
