/** `ibl reproduce zhang [--dataset …] [--scale quick|paper] [--config FILE] [--set path=value …] [--out DIR] [--formats png,svg,pdf] [--jobs N]` */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides, ConfigError, describeZodIssues } from '../experiments/runConfig.ts';
import { zhangConfigSchema, zhangPreset, zhangScales, type ZhangConfig } from '../experiments/zhang/config.ts';
import { describeZhangResult, runZhangSweep } from '../experiments/zhang/sweep.ts';
import { readConfigFile } from './runCommand.ts';
import { studyOptionsUsage, studyParseOptions, studyRunOptions } from './studyOptions.ts';
import { datasetNames } from '../experiments/runConfig.ts';

export const reproduceZhangUsage = `ibl reproduce zhang [--dataset fashion-mnist|mnist|cifar10|digits] [--scale quick|paper]
                   [--dir DATA_DIR] [--config FILE] [--set path=value ...] [--out DIR] [--formats png,svg,pdf]
                   [--executor local|slurm] [--jobs N] [--fresh] [slurm options]
  Zhang et al. (2017), "Understanding deep learning requires rethinking generalization": train
  MLP 1×512, MLP 3×512, a small homogeneous CNN and a residual CNN with SGD + momentum 0.9 on true
  labels, partially and fully random labels, shuffled pixels, random pixels and Gaussian inputs,
  each until 100% training accuracy or a step budget. Every run is an \`ibl run\` record in
  DIR/<run id>-<hash>/ (a rerun skips finished runs and resumes interrupted ones); figures (a)–(d),
  table1.md and results.json go to DIR (default reports/zhang/<dataset>-<scale>).
  --scale quick   1,000 training images, ~10 minutes on 2 cores (default)
  --scale paper   the full training set, learning rate ×0.95 per epoch, checkpoints for resumption
  --config FILE   JSON overriding fields of the preset (see src/experiments/zhang/config.ts)
  --set a.b=value override one field (value parsed as JSON when possible)
  Runs on the study engine (see ibl sweep); results do not depend on the executor or on --jobs
  (default here: 1 at quick scale, see the preset; min(2, available cores) otherwise).
${studyOptionsUsage}`;

export function resolveZhangConfig(values: { dataset?: string; scale?: string; dir?: string; config?: string; set?: string[]; formats?: string }): ZhangConfig {
  const scale = values.scale ?? 'quick';
  if (!(zhangScales as readonly string[]).includes(scale)) throw new ConfigError([`--scale ${scale}: expected one of ${zhangScales.join(', ')}`], 'command line');
  const dataset = values.dataset ?? 'fashion-mnist';
  if (!(datasetNames as readonly string[]).includes(dataset)) throw new ConfigError([`--dataset ${dataset}: expected one of ${datasetNames.join(', ')}`], 'command line');
  let raw = zhangPreset(scale as ZhangConfig['scale'], dataset as ZhangConfig['dataset']) as unknown as Record<string, unknown>;
  if (values.config) raw = { ...raw, ...readConfigFile(values.config) };
  if (values.dir) raw.dir = values.dir;
  if (values.formats) raw.formats = values.formats.split(',').map((f) => f.trim()).filter(Boolean);
  raw = applyOverrides(raw, values.set ?? []);
  const parsed = zhangConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeZodIssues(parsed.error), values.config ?? 'zhang config');
  return parsed.data;
}

export async function reproduceZhangCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      scale: { type: 'string' },
      dir: { type: 'string' },
      config: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      formats: { type: 'string' },
      ...studyParseOptions,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 0) {
    process.stdout.write(`${reproduceZhangUsage}\n`);
    return values.help ? 0 : 2;
  }
  const config = resolveZhangConfig(values);
  const outDir = values.out ?? path.join('reports', 'zhang', `${config.dataset}-${config.scale}`);
  const engine = studyRunOptions(values, outDir, config.execution);
  const jobs = engine.jobs ?? Math.min(2, os.availableParallelism());
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`ibl reproduce zhang: ${config.dataset}, scale ${config.scale} → ${outDir}/`);
  const { results, notes, failed, interrupted } = await runZhangSweep(config, {
    outDir,
    log,
    jobs,
    executor: engine.executor,
    slurm: engine.slurm,
    wait: engine.wait,
    fresh: engine.fresh,
    onRunDone: (result) => log(`  ${describeZhangResult(result)}`),
  });
  for (const note of notes) log(`note: ${note}`);
  const tableFile = path.join(outDir, 'table1.md');
  if (fs.existsSync(tableFile)) process.stdout.write(`${fs.readFileSync(tableFile, 'utf8')}\nwrote ${tableFile}, results.json and the figures in ${outDir}/ in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (interrupted) return 130;
  if (engine.executor === 'slurm' && !engine.wait) return 0; // submitted: collect later with ibl report
  return failed > 0 || results.some((r) => r.status === 'failed') ? 1 : 0;
}
