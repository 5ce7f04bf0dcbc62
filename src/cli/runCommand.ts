/** `ibl run CONFIG.json [--set path=value ...] [--out DIR] [--fresh]` */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyOverrides, ConfigError, parseRunConfig } from '../experiments/runConfig.ts';
import { runExperiment } from '../experiments/runExperiment.ts';
import { defaultProgress } from '../util/progress.ts';
import { runStudyPoint } from '../experiments/study/runPoint.ts';

export const runUsage = `ibl run CONFIG.json [--set path=value ...] [--out DIR] [--fresh]
  Train one model with probes and write reports/<name>/ (config.json, metrics.jsonl,
  summary.json, checkpoint/, report.png). Rerunning resumes an interrupted run.
  --set a.b=value   override a config field (value parsed as JSON when possible)
  --out DIR         output folder (default reports/<config name>)
  --fresh           discard whatever the output folder holds and start again
  --study DIR       the run is a point of the study in DIR (as the engine's executors start it):
                    after training, also do the study's per-point final step (e.g. zhang.json)
  Ctrl-C (SIGINT) or SIGTERM stops between two steps, saves a checkpoint there and marks the
  record 'interrupted' (exit status 130); rerunning continues from that step. Only one process
  trains a folder at a time (run.lock); a second one waits for it.`;

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM; a second signal exits at once (the last
 * checkpoint still allows resumption). `dispose` removes the handlers.
 */
export function interruptSignal(onFirst?: (signal: string) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(name);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export function readConfigFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new ConfigError([`${file}: file not found`], file);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`${file}: not valid JSON (${(error as Error).message})`], file);
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      study: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`${runUsage}\n`);
    return values.help ? 0 : 2;
  }
  const file = positionals[0];
  // Validate everything before any work or any folder is created.
  const config = parseRunConfig(applyOverrides(readConfigFile(file), values.set ?? []), file);
  const outDir = values.out ?? path.join('reports', config.name);
  const interrupt = interruptSignal((name) => process.stderr.write(`\n${name}: stopping after the current step and saving a checkpoint…\n`));
  let summary;
  try {
    summary = values.study
      ? await runStudyPoint(values.study, config, outDir, { signal: interrupt.signal, fresh: values.fresh, progress: defaultProgress() })
      : await runExperiment(config, { outDir, progress: defaultProgress(), fresh: values.fresh, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
  }
  const final = summary.final as Record<string, number | null> | undefined;
  const lines = [
    `${summary.name}: ${summary.status}${summary.divergedAtStep !== undefined ? ` at step ${summary.divergedAtStep} (loss ${summary.divergedLoss})` : ''} after ${summary.stepsDone} steps on ${summary.backend} in ${summary.wallTimeSeconds.toFixed(1)} s`,
  ];
  if (final) {
    const show = (k: string) => (final[k] === undefined || final[k] === null ? 'n/a' : Number(final[k]).toPrecision(4));
    lines.push(`  train loss ${show('trainLoss')}, train acc ${show('trainAccuracy')}, test acc ${show('testAccuracy')}`);
    lines.push(`  Hessian trace ${show('hessianTrace')} ± ${show('hessianTraceStderr')}, normalized margin ${show('normalizedMargin')}, ‖θ‖₂ ${show('paramNormL2')}`);
  }
  lines.push(`  record: ${outDir}/`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (summary.status === 'interrupted') return 130;
  return summary.status === 'failed' ? 1 : 0;
}
