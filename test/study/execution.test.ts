/** The study config's `execution` field and the command-line flags of the same names. */
import { describe, expect, it } from 'vitest';
import { studyRunOptions } from '../../src/cli/studyOptions.ts';
import { executionSchema } from '../../src/experiments/study/executionConfig.ts';
import { zhangConfigSchema, zhangPreset } from '../../src/experiments/zhang/config.ts';
import { initScaleSpecSchema } from '../../src/experiments/initScale/config.ts';
import { initScalePreset } from '../../src/experiments/initScale/config.ts';

const noFlags = { fresh: false, wait: false, 'sbatch-arg': [] };

describe('study execution config', () => {
  it('fields are used where no flag is given, and a flag wins', () => {
    const execution = executionSchema.parse({ executor: 'slurm', partition: 'gpu', time: '1:00:00', cpusPerTask: 2, mem: '4G', sbatchArgs: ['--qos=low'], retries: 3, wait: true, jobs: 5 });
    const fromConfig = studyRunOptions(noFlags, 'out', execution);
    expect(fromConfig).toMatchObject({ executor: 'slurm', jobs: 5, wait: true, slurm: { partition: 'gpu', time: '1:00:00', cpusPerTask: 2, mem: '4G', sbatchArgs: ['--qos=low'], retries: 3 } });
    const flags = studyRunOptions({ ...noFlags, executor: 'local', jobs: '2', partition: 'cpu', 'sbatch-arg': ['--x'], retries: '0' }, 'out', execution);
    expect(flags).toMatchObject({ executor: 'local', jobs: 2, slurm: { partition: 'cpu', sbatchArgs: ['--x'], retries: 0, time: '1:00:00' } });
    expect(studyRunOptions(noFlags, 'out')).toMatchObject({ executor: 'local', wait: false, slurm: { sbatchArgs: [] } });
  });

  it('is a validated field of the zhang and init-scale configs', () => {
    const zhang = { ...zhangPreset('quick', 'digits'), execution: { executor: 'slurm', partition: 'p' } };
    expect(zhangConfigSchema.parse(zhang).execution).toEqual({ executor: 'slurm', partition: 'p' });
    const bad = zhangConfigSchema.safeParse({ ...zhang, execution: { executor: 'kubernetes', partion: 'p' } });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.code}`);
    expect(messages).toContain('execution.executor: invalid_value');
    expect(messages).toContain('execution: unrecognized_keys');
    expect(initScaleSpecSchema.parse({ ...initScalePreset('quick'), execution: { jobs: 3 } }).execution).toEqual({ jobs: 3 });
  });
});
