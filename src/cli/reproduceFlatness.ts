/** `ibl reproduce flatness-vs-lr [--scale quick|paper] [--set path=value …] [--out DIR] [study options]` */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides, ConfigError, describeZodIssues } from '../experiments/runConfig.ts';
import { flatnessPreset, flatnessScales, type FlatnessConfig, type FlatnessScale } from '../experiments/flatness/config.ts';
import { flatnessStudy } from '../experiments/flatness/study.ts';
import { runStudy } from '../experiments/study/engine.ts';
import { executionSchema } from '../experiments/study/executionConfig.ts';
import { studyExit, studyOptionsUsage, studyParseOptions, studyRunOptions } from './studyOptions.ts';

export const reproduceFlatnessUsage = `ibl reproduce flatness-vs-lr [--scale quick|paper] [--set path=value ...] [--out DIR]
                             [--executor local|slurm] [--jobs N] [--fresh] [slurm options]
  How the learning rate and the batch size change the curvature of the solution found: full-batch
  GD with an MLP and a CNN, squared and cross-entropy losses, on a log grid of η, with λ_max tracked
  by warm-started Lanczos (the edge of stability, Cohen et al. 2021); then SGD over batch sizes at
  fixed η and over η/B pairs (Keskar et al. 2017, Jastrzębski et al. 2020). Writes figures 1–6 (each
  with a CSV), summary.md (runs, verdicts, captions) and results.json to DIR (default
  reports/flatness-vs-lr/<scale>); prints the estimated duration first and one PASS/FAIL line per
  verdict; a rerun continues where it stopped.
  --scale quick   500 digits, 600-step budget: under 10 minutes on 2 cores (default)
  --scale paper   5,000 Fashion-MNIST images, 8 learning rates, 5,000-step budget (hours; resumable)
  --set a.b=value override a field of the preset (see src/experiments/flatness/config.ts)
${studyOptionsUsage}`;

export async function reproduceFlatnessCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'quick' },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      ...studyParseOptions,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 0) {
    process.stdout.write(`${reproduceFlatnessUsage}\n`);
    return values.help ? 0 : 2;
  }
  if (!(flatnessScales as readonly string[]).includes(values.scale)) throw new ConfigError([`--scale ${values.scale}: expected one of ${flatnessScales.join(', ')}`], 'command line');
  const preset = flatnessPreset(values.scale as FlatnessScale) as unknown as Record<string, unknown>;
  const unknownFields = values.set.map((a) => a.split('=')[0]).filter((p) => !(p.split('.')[0] in preset) && p.split('.')[0] !== 'execution');
  if (unknownFields.length > 0) throw new ConfigError(unknownFields.map((f) => `--set ${f}: unknown field (known: ${Object.keys(preset).join(', ')})`), 'command line');
  const config = applyOverrides(preset, values.set) as unknown as FlatnessConfig;
  const outDir = values.out ?? path.join('reports', 'flatness-vs-lr', config.scale);
  const execution = executionSchema.safeParse(config.execution ?? {});
  if (!execution.success) throw new ConfigError(describeZodIssues(execution.error, 'execution.'), 'command line');
  const engine = studyRunOptions(values, outDir, execution.data);
  const jobs = engine.jobs ?? Math.min(2, os.availableParallelism());
  const study = flatnessStudy(config);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`ibl reproduce flatness-vs-lr: ${config.scale}, ${study.points.length} runs → ${outDir}/`);
  const result = await runStudy(study, { ...engine, jobs, log });
  for (const v of result.verdicts) process.stdout.write(`${v.pass ? 'PASS' : 'FAIL'}  ${v.claim} — ${v.detail}\n`);
  return studyExit('flatness-vs-lr', result, outDir);
}
