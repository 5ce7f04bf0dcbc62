/**
 * The Zhang et al. (2017) sweep, a study on the one engine (study/engine.ts): every architecture
 * × corruption (plus the Table 1 variants) is a point — an `ibl run` record folder
 * `<id>-<hash>/`, trained with SGD + momentum until 100% training accuracy or the step budget,
 * then probed once more at the final solution (Hessian trace, batch-norm inference accuracy) by
 * the process that trained it, into `zhang.json` next to the record (the kind's afterRun step).
 * The report reads only those folders, so it is the same under `ibl report DIR`.
 *
 * Resumable: a finished point is skipped and an interrupted one continues from its last
 * checkpoint. A diverged run is recorded as such and a failed one with its message; the sweep
 * goes on either way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CorruptionSpec } from '../../data/corruptions.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { toTensorData, disposeTensorData } from '../../train/tensorData.ts';
import { derivedSeed } from '../../train/batches.ts';
import { hessianTraceHutchinson } from '../../probes/hessianTrace.ts';
import { classificationLoss } from '../../probes/probeSuite.ts';
import { modelForProbes } from '../../probes/inferenceMode.ts';
import { createRng, permutation } from '../../util/rng.ts';
import { writeJsonAtomic } from '../../util/atomicWrite.ts';
import { setupBackend } from '../../backend/setup.ts';
import { parseRunConfig, type RunConfig } from '../runConfig.ts';
import type { RunSummary } from '../runExperiment.ts';
import { loadDataForRun } from '../loadData.ts';
import { runStudy } from '../study/engine.ts';
import type { StudyKind } from '../study/registry.ts';
import type { CollectedPoint, StudyDefinition, StudyPoint } from '../study/types.ts';
import type { SlurmOptions } from '../study/slurmExecutor.ts';
import { writeZhangReport } from './report.ts';
import type { ZhangConfig } from './config.ts';

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
        const probeEvery = Math.max(1, Math.round((arch.probeEveryEpochs ?? config.probeEveryEpochs) * stepsPerEpoch));
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
          probes: { every: probeEvery, testEvery: probeEvery * config.testEveryProbes, trace: false, margin: true, norms: true },
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

/**
 * The final-solution probes that the per-step probes leave out (they are too costly per step):
 * the Hutchinson trace of the training loss's Hessian on a seeded subset. A batch-norm model is
 * probed in inference mode — population statistics of the whole training set, held fixed — as
 * every per-step probe is (probes/inferenceMode.ts): in training mode the subset's own batch
 * statistics would make the "flatness" a property of which 256 examples were drawn.
 */
export function finalProbes(runConfig: RunConfig, dir: string, curvatureConfig: ZhangConfig['curvature']): Pick<ZhangRunResult, 'hessianTrace' | 'hessianTraceStderr' | 'hessianTraceError' | 'testAccuracyInference'> {
  const out: ReturnType<typeof finalProbes> = { hessianTrace: null, hessianTraceStderr: null };
  const split = loadDataForRun(runConfig);
  const loaded = loadCheckpoint(path.join(dir, 'checkpoint'));
  const train = toTensorData(split.train);
  const probed = modelForProbes(loaded.model, loaded.params, train.x);
  const subset = permutation(split.train.n, createRng(derivedSeed(runConfig.seed, 'zhang-curvature'))).slice(0, Math.min(curvatureConfig.subset, split.train.n));
  const curvature = toTensorData(split.train, subset);
  try {
    const trace = hessianTraceHutchinson(classificationLoss(probed.model, curvature), loaded.params, {
      samples: curvatureConfig.samples, rng: createRng(derivedSeed(runConfig.seed, 'zhang-trace')),
    });
    out.hessianTrace = trace.estimate;
    out.hessianTraceStderr = trace.stderr;
  } catch (error) {
    out.hessianTraceError = (error as Error).message.split('\n')[0];
  } finally {
    disposeTensorData(curvature);
  }
  if (probed.normalisation === 'batch-inference') {
    const test = toTensorData(split.test);
    const predictions = tf.tidy(() => tf.argMax(probed.model.apply(loaded.params, test.x), 1).dataSync());
    let correct = 0;
    for (let i = 0; i < test.n; i++) if (predictions[i] === test.labels[i]) correct++;
    out.testAccuracyInference = correct / test.n;
    disposeTensorData(test);
  }
  probed.dispose();
  disposeTensorData(train);
  tf.dispose(loaded.params);
  if (loaded.training) for (const list of Object.values(loaded.training.optimizerState)) tf.dispose(list);
  return out;
}

/** The tags a Zhang point carries: what its report groups by. */
interface ZhangTags { architecture: string; corruption: string; corruptionLabel: string; p: number | null; variant: ZhangVariant }

/** A run's record, from its folder: summary, metrics and the final probes in zhang.json. */
export function resultFromCollected(c: CollectedPoint): ZhangRunResult {
  const tags = c.point.tags as unknown as ZhangTags;
  const base = { id: c.point.label, architecture: tags.architecture, corruption: { id: tags.corruption, p: tags.p }, variant: tags.variant };
  const summary = c.summary;
  if (!summary || summary.status === 'running' || summary.status === 'interrupted') {
    return { ...unfinishedZhangResult(base, 'failed', summary ? `unfinished (${summary.status} at step ${summary.stepsDone})` : 'not run'), stepsDone: summary?.stepsDone ?? 0 };
  }
  const final = (summary.final ?? {}) as Record<string, number | null | undefined>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const fitted = summary.status === 'completed' && num(final.trainAccuracy) === 1;
  const probesFile = path.join(c.dir, 'zhang.json');
  const probes = summary.status !== 'failed' && fs.existsSync(probesFile)
    ? JSON.parse(fs.readFileSync(probesFile, 'utf8')) as Partial<ZhangRunResult>
    : {};
  return {
    id: base.id,
    architecture: base.architecture,
    corruption: tags.corruption,
    p: tags.p,
    variant: tags.variant,
    status: summary.status as ZhangRunResult['status'],
    ...(summary.error ? { reason: summary.error.split('\n')[0] } : {}),
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
    hessianTrace: probes.hessianTrace ?? null,
    hessianTraceStderr: probes.hessianTraceStderr ?? null,
    ...(probes.hessianTraceError ? { hessianTraceError: probes.hessianTraceError } : {}),
    ...(probes.testAccuracyInference !== undefined ? { testAccuracyInference: probes.testAccuracyInference } : {}),
    parameters: summary.parameters ?? null,
    lossCurve: c.metrics.map((m) => ({ step: m.step as number, loss: m.trainLoss as number })),
  };
}

export interface SweepOptions {
  outDir: string;
  log?: (line: string) => void;
  /** Called once per run the executor finishes, in finishing order; `done` counts them. */
  onRunDone?: (result: ZhangRunResult, done: number, total: number) => void;
  /**
   * Local executor: runs trained at once, each in its own child process (TF.js's wasm backend
   * is single-threaded in Node); default min(2, cores), as the CLI. Every run's record depends only on its own config,
   * so results do not depend on `jobs`, on the executor or on scheduling.
   */
  jobs?: number;
  executor?: 'local' | 'slurm';
  slurm?: SlurmOptions;
  wait?: boolean;
  fresh?: boolean;
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

/** The record of a run that did not train (conv net on a backend that cannot train it, or a lost worker). */
export function unfinishedZhangResult(spec: Pick<ZhangRunSpec, 'id' | 'architecture' | 'variant'> & { corruption: Pick<ZhangCorruption, 'id' | 'p'> }, status: 'skipped' | 'failed', reason: string | undefined): ZhangRunResult {
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

/** What `ibl report` needs to rebuild the study from its manifest. */
export interface ZhangSpec { config: ZhangConfig; notes: string[]; skipped: { id: string; architecture: string; variant: ZhangVariant; corruption: string; p: number | null; reason: string }[] }

export function zhangStudy(runs: ZhangRunSpec[], spec: ZhangSpec): StudyDefinition {
  const points: StudyPoint[] = runs.map((r) => ({
    label: r.id,
    tags: { architecture: r.architecture, corruption: r.corruption.id, corruptionLabel: r.corruption.label, p: r.corruption.p, variant: r.variant },
    config: r.config,
  }));
  return {
    kind: 'zhang',
    title: `Zhang et al. 2017: ${spec.config.dataset} (${spec.config.scale})`,
    points,
    spec,
    report: (collected, outDir) => {
      const results = zhangResults(collected, spec);
      const backend = collected.find((c) => c.summary?.backend)?.summary?.backend ?? 'unknown';
      writeZhangReport(results, spec.config, outDir, { backend, notes: spec.notes });
      return [];
    },
  };
}

/** Every run's record in plan order, the skipped ones included. */
export function zhangResults(collected: CollectedPoint[], spec: ZhangSpec): ZhangRunResult[] {
  const skipped = spec.skipped.map((s) => unfinishedZhangResult({ id: s.id, architecture: s.architecture, variant: s.variant, corruption: { id: s.corruption, p: s.p } }, 'skipped', s.reason));
  return [...collected.map(resultFromCollected), ...skipped];
}

export const zhangStudyKind: StudyKind = {
  fromManifest(manifest) {
    const spec = manifest.spec as ZhangSpec;
    const study = zhangStudy([], spec);
    return { ...study, points: manifest.points.map((p) => ({ label: p.label, tags: p.tags, config: p.config })) };
  },
  afterRun: {
    file: 'zhang.json',
    run(point, dir, spec) {
      try {
        return finalProbes(point.config, dir, (spec as ZhangSpec).config.curvature);
      } catch (error) {
        return { hessianTrace: null, hessianTraceStderr: null, hessianTraceError: (error as Error).message.split('\n')[0] };
      }
    },
  },
};

export async function runZhangSweep(config: ZhangConfig, options: SweepOptions): Promise<{ results: ZhangRunResult[]; backend: string; notes: string[]; failed: number; interrupted: boolean }> {
  const backend = await setupBackend(config.backend === 'auto' ? undefined : config.backend);
  const notes: string[] = [];
  const conv = convTrainingSupport(backend.name);
  const runs = planZhangRuns(config, zhangTrainExamples(config));
  const skipped = conv.ok ? [] : runs.filter((r) => r.conv);
  if (skipped.length > 0) notes.push(`conv architectures skipped: ${conv.reason}`);
  const spec: ZhangSpec = {
    config, notes,
    skipped: skipped.map((r) => ({ id: r.id, architecture: r.architecture, variant: r.variant, corruption: r.corruption.id, p: r.corruption.p, reason: conv.reason ?? '' })),
  };
  const study = zhangStudy(runs.filter((r) => !skipped.includes(r)), spec);
  const total = runs.length;
  let done = 0;
  const outcome = await runStudy(study, {
    outDir: options.outDir,
    executor: options.executor ?? 'local',
    jobs: options.jobs ?? Math.min(2, os.availableParallelism()),
    log: options.log ?? (() => {}),
    ...(options.slurm ? { slurm: options.slurm } : {}),
    ...(options.wait !== undefined ? { wait: options.wait } : {}),
    ...(options.fresh ? { fresh: true } : {}),
    onPointDone: options.onRunDone ? (collected) => options.onRunDone!(resultFromCollected(collected), ++done, total) : undefined,
  });
  return { results: zhangResults(outcome.collected, spec), backend: backend.name, notes, failed: outcome.failed, interrupted: outcome.interrupted };
}
