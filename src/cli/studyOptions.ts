/** Command-line options shared by every command that runs a study on the engine. */
import { ConfigError } from '../experiments/runConfig.ts';
import type { RunStudyOptions, RunStudyResult } from '../experiments/study/engine.ts';
import type { ExecutionConfig } from '../experiments/study/executionConfig.ts';

export const studyOptionsUsage = `  (each of these flags may also be set in the study config's \`execution\` field, under the
   same name in camelCase — e.g. --set execution.executor=slurm; a flag given here wins)
  --executor local|slurm   where the points run (default local)
  --jobs N                 local: points at once, each in its own process (default: the cores)
  --fresh                  delete the study's run folders first and train every point again
  --partition P, --time T, --cpus-per-task N, --mem M, --sbatch-arg ARG (repeatable), --retries N
                           slurm: job array options (a FAILED/NODE_FAIL task is requeued up to
                           --retries times, default 2)
  --wait                   slurm: follow the job array to its end (otherwise print the job id and
                           collect later with ibl report DIR)`;

export const studyParseOptions = {
  executor: { type: 'string' as const },
  jobs: { type: 'string' as const },
  fresh: { type: 'boolean' as const, default: false },
  partition: { type: 'string' as const },
  time: { type: 'string' as const },
  'cpus-per-task': { type: 'string' as const },
  mem: { type: 'string' as const },
  'sbatch-arg': { type: 'string' as const, multiple: true as const, default: [] as string[] },
  retries: { type: 'string' as const },
  wait: { type: 'boolean' as const, default: false },
};

function positiveInt(flag: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ConfigError([`--${flag} ${text}: expected an integer ≥ ${min}`], 'command line');
  return n;
}

/**
 * The engine options from the command line, falling back to the study config's `execution`
 * field (executionConfig.ts) for every flag not given.
 */
export function studyRunOptions(values: Record<string, unknown>, outDir: string, execution: ExecutionConfig = {}): RunStudyOptions {
  const executor = (values.executor as string | undefined) ?? execution.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new ConfigError([`--executor ${executor}: expected local or slurm`], 'command line');
  const sbatchArgs = values['sbatch-arg'] as string[] | undefined;
  return {
    outDir,
    executor,
    jobs: positiveInt('jobs', values.jobs as string | undefined) ?? execution.jobs,
    fresh: values.fresh as boolean,
    wait: (values.wait as boolean) || (execution.wait ?? false),
    slurm: {
      partition: (values.partition as string | undefined) ?? execution.partition,
      time: (values.time as string | undefined) ?? execution.time,
      cpusPerTask: positiveInt('cpus-per-task', values['cpus-per-task'] as string | undefined) ?? execution.cpusPerTask,
      mem: (values.mem as string | undefined) ?? execution.mem,
      sbatchArgs: sbatchArgs && sbatchArgs.length > 0 ? sbatchArgs : execution.sbatchArgs ?? [],
      retries: positiveInt('retries', values.retries as string | undefined, 0) ?? execution.retries,
    },
  };
}

/** One closing line and the exit status: non-zero when any point failed or remains unfinished. */
export function studyExit(name: string, result: RunStudyResult, outDir: string): number {
  const counts = result.collected.reduce<Record<string, number>>((acc, c) => {
    const status = c.summary?.status ?? 'not started';
    return { ...acc, [status]: (acc[status] ?? 0) + 1 };
  }, {});
  const failedVerdicts = result.verdicts.filter((v) => !v.pass).length;
  process.stdout.write(`${name}: ${result.collected.length} points (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})${result.jobId ? `; Slurm job ${result.jobId}` : ''}; record: ${outDir}/\n`);
  if (result.interrupted) return 130;
  if (result.jobId && result.unfinished > 0) return 0; // submitted, not waited for
  return result.failed > 0 || result.unfinished > 0 || failedVerdicts > 0 ? 1 : 0;
}
