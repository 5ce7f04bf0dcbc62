/** `ibl reproduce init-scale [--scale quick|paper] [--config FILE] [--set path=value …] [--out DIR] [engine options]` */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides, ConfigError, describeZodIssues } from '../experiments/runConfig.ts';
import { initScalePreset, initScaleScales, initScaleSpecSchema, type InitScaleScale, type InitScaleSpec } from '../experiments/initScale/config.ts';
import { initScaleStudy } from '../experiments/initScale/study.ts';
import { runStudy } from '../experiments/study/engine.ts';
import { readConfigFile } from './runCommand.ts';
import { studyExit, studyOptionsUsage, studyParseOptions, studyRunOptions } from './studyOptions.ts';

export const reproduceInitScaleUsage = `ibl reproduce init-scale [--scale quick|paper] [--config FILE] [--set path=value ...] [--out DIR]
                   [--executor local|slurm] [--jobs N] [--fresh] [slurm options]
  Lazy (kernel) versus rich (feature-learning) training against the scale α (Chizat, Oyallon &
  Bach 2019): an MLP on digits trained by full-batch GD for α on a log grid, as the centred lazy
  model α·(f(θ) − f(θ₀)) with loss/α² and with a plain init scale α; relative weight movement,
  tangent-kernel change, distance to the kernel predictor (GD with the initial tangent kernel)
  and to the linearisation, test error; plus the diagonal linear network's α sweep (ℓ1 norm of
  the solution). Figures, summary.md (table, verdicts) and results.json go to DIR (default
  reports/init-scale/<scale>); exit status 1 when a verdict fails.
  --scale quick   α = 0.1 … 1000, 50 training digits, ~5 minutes on 2 cores (default)
  --scale paper   α = 0.01 … 1000 every half decade, 100 digits, width 512, and a CNN
  --config FILE   JSON overriding fields of the preset (src/experiments/initScale/config.ts)
  --set a.b=value override one field (value parsed as JSON when possible)
${studyOptionsUsage}`;

export function resolveInitScaleSpec(values: { scale?: string; config?: string; set?: string[] }): InitScaleSpec {
  const scale = values.scale ?? 'quick';
  if (!(initScaleScales as readonly string[]).includes(scale)) throw new ConfigError([`--scale ${scale}: expected one of ${initScaleScales.join(', ')}`], 'command line');
  let raw = initScalePreset(scale as InitScaleScale) as unknown as Record<string, unknown>;
  if (values.config) raw = { ...raw, ...readConfigFile(values.config) };
  raw = applyOverrides(raw, values.set ?? []);
  const parsed = initScaleSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(describeZodIssues(parsed.error), values.config ?? 'init-scale config');
  }
  return parsed.data;
}

export async function reproduceInitScaleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      config: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      ...studyParseOptions,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 0) {
    process.stdout.write(`${reproduceInitScaleUsage}\n`);
    return values.help ? 0 : 2;
  }
  const spec = resolveInitScaleSpec(values);
  const outDir = values.out ?? path.join('reports', 'init-scale', spec.scale);
  const engine = studyRunOptions(values, outDir, spec.execution);
  const started = Date.now();
  const result = await runStudy(initScaleStudy(spec), { ...engine, jobs: engine.jobs ?? Math.min(2, os.availableParallelism()) });
  for (const v of result.verdicts) process.stdout.write(`${v.pass ? 'PASS' : 'FAIL'}  ${v.claim} — ${v.detail}\n`);
  process.stdout.write(`wrote summary.md, results.json and the figures in ${outDir}/ in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return studyExit('ibl reproduce init-scale', result, outDir);
}
