/**
 * Run one experiment from a validated config and write its record: the library entry point
 * behind `ibl run`. Resumes an interrupted run in the same folder from its last checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend/setup.ts';
import { parameterCount } from '../models/types.ts';
import { saveCheckpoint, loadCheckpoint } from '../train/checkpoint.ts';
import { trainLoopSteps, type TrainLoopPosition, type TrainLoopResult } from '../train/trainLoop.ts';
import { tryLockRun } from '../train/runLock.ts';
import { sameRun } from './study/identity.ts';
import { derivedSeed } from '../train/batches.ts';
import { RunRecord } from '../train/runRecord.ts';
import { createRng } from '../util/rng.ts';
import { silentProgress, type ProgressReporter } from '../util/progress.ts';
import { saveFigure } from '../report/figure.ts';
import { runFigure } from '../report/runReport.ts';
import type { RunConfig } from './runConfig.ts';
import { toolkitVersion } from '../util/version.ts';
import { describeModel, prepareRun } from './runSetup.ts';

export { buildModel, describeModel } from './runSetup.ts';
import { isLazyModel } from '../models/lazy.ts';
import { checkCollapse, type CollapseCheck } from '../probes/collapse.ts';
import type { ProbeRecord } from '../probes/probeSuite.ts';

export interface RunOptions {
  outDir: string;
  progress?: ProgressReporter;
  /** Start from scratch even if the folder holds a finished or interrupted run. */
  fresh?: boolean;
  /** Aborting it stops training between two steps: checkpoint there, status 'interrupted'. */
  signal?: AbortSignal;
  /** Another live process holds the folder's lock: wait for it (default) or leave at once. */
  whenLocked?: 'wait' | 'leave';
  log?: (line: string) => void;
}

export interface RunSummary {
  name: string;
  status: 'running' | 'completed' | 'diverged' | 'failed' | 'interrupted';
  stepsDone: number;
  stepsRequested: number;
  divergedAtStep?: number;
  divergedLoss?: number;
  error?: string;
  final?: Record<string, unknown>;
  backend: string;
  versions: Record<string, string>;
  seed: number;
  parameters: number;
  trainExamples: number;
  testExamples: number;
  wallTimeSeconds: number;
  resumedFromStep?: number;
  /** Training ended before `stepsRequested` because `training.stopAtTrainAccuracy` or `stopAtTrainLoss` was reached. */
  stoppedEarly?: boolean;
  /** Set when the final network's outputs no longer depend on its input, or its gradient vanished far from zero loss (probes/collapse.ts). */
  collapsed?: boolean;
  collapse?: CollapseCheck;
  /** Cost of sharpness tracking against a training step (when `probes.sharpnessEvery` is set). */
  sharpnessTracking?: { every: number; measurements: number; meanIterations: number; meanSeconds: number; meanStepSeconds: number; costInSteps: number };
}

/** The model a config describes, sized for the data (input shape, number of classes). */
/**
 * The `final` block of a summary: the last full probe record (which always carries the curvature
 * probes). For a diverged run, the last record with a finite training loss before divergence,
 * with the divergence step and loss, and the last tracked λ_max before it.
 */
export function finalBlock(metrics: ProbeRecord[], result: Pick<TrainLoopResult, 'status' | 'divergedAtStep' | 'divergedLoss'>, collapse?: CollapseCheck): Record<string, unknown> {
  const full = metrics.filter((r) => !r.tracking && !r.diverged);
  if (result.status !== 'diverged') {
    const last = full[full.length - 1] ?? {};
    // Only a collapsed run's block differs from its last record (summary.collapsed says it for all).
    return { ...last, ...(collapse?.collapsed ? { collapsed: true } : {}) } as Record<string, unknown>;
  }
  const finite = full.filter((r) => Number.isFinite(r.trainLoss));
  const lastTracked = metrics.filter((r) => !r.diverged && Number.isFinite(r.sharpness)).pop();
  return {
    ...(finite[finite.length - 1] ?? {}),
    divergedAtStep: result.divergedAtStep,
    divergedLoss: result.divergedLoss,
    ...(lastTracked ? { lastSharpness: lastTracked.sharpness, lastSharpnessStep: lastTracked.step } : {}),
  };
}

/**
 * A finished run that a config asks nothing more of: a completed run unless the budget grew (and
 * it did not stop early), and any run that ended for good (diverged, or another terminal status).
 * Running, interrupted and failed runs are continued (failed ones from their last checkpoint).
 */
export function runIsFinished(summary: RunSummary | null, config: RunConfig): boolean {
  if (!summary) return false;
  const status = summary.status as string;
  if (status === 'completed') return summary.stoppedEarly === true || summary.stepsDone >= config.training.steps;
  return status !== 'running' && status !== 'interrupted' && status !== 'failed';
}

/**
 * Runs one experiment in `options.outDir` under the folder's lock (see train/runLock.ts): while
 * another live process holds it, waits (or, with whenLocked 'leave', returns what the folder
 * holds), then continues from whatever that process left.
 */
export async function runExperiment(config: RunConfig, options: RunOptions): Promise<RunSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let announced = false;
  for (;;) {
    const attempt = tryLockRun(options.outDir, log);
    if ('lock' in attempt) {
      try {
        return await runLocked(config, options, log);
      } catch (error) {
        recordFailure(options.outDir, config, error as Error);
        throw error;
      } finally {
        attempt.lock.release();
      }
    }
    const holder = attempt.heldBy ? `pid ${attempt.heldBy.pid} on ${attempt.heldBy.host}` : 'another process';
    if (options.whenLocked === 'leave') {
      const summary = new RunRecord(options.outDir).readSummary() as RunSummary | null;
      throw new Error(`${options.outDir} is being trained by ${holder}${summary ? ` (now at step ${summary.stepsDone})` : ''}; leaving it to that process`);
    }
    if (!announced) log(`${options.outDir}: being trained by ${holder}; waiting for it to finish`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (options.signal?.aborted) {
      const summary = new RunRecord(options.outDir).readSummary() as RunSummary | null;
      if (summary) return summary;
      throw new Error(`${options.outDir}: interrupted while waiting for ${holder}`);
    }
  }
}

/**
 * A run that failed before its training loop (e.g. data that cannot be loaded) is still recorded
 * as failed, so a study's table says why; a folder holding another run is left alone.
 */
function recordFailure(dir: string, config: RunConfig, error: Error): void {
  const record = new RunRecord(dir);
  const previousConfig = record.readConfig() as RunConfig | null;
  if (previousConfig !== null && !sameRun(previousConfig, config)) return;
  const previous = record.readSummary() as Partial<RunSummary> | null;
  if (previous?.status === 'failed') return;
  record.writeSummary({
    name: config.name, stepsRequested: config.training.steps, seed: config.seed, stepsDone: 0, wallTimeSeconds: 0,
    ...(previous ?? {}), status: 'failed', error: error.message,
  });
}

/** Empty a run folder except its lock. */
function clearRunFolder(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir)) {
    if (entry !== 'run.lock') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

async function runLocked(config: RunConfig, options: RunOptions, log: (line: string) => void): Promise<RunSummary> {
  const started = Date.now();
  const backend = await setupBackend(config.backend === 'auto' ? undefined : config.backend);
  const record = new RunRecord(options.outDir);
  const checkpointDir = record.path('checkpoint');

  const previousConfig = options.fresh ? null : record.readConfig() as RunConfig | null;
  const previousSummary = options.fresh ? null : record.readSummary() as RunSummary | null;
  if (previousConfig !== null && !sameRun(previousConfig, config)) {
    throw new Error(`${options.outDir} already holds a run with a different config; choose another --out or pass --fresh to overwrite it`);
  }
  if (previousConfig && runIsFinished(previousSummary, config)) {
    redrawFinishedRun(options.outDir, config);
    return previousSummary!;
  }
  if (options.fresh) clearRunFolder(options.outDir);

  const run = prepareRun(config);
  const { split, model, rule } = run;

  let start: { params: tf.Tensor[]; state: Record<string, tf.Tensor[]>; step: number };
  let resumedFromStep: number | undefined;
  let previousWallTime = 0;
  const resumable = previousConfig !== null && fs.existsSync(path.join(checkpointDir, 'training-state.json'));
  if (resumable) {
    const loaded = loadCheckpoint(checkpointDir);
    start = { params: loaded.params, state: loaded.training!.optimizerState, step: loaded.training!.step };
    resumedFromStep = start.step;
    previousWallTime = previousSummary?.wallTimeSeconds ?? 0;
    record.loadMetrics(start.step);
  } else {
    const params = model.init(createRng(derivedSeed(config.seed, 'init')));
    start = { params, state: rule.initState(params), step: 0 };
    // Kept for later analysis (distance from initialisation, `ibl probe --run`).
    saveCheckpoint(record.path('checkpoint-initial'), model, params, undefined, { loss: config.training.loss });
  }
  record.writeConfig(config);

  const { train } = run;

  const baseSummary = {
    name: config.name,
    stepsRequested: config.training.steps,
    backend: backend.name,
    versions: { toolkit: toolkitVersion(), tfjs: tf.version_core, node: process.version },
    seed: config.seed,
    parameters: parameterCount(model),
    trainExamples: split.train.n,
    testExamples: split.test.n,
    ...(resumedFromStep !== undefined ? { resumedFromStep } : {}),
  };
  const wallTime = () => previousWallTime + (Date.now() - started) / 1000;
  record.writeSummary({ ...baseSummary, status: 'running', stepsDone: start.step, wallTimeSeconds: wallTime() });

  const progress = options.progress ?? silentProgress();
  progress.start(config.training.steps, start.step, config.name);
  let result: TrainLoopResult | undefined;
  let collapse: CollapseCheck | undefined;
  let stoppedAt: TrainLoopPosition | undefined;
  try {
    const loop = trainLoopSteps({
      ...run.loopOptions,
      start,
      onProbe: (r) => record.appendMetric(r),
      onStep: (step, loss) => progress.update(step, { loss }),
      checkpointEvery: config.checkpoint.every,
      onCheckpoint: (step, params, state) => {
        saveCheckpoint(checkpointDir, model, params, { step, optimizerState: state }, { loss: config.training.loss });
        record.writeSummary({ ...baseSummary, status: 'running', stepsDone: step, wallTimeSeconds: wallTime() });
      },
    });
    // Drive the loop step by step, handing the event loop a turn every ~50 ms so that a signal
    // (Ctrl-C, Slurm's SIGTERM) is seen; an abort stops between two steps.
    let position: TrainLoopPosition = { step: start.step, params: start.params, state: start.state };
    let paused = Date.now();
    for (;;) {
      if (options.signal?.aborted) {
        stoppedAt = position;
        loop.return(undefined as unknown as TrainLoopResult);
        break;
      }
      const next = loop.next();
      if (next.done) {
        result = next.value;
        break;
      }
      position = next.value;
      if (Date.now() - paused > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        paused = Date.now();
      }
    }
    if (result?.status === 'completed') collapse = checkCollapse(model, result.params, train, config.training.loss, config.probes.chunkSize);
  } catch (error) {
    progress.stop();
    record.writeSummary({ ...baseSummary, status: 'failed', stepsDone: start.step, error: (error as Error).message, wallTimeSeconds: wallTime() });
    throw error;
  } finally {
    run.dispose();
  }
  progress.stop();

  if (stoppedAt) {
    saveCheckpoint(checkpointDir, model, stoppedAt.params, { step: stoppedAt.step, optimizerState: stoppedAt.state }, { loss: config.training.loss });
    tf.dispose(stoppedAt.params);
    for (const list of Object.values(stoppedAt.state)) tf.dispose(list);
    const summary: RunSummary = { ...baseSummary, status: 'interrupted', stepsDone: stoppedAt.step, wallTimeSeconds: wallTime() };
    record.writeSummary(summary as unknown as Record<string, unknown>);
    log(`${config.name}: interrupted at step ${stoppedAt.step}/${config.training.steps}; checkpoint saved in ${checkpointDir} — rerun the same command to continue`);
    return summary;
  }
  result = result!;
  saveCheckpoint(checkpointDir, model, result.params, { step: result.stepsDone, optimizerState: result.state }, { loss: config.training.loss });
  tf.dispose(result.params);
  if (isLazyModel(model)) model.dispose();
  for (const list of Object.values(result.state)) tf.dispose(list);

  const timings = result.timings;
  const summary: RunSummary = {
    ...baseSummary,
    status: result.status,
    stepsDone: result.stepsDone,
    ...(result.stoppedEarly ? { stoppedEarly: true } : {}),
    ...(result.status === 'diverged' ? { divergedAtStep: result.divergedAtStep, divergedLoss: result.divergedLoss } : {}),
    ...(collapse ? { collapsed: collapse.collapsed, collapse } : {}),
    final: finalBlock(record.metrics, result, collapse),
    ...(config.probes.sharpnessEvery !== undefined && timings.sharpnessMeasurements > 0 && timings.steps > 0 ? {
      sharpnessTracking: {
        every: config.probes.sharpnessEvery,
        measurements: timings.sharpnessMeasurements,
        meanIterations: timings.sharpnessIterations / timings.sharpnessMeasurements,
        meanSeconds: timings.sharpnessSeconds / timings.sharpnessMeasurements,
        meanStepSeconds: timings.stepSeconds / timings.steps,
        costInSteps: (timings.sharpnessSeconds / timings.sharpnessMeasurements) / (timings.stepSeconds / timings.steps),
      },
    } : {}),
    wallTimeSeconds: wallTime(),
  };
  for (const format of config.report.formats) {
    saveFigure(runFigure(record.metrics, `${collapse?.collapsed ? '[COLLAPSED] ' : ''}${config.name} — ${describeModel(config.model)}, ${config.optimizer.kind} η=${config.optimizer.learningRate}, ${config.data.dataset}`, config.training.loss), record.path(`report.${format}`), {
      caption: runFigureCaption(config, summary),
    });
  }
  record.writeSummary(summary as unknown as Record<string, unknown>);
  return summary;
}

/**
 * A finished run whose config differs from `config` only in presentation (`report.formats`):
 * draw the figures it now asks for from metrics.jsonl and record the new presentation — never
 * retrain. Needs no backend (the engine calls it for finished points).
 */
export function redrawFinishedRun(dir: string, config: RunConfig): void {
  const record = new RunRecord(dir);
  const previousConfig = record.readConfig() as RunConfig | null;
  const summary = record.readSummary() as RunSummary | null;
  if (!previousConfig || !summary || JSON.stringify(previousConfig.report) === JSON.stringify(config.report)) return;
  record.loadMetrics(Number.POSITIVE_INFINITY);
  for (const format of config.report.formats) {
    saveFigure(runFigure(record.metrics, `${config.name} — ${describeModel(config.model)}, ${config.optimizer.kind} η=${config.optimizer.learningRate}, ${config.data.dataset}`), record.path(`report.${format}`), {
      caption: runFigureCaption(config, summary),
    });
  }
  record.writeConfig({ ...previousConfig, report: config.report });
}

/** The run figure's line in the folder's README.md index. */
function runFigureCaption(config: RunConfig, summary: RunSummary): string {
  const status = summary.status === 'diverged' ? `diverged at step ${summary.divergedAtStep}` : summary.status;
  return `Training curves of this run (${config.name}: ${describeModel(config.model)}, ${config.optimizer.kind} η = ${config.optimizer.learningRate}, ` +
    `${config.data.dataset}, seed ${config.seed}; ${summary.stepsDone} of ${summary.stepsRequested} steps, ${status}): ` +
    'train/test loss and accuracy, Hutchinson Hessian-trace estimate (±1 s.e.), λ_max against 2/η when probed, normalized margin and ‖θ‖₂ against step.';
}
