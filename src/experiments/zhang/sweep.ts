/**
 * The Zhang et al. (2017) sweep: every architecture × corruption (plus the Table 1 variants) as
 * an `ibl run` record folder, trained with SGD + momentum until 100% training accuracy or the
 * step budget, then probed once more at the final solution (Hessian trace, batch-norm inference
 * accuracy) into `zhang.json` next to the record.
 *
 * Resumable: `runExperiment` skips a finished folder and continues an interrupted one from its
 * last checkpoint; the final probe is skipped when `zhang.json` exists. A diverged run is
 * recorded as such and a failed one (an exception) is recorded with its message; the sweep goes
 * on either way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CorruptionSpec } from '../../data/corruptions.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { toTensorData, disposeTensorData } from '../../train/tensorData.ts';
import { derivedSeed } from '../../train/batches.ts';
import { hessianTraceHutchinson } from '../../probes/hessianTrace.ts';
import { classificationLoss } from '../../probes/probeSuite.ts';
import { hasBatchNormInference, disposeBatchNormStatistics } from '../../models/batchNormState.ts';
import { createRng, permutation } from '../../util/rng.ts';
import { writeJsonAtomic } from '../../util/atomicWrite.ts';
import { setupBackend } from '../../backend/setup.ts';
import { parseRunConfig, type RunConfig } from '../runConfig.ts';
import { runExperiment, type RunSummary } from '../runExperiment.ts';
import { loadDataForRun } from '../loadData.ts';
import type { ZhangConfig } from './config.ts';
import { runInWorkers } from './workers.ts';

export interface ZhangCorruption {
  id: string;
  label: string;
  spec: CorruptionSpec;
  /** Label-corruption level for figures (b)–(d); null for the input corruptions. */
  p: number | null;
}

export function zhangCorruptions(config: Pick<ZhangConfig, 'labelLevels' | 'inputCorruptions'>): ZhangCorruption[] {
  const list: ZhangCorruption[] = [{ id: 'true-labels', label: 'true labels', spec: { kind: 'true-labels' }, p: 0 }];
  for (const p of [...config.labelLevels].sort((a, b) => a - b)) {
    list.push({ id: `partial-${p}`, label: `partial labels p=${p}`, spec: { kind: 'partial-labels', p }, p });
  }
  list.push({ id: 'random-labels', label: 'random labels', spec: { kind: 'random-labels' }, p: 1 });
  if (config.inputCorruptions) {
    list.push({ id: 'shuffled-pixels', label: 'shuffled pixels', spec: { kind: 'shuffled-pixels' }, p: null });
    list.push({ id: 'random-pixels', label: 'random pixels', spec: { kind: 'random-pixels' }, p: null });
    list.push({ id: 'gaussian', label: 'Gaussian', spec: { kind: 'gaussian' }, p: null });
  }
  return list;
}

export type ZhangVariant = 'plain' | 'weight-decay' | 'augment' | 'weight-decay+augment';

export interface ZhangRunSpec {
  id: string;
  architecture: string;
  corruption: ZhangCorruption;
  variant: ZhangVariant;
  config: RunConfig;
  /** Conv models cannot train on wasm without the Conv2DBackpropFilter kernel. */
  conv: boolean;
}

const convKinds = new Set(['cnn', 'resnet-cnn']);

/** Every run of the sweep, as validated run configs (steps per epoch needs the training-set size). */
export function planZhangRuns(config: ZhangConfig, trainExamples: number): ZhangRunSpec[] {
  const runs: ZhangRunSpec[] = [];
  const variants: ZhangVariant[] = config.table.enabled ? ['plain', 'weight-decay', 'augment', 'weight-decay+augment'] : ['plain'];
  for (const arch of config.architectures) {
    for (const corruption of zhangCorruptions(config)) {
      for (const variant of variants) {
        if (variant !== 'plain' && corruption.id !== 'true-labels') continue;
        const augment = variant.includes('augment');
        const n = augment ? trainExamples * config.table.augment.copies : trainExamples;
        const stepsPerEpoch = Math.ceil(n / config.optimizer.batchSize);
        const probeEvery = Math.max(1, Math.round(config.probeEveryEpochs * stepsPerEpoch));
        const id = `${arch.id}__${corruption.id}${variant === 'plain' ? '' : `__${variant}`}`;
        const runConfig = parseRunConfig({
          name: id,
          seed: config.seed,
          backend: config.backend,
          data: {
            dataset: config.dataset,
            ...(config.dir ? { dir: config.dir } : {}),
            ...(config.trainSize ? { trainSize: config.trainSize } : {}),
            ...(config.testSize ? { testSize: config.testSize } : {}),
            corruption: corruption.spec,
            standardise: config.standardise,
            ...(augment ? { augment: config.table.augment } : {}),
          },
          model: arch.model,
          optimizer: {
            kind: 'momentum',
            learningRate: arch.learningRate ?? config.optimizer.learningRate,
            momentum: config.optimizer.momentum,
            batchSize: config.optimizer.batchSize,
            ...(variant.startsWith('weight-decay') ? { weightDecay: config.table.weightDecay } : {}),
            schedule: config.optimizer.epochDecay < 1 ? { kind: 'step', every: stepsPerEpoch, gamma: config.optimizer.epochDecay } : { kind: 'constant' },
          },
          training: { steps: arch.stepBudget ?? config.stepBudget, stopAtTrainAccuracy: 1, divergenceLoss: 1e4 },
          probes: { every: probeEvery, trace: false, margin: true, norms: true },
          checkpoint: { every: config.checkpointEveryProbes * probeEvery },
          report: { formats: config.formats },
        }, `zhang run ${id}`);
        runs.push({ id, architecture: arch.id, corruption, variant, config: runConfig, conv: convKinds.has(String(arch.model.kind)) });
      }
    }
  }
  return runs;
}

/** What the reproduction records about one run (zhang.json, and one entry of results.json). */
export interface ZhangRunResult {
  id: string;
  architecture: string;
  corruption: string;
  p: number | null;
  variant: ZhangVariant;
  status: RunSummary['status'] | 'skipped';
  reason?: string;
  fitted: boolean;
  /** Steps to reach 100% training accuracy (the probe at which it was first seen), or null. */
  stepsToFit: number | null;
  /** Wall-clock seconds of training (including probes) when fitted. */
  secondsToFit: number | null;
  /** Wall-clock seconds of training, fitted or not (summed over resumptions). */
  wallTimeSeconds?: number;
  stepsDone: number;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** Batch-norm models: test accuracy with population statistics (inference mode). */
  testAccuracyInference?: number | null;
  trainLoss: number | null;
  paramNormL2: number | null;
  normalizedMargin: number | null;
  hessianTrace: number | null;
  hessianTraceStderr: number | null;
  hessianTraceError?: string;
  parameters: number | null;
  /** Training loss against step (figure a). */
  lossCurve: { step: number; loss: number }[];
}

function readMetrics(dir: string): { step: number; trainLoss: number }[] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The final-solution probes that the per-step probes leave out (they are too costly per step). */
function finalProbes(spec: ZhangRunSpec, dir: string, config: ZhangConfig): Pick<ZhangRunResult, 'hessianTrace' | 'hessianTraceStderr' | 'hessianTraceError' | 'testAccuracyInference'> {
  const out: ReturnType<typeof finalProbes> = { hessianTrace: null, hessianTraceStderr: null };
  const split = loadDataForRun(spec.config);
  const loaded = loadCheckpoint(path.join(dir, 'checkpoint'));
  const model = loaded.model;
  const subset = permutation(split.train.n, createRng(derivedSeed(spec.config.seed, 'zhang-curvature'))).slice(0, Math.min(config.curvature.subset, split.train.n));
  const curvature = toTensorData(split.train, subset);
  try {
    const trace = hessianTraceHutchinson(classificationLoss(model, curvature), loaded.params, {
      samples: config.curvature.samples, rng: createRng(derivedSeed(spec.config.seed, 'zhang-trace')),
    });
    out.hessianTrace = trace.estimate;
    out.hessianTraceStderr = trace.stderr;
  } catch (error) {
    out.hessianTraceError = (error as Error).message.split('\n')[0];
  } finally {
    disposeTensorData(curvature);
  }
  if (hasBatchNormInference(model)) {
    const train = toTensorData(split.train);
    const test = toTensorData(split.test);
    const stats = model.estimateBatchNormStatistics(loaded.params, train.x);
    const predictions = tf.tidy(() => tf.argMax(model.applyInference(loaded.params, stats, test.x), 1).dataSync());
    let correct = 0;
    for (let i = 0; i < test.n; i++) if (predictions[i] === test.labels[i]) correct++;
    out.testAccuracyInference = correct / test.n;
    disposeBatchNormStatistics(stats);
    disposeTensorData(train);
    disposeTensorData(test);
  }
  tf.dispose(loaded.params);
  if (loaded.training) for (const list of Object.values(loaded.training.optimizerState)) tf.dispose(list);
  return out;
}

function resultFrom(spec: ZhangRunSpec, summary: RunSummary, dir: string): ZhangRunResult {
  const metrics = readMetrics(dir);
  const final = (summary.final ?? {}) as Record<string, number | null | undefined>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const fitted = summary.status === 'completed' && num(final.trainAccuracy) === 1;
  return {
    id: spec.id,
    architecture: spec.architecture,
    corruption: spec.corruption.id,
    p: spec.corruption.p,
    variant: spec.variant,
    status: summary.status,
    ...(summary.error ? { reason: summary.error } : {}),
    ...(summary.status === 'diverged' ? { reason: `diverged at step ${summary.divergedAtStep} (loss ${summary.divergedLoss})` } : {}),
    fitted,
    stepsToFit: fitted ? summary.stepsDone : null,
    secondsToFit: fitted ? summary.wallTimeSeconds : null,
    wallTimeSeconds: summary.wallTimeSeconds,
    stepsDone: summary.stepsDone,
    trainAccuracy: num(final.trainAccuracy),
    testAccuracy: num(final.testAccuracy),
    trainLoss: num(final.trainLoss),
    paramNormL2: num(final.paramNormL2),
    normalizedMargin: num(final.normalizedMargin),
    hessianTrace: null,
    hessianTraceStderr: null,
    parameters: summary.parameters ?? null,
    lossCurve: metrics.map((m) => ({ step: m.step, loss: m.trainLoss })),
  };
}

export interface SweepOptions {
  outDir: string;
  log?: (line: string) => void;
  /** Called before each run starts (for progress; in worker mode when the run is handed out). */
  onRunStart?: (spec: ZhangRunSpec, index: number, total: number) => void;
  /** Called once per finished (or skipped) run, in finishing order; `done` counts finished runs. */
  onRunDone?: (result: ZhangRunResult, done: number, total: number) => void;
  /**
   * Independent runs trained at once, each in its own child process (TF.js's wasm backend is
   * single-threaded in Node). 1 (the default) trains in this process. Every run's record depends
   * only on its own config, so results do not depend on `jobs` or on scheduling.
   */
  jobs?: number;
  /** Backend set-up result decides whether conv models can train (wasm needs Conv2DBackpropFilter). */
  canTrainConv?: () => { ok: boolean; reason?: string };
}

/** One progress line for a finished run. */
export function describeZhangResult(result: ZhangRunResult): string {
  if (result.status === 'skipped') return `${result.id}: skipped (${result.reason})`;
  if (result.status === 'failed') return `${result.id}: failed — ${result.reason}`;
  const fit = result.fitted
    ? `fitted in ${result.stepsToFit} steps (${result.secondsToFit?.toFixed(1)} s)`
    : `not fitted after ${result.stepsDone} steps (train acc ${result.trainAccuracy})`;
  return `${result.id}: ${result.status}${result.status === 'diverged' ? ` (${result.reason})` : ''}, ${fit}, test acc ${result.testAccuracy}`;
}

/** Whether conv nets can be trained on the active backend. */
export function convTrainingSupport(backend: string): { ok: boolean; reason?: string } {
  if (backend === 'wasm' && tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    return {
      ok: false,
      reason: "the wasm backend of TF.js 4.22 has no 'Conv2DBackpropFilter' kernel, so conv nets cannot train on it " +
        '(the replacement kernel is in the kernels branch; IBL_BACKEND=cpu trains them, very slowly)',
    };
  }
  return { ok: true };
}

/**
 * Trains (or resumes, or reads back) one run of the sweep and returns its record; never throws
 * for a failure of the run itself (it is recorded as 'failed').
 */
export async function executeZhangRun(spec: ZhangRunSpec, config: ZhangConfig, outDir: string, backendName: string, log: (line: string) => void = () => {}): Promise<ZhangRunResult> {
  const dir = path.join(outDir, 'runs', spec.id);
  const resultFile = path.join(dir, 'zhang.json');
  let summary: RunSummary;
  try {
    summary = await runExperiment(spec.config, { outDir: dir });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    log(`  ${spec.id}: failed — ${message}`);
    const recorded = fs.existsSync(path.join(dir, 'summary.json')) ? JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary : null;
    summary = { ...(recorded ?? { name: spec.id, stepsDone: 0, stepsRequested: spec.config.training.steps, backend: backendName, versions: {}, seed: spec.config.seed, parameters: 0, trainExamples: 0, testExamples: 0, wallTimeSeconds: 0 }), status: 'failed', error: message };
  }
  if (summary.status !== 'failed' && fs.existsSync(resultFile)) {
    return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ZhangRunResult;
  }
  const result = resultFrom(spec, summary, dir);
  if (summary.status !== 'failed') {
    try {
      Object.assign(result, finalProbes(spec, dir, config));
    } catch (error) {
      result.hessianTraceError = (error as Error).message.split('\n')[0];
    }
    writeJsonAtomic(resultFile, result);
  }
  return result;
}

/** The record of a run that did not train (conv net on a backend that cannot train it, or a lost worker). */
export function unfinishedZhangResult(spec: ZhangRunSpec, status: 'skipped' | 'failed', reason: string | undefined): ZhangRunResult {
  return {
    id: spec.id, architecture: spec.architecture, corruption: spec.corruption.id, p: spec.corruption.p, variant: spec.variant,
    status, reason, fitted: false, stepsToFit: null, secondsToFit: null, stepsDone: 0,
    trainAccuracy: null, testAccuracy: null, trainLoss: null, paramNormL2: null, normalizedMargin: null,
    hessianTrace: null, hessianTraceStderr: null, parameters: null, lossCurve: [],
  };
}

/** The training-set size the config's data section yields (before augmentation), for planning. */
export function zhangTrainExamples(config: ZhangConfig): number {
  const probeConfig = parseRunConfig({
    optimizer: { learningRate: 1 }, training: { steps: 1 },
    data: { dataset: config.dataset, ...(config.dir ? { dir: config.dir } : {}), ...(config.trainSize ? { trainSize: config.trainSize } : {}), ...(config.testSize ? { testSize: config.testSize } : {}) },
  });
  return loadDataForRun(probeConfig).train.n;
}

export async function runZhangSweep(config: ZhangConfig, options: SweepOptions): Promise<{ results: ZhangRunResult[]; backend: string; notes: string[] }> {
  const log = options.log ?? (() => {});
  const backend = await setupBackend(config.backend === 'auto' ? undefined : config.backend);
  const notes: string[] = [];
  const conv = convTrainingSupport(backend.name);
  const trainExamples = zhangTrainExamples(config);
  const runs = planZhangRuns(config, trainExamples);
  if (!conv.ok && runs.some((r) => r.conv)) notes.push(`conv architectures skipped: ${conv.reason}`);
  const results: (ZhangRunResult | undefined)[] = new Array(runs.length);
  let done = 0;
  const finish = (index: number, result: ZhangRunResult) => {
    results[index] = result;
    options.onRunDone?.(result, ++done, runs.length);
  };
  const toTrain: number[] = [];
  for (const [index, spec] of runs.entries()) {
    if (spec.conv && !conv.ok) finish(index, unfinishedZhangResult(spec, 'skipped', conv.reason));
    else toTrain.push(index);
  }
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, toTrain.length));
  if (jobs === 1) {
    for (const index of toTrain) {
      options.onRunStart?.(runs[index], index, runs.length);
      finish(index, await executeZhangRun(runs[index], config, options.outDir, backend.name, log));
    }
  } else {
    await runInWorkers(runs, toTrain, jobs, { config, outDir: options.outDir, trainExamples }, {
      log,
      onStart: (index) => options.onRunStart?.(runs[index], index, runs.length),
      onResult: finish,
    });
  }
  return { results: results as ZhangRunResult[], backend: backend.name, notes };
}
