/**
 * `ibl probe --checkpoint DIR --images FILE --labels FILE [--probes trace,eig,…] [--subset N]
 *  [--samples M] [--seed S] [--json]` — every probe of a saved model on an IDX dataset.
 *
 * Flags carry the names of the config fields they correspond to (`probes.subset`,
 * `probes.trace.samples`, `probes.trace.relativeStderr`, `probes.chunkSize`,
 * `optimizer.learningRate`), so a value means the same thing in a run config and here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend/setup.ts';
import { loadIdxClassification } from '../data/idx.ts';
import { featureSize } from '../data/dataset.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { toTensorData, disposeTensorData } from '../train/tensorData.ts';
import { derivedSeed } from '../train/batches.ts';
import { createRng, permutation } from '../util/rng.ts';
import { isLazyModel } from '../models/lazy.ts';
import { defaultProbes, probeNames, probeReport, type ProbeName, type ProbeReport } from '../probes/probeReport.ts';
import { spectralDensityFigure } from '../probes/eigen.ts';
import { landscapeHeatmap, landscapeLineFigure } from '../probes/landscape.ts';
import { saveFigure } from '../report/figure.ts';
import { saveHeatmap } from '../report/heatmap.ts';
import { markdownTable } from '../report/markdownTable.ts';
import { parseRunConfig } from '../experiments/runConfig.ts';
import { loadDataForRun } from '../experiments/loadData.ts';
import { curvatureSubsetIndices } from '../experiments/curvatureData.ts';
import { classificationLossKinds, describeLoss, type ClassificationLossKind } from '../train/loss.ts';

export const probeUsage = `ibl probe --checkpoint DIR --images FILE --labels FILE [options]
ibl probe --run DIR [options]
  Load an ibl-checkpoint/1 model and an IDX dataset (pixels scaled by 1/255) and print its probes.
  --run DIR            probe a run folder's final checkpoint on the run's own training set,
                       rebuilt from its config.json (subset, corruption, standardisation), with
                       the run's loss, curvature data, probe seed (of its last record), Hutchinson
                       samples, eigen settings, learning rate and initial parameters: reproduces
                       the run's last record
  --probes LIST        comma-separated, from ${probeNames.join(', ')}
                       (default ${defaultProbes.join(',')}; 'all' for every probe)
  --subset N           curvature probes on a seeded subset of N examples (loss, accuracy,
                       margin and norms always use every example); config: probes.subset
  --seed S             seed of the probe vectors (a run's metrics.jsonl records it as probeSeed)
  --samples M          Hutchinson probes (default 20; config: probes.trace.samples; alias
                       --trace-samples); --relative-stderr R stops early at R
  --top-k K            top Hessian eigenvalues (default 1); --eig-method lanczos|power
  --learning-rate ETA  η for 2/η (alias --lr; default: read from the run's config.json if any)
  --epsilon E          box size of the ε-sharpness probe (default 1e-3)
  --init DIR           checkpoint of the initialisation θ₀, for the distance from init and the
                       'lazy' probe (movement from θ₀, tangent-kernel change on the --subset
                       subset, linearisation distance); a lazy-model checkpoint carries its θ₀
  --loss cross-entropy|mse
                       the loss every probe is of (default: the one in the checkpoint's
                       model.json, else cross-entropy)
  --chunk-size C       examples per data chunk (default 1024; results do not depend on it)
  --hvp exact|fd       Hessian-vector products: exact (default) or finite difference
  --classes K          number of classes (default: the model's output size)
  --out DIR            write figures (density.png, landscape-1d.png, landscape-2d.png) here
  --json               print one JSON object instead of a table`;

function positiveInt(name: string, text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return v;
}

/** The flag's name as the user typed it (for messages); both spellings at once is an error. */
function alias(values: Record<string, unknown>, name: string, other: string): string {
  if (values[name] !== undefined && values[other] !== undefined) throw new Error(`--${name} and --${other} are the same option; give one`);
  return values[other] !== undefined ? other : name;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`--${name} must be a positive number, got '${text}'`);
  return v;
}

/** The constant learning rate of the run that wrote this checkpoint, if it is in a run folder. */
function runLearningRate(checkpointDir: string): number | undefined {
  const file = path.join(checkpointDir, '..', 'config.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { optimizer?: { learningRate?: number; schedule?: { kind?: string; warmupSteps?: number } } };
    const schedule = config.optimizer?.schedule;
    if (schedule && (schedule.kind !== 'constant' || schedule.warmupSteps)) return undefined;
    return config.optimizer?.learningRate;
  } catch {
    return undefined;
  }
}

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toPrecision(5);
}

export function reportTable(r: ProbeReport): string {
  const rows: (string | number)[][] = [
    ['examples', `${r.n} (curvature probes on ${r.curvatureExamples})`],
    ['parameters', r.params],
    [`loss (${describeLoss(r.lossFunction)})`, fmt(r.loss)],
    ['accuracy', fmt(r.accuracy)],
  ];
  if (r.hessianTrace) rows.push(['Hessian trace (Hutchinson)', `${fmt(r.hessianTrace.estimate)} ± ${fmt(r.hessianTrace.stderr)} (${r.hessianTrace.samples} probes, ${r.hessianTrace.hvp} HVP)`]);
  if (r.hutchPlusPlus) rows.push(['Hessian trace (Hutch++)', `${fmt(r.hutchPlusPlus.estimate)} ± ${fmt(r.hutchPlusPlus.stderr)} (${r.hutchPlusPlus.matvecs} HVPs)`]);
  if (r.topEigenvalues && r.eigen) rows.push([`top eigenvalues (${r.eigen.method})`, `${r.topEigenvalues.map(fmt).join(', ')} (${r.eigen.iterations} iterations${r.eigen.converged ? '' : ', NOT converged'})`]);
  if (r.sharpness?.stabilityThreshold) rows.push(['λ_max vs 2/η', `${fmt(r.sharpness.lambdaMax)} vs ${fmt(r.sharpness.stabilityThreshold)} (η = ${r.sharpness.learningRate})`]);
  for (const l of r.perLayer ?? []) rows.push([`layer ${l.name} (${l.params} params)`, `tr ${fmt(l.trace)} ± ${fmt(l.traceStderr)}, λ_max ${fmt(l.lambdaMax)}`]);
  if (r.density) rows.push(['spectral density (SLQ)', `${r.density.runs} runs × ${r.density.steps} steps; ∫λ = ${fmt(r.density.moment1)} (tr/p), ∫λ² = ${fmt(r.density.moment2)}`]);
  if (r.gradNorm !== undefined) rows.push(['‖∇L‖ (‖∇L‖²)', `${fmt(r.gradNorm)} (${fmt(r.gradNormSquared)})`]);
  if (r.noise) rows.push(['gradient noise scale B_simple', `${fmt(r.noise.simpleNoiseScale)} (tr Σ = ${fmt(r.noise.traceCovariance)}, ${r.noise.examples} examples)`]);
  if (r.epsilonSharpness) rows.push([`ε-sharpness (ε = ${r.epsilonSharpness.epsilon})`, `${fmt(r.epsilonSharpness.relativeIncrease)} (max loss ${fmt(r.epsilonSharpness.maxLoss)})`]);
  if (r.norms) {
    rows.push(['‖θ‖₂, ‖θ‖₁, ‖θ‖∞', `${fmt(r.norms.l2)}, ${fmt(r.norms.l1)}, ${fmt(r.norms.linf)}`]);
    rows.push(['per-layer Frobenius', r.norms.perLayerFrobenius.map(fmt).join(', ')]);
    rows.push(['per-layer spectral (product)', `${r.norms.perLayerSpectral.map(fmt).join(', ')} (${fmt(r.norms.productSpectral)})`]);
    rows.push(['path norm (ℓ2)', fmt(r.norms.pathNorm)]);
    if (r.norms.distanceFromInit) rows.push(['‖θ − θ₀‖₂ (relative)', `${fmt(r.norms.distanceFromInit.l2)} (${fmt(r.norms.distanceFromInit.relative)})`]);
  }
  if (r.lazy) {
    rows.push(['‖θ − θ₀‖/‖θ₀‖ (per layer)', `${fmt(r.lazy.relativeMovement)} (${r.lazy.perLayerRelativeMovement.map((l) => `${l.name} ${fmt(l.relative)}`).join(', ')})`]);
    rows.push(['tangent kernel ‖K − K₀‖/‖K₀‖', `${fmt(r.lazy.kernelChange)} (trace over outputs, ${r.lazy.kernelExamples} examples, ${r.lazy.kernelBackwardPasses} backward passes)`]);
    rows.push(['kernel–target alignment (θ₀ → θ)', `${fmt(r.lazy.kernelAlignmentInitial)} → ${fmt(r.lazy.kernelAlignment)}`]);
    rows.push(['‖f − f_lin‖ rms (relative to ‖f − f₀‖)', `${fmt(r.lazy.linearisationDistance)} (${fmt(r.lazy.linearisationRelative)})`]);
  }
  if (r.margin) {
    rows.push(['min margin', fmt(r.margin.minUnnormalized)]);
    rows.push(['normalized margin (‖θ‖₂^L; layer product)', r.margin.normalized === null ? `undefined: ${r.margin.undefinedReason}` : `${fmt(r.margin.normalized)}; ${fmt(r.margin.normalizedByLayerProduct)}`]);
    rows.push([`margin quantiles (${r.margin.quantilesOf})`, r.margin.quantiles.map((q) => `${q.q}: ${fmt(q.value)}`).join(', ')]);
  }
  if (r.landscape) rows.push(['loss landscape', `1-D ${r.landscape.oneD.alphas.length} points, 2-D ${r.landscape.twoD.alphas.length}² (min ${fmt(Math.min(...r.landscape.twoD.losses.flat()))}, max ${fmt(Math.max(...r.landscape.twoD.losses.flat()))})`]);
  return markdownTable(['probe', 'value'], rows);
}

export async function probeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      checkpoint: { type: 'string' }, run: { type: 'string' }, images: { type: 'string' }, labels: { type: 'string' },
      probes: { type: 'string' }, subset: { type: 'string' }, samples: { type: 'string' }, seed: { type: 'string' },
      'trace-samples': { type: 'string' }, 'relative-stderr': { type: 'string' }, 'rel-stderr': { type: 'string' },
      'top-k': { type: 'string' }, 'eig-method': { type: 'string' }, 'learning-rate': { type: 'string' }, lr: { type: 'string' },
      epsilon: { type: 'string' }, init: { type: 'string' },
      'chunk-size': { type: 'string' }, loss: { type: 'string' }, hvp: { type: 'string' }, classes: { type: 'string' }, out: { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.run !== undefined && !values.help) return probeRunCommand(values.run, values);
  if (values.help || !values.checkpoint || !values.images || !values.labels) {
    process.stdout.write(`${probeUsage}\n`);
    return values.help ? 0 : 2;
  }
  const requested = values.probes === undefined ? defaultProbes
    : values.probes === 'all' ? [...probeNames]
      : values.probes.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = requested.filter((p) => !(probeNames as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--probes: unknown probe${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${probeNames.join(', ')})`);
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got '${values.seed}'`);
  const eigMethod = values['eig-method'] ?? 'lanczos';
  if (eigMethod !== 'lanczos' && eigMethod !== 'power') throw new Error(`--eig-method must be lanczos or power, got '${eigMethod}'`);
  const hvp = values.hvp ?? 'exact';
  if (hvp !== 'exact' && hvp !== 'fd') throw new Error(`--hvp must be exact or fd, got '${hvp}'`);
  if (values.loss !== undefined && !(classificationLossKinds as readonly string[]).includes(values.loss)) {
    throw new Error(`--loss must be one of ${classificationLossKinds.join(', ')}, got '${values.loss}'`);
  }
  const samples = positiveInt('subset', values.subset);
  const options = {
    traceSamples: positiveInt(alias(values, 'samples', 'trace-samples'), values.samples ?? values['trace-samples']),
    relativeStderr: positiveNumber(alias(values, 'relative-stderr', 'rel-stderr'), values['relative-stderr'] ?? values['rel-stderr']),
    topK: positiveInt('top-k', values['top-k']),
    chunkSize: positiveInt('chunk-size', values['chunk-size']),
    epsilon: positiveNumber('epsilon', values.epsilon),
    learningRate: positiveNumber(alias(values, 'learning-rate', 'lr'), values['learning-rate'] ?? values.lr) ?? runLearningRate(values.checkpoint),
  };

  const backend = await setupBackend();
  const { model, params, training, loss: checkpointLoss } = loadCheckpoint(values.checkpoint);
  const loss = (values.loss as ClassificationLossKind | undefined) ?? checkpointLoss ?? 'cross-entropy';
  if (training) tf.dispose(Object.values(training.optimizerState).flat());
  const init = values.init ? loadCheckpoint(values.init)
    : isLazyModel(model) ? { params: model.initialParams } : null;
  if (init && init.params.some((p, i) => p.shape.join(',') !== params[i].shape.join(','))) {
    throw new Error(`--init ${values.init}: its tensors' shapes differ from the checkpoint's`);
  }
  const classes = positiveInt('classes', values.classes, model.outputSize)!;
  const dataset = loadIdxClassification(values.images, values.labels, { name: path.basename(values.images), numClasses: classes });
  const inputSize = model.paramSpecs[0].shape.length === 2 ? model.paramSpecs[0].shape[0] : undefined;
  if (inputSize !== undefined && featureSize(dataset) !== inputSize) {
    throw new Error(`${values.images}: images have ${featureSize(dataset)} values each (${dataset.featureShape.join('×')}), the model takes ${inputSize}`);
  }
  const data = toTensorData(dataset);
  const curvature = samples !== undefined && samples < dataset.n
    ? toTensorData(dataset, Int32Array.from(permutation(dataset.n, createRng(derivedSeed(seed, 'probe-subset'))).slice(0, samples)).sort())
    : data;
  try {
    const { report, density, landscape1d, landscape2d } = probeReport(model, params, data, curvature, {
      probes: (values.probes === 'all' && !init ? requested.filter((p) => p !== 'lazy') : requested) as ProbeName[], seed, eigMethod, hvp: hvp === 'fd' ? 'finite-difference' : 'exact',
      init: init?.params, loss, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    });
    if (values.out) {
      fs.mkdirSync(values.out, { recursive: true });
      const source = `checkpoint ${values.checkpoint}, data ${path.basename(values.images)}`;
      if (density) saveFigure(spectralDensityFigure(density), path.join(values.out, 'density.png'), {
        caption: `Hessian eigenvalue density by stochastic Lanczos quadrature (symlog x axis) of the loss on ${curvature.n} examples; ${source}.`,
      });
      if (landscape1d) saveFigure(landscapeLineFigure(landscape1d), path.join(values.out, 'landscape-1d.png'), {
        caption: `Training loss along one filter-normalised random direction through the checkpoint's parameters (Li et al. 2018); ${source}.`,
      });
      if (landscape2d) saveHeatmap(landscapeHeatmap(landscape2d), path.join(values.out, 'landscape-2d.png'), {
        caption: `Training loss on the plane of two filter-normalised random directions through the checkpoint's parameters (marked at the origin); ${source}.`,
      });
    }
    const full = { checkpoint: values.checkpoint, architecture: model.architecture, backend: backend.name, ...report };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(full)}\n`);
    } else {
      process.stdout.write(`${values.checkpoint}: ${String(model.architecture.kind)} on ${backend.name}\n\n${reportTable(report)}\n`);
    }
  } finally {
    disposeTensorData(data);
    if (curvature !== data) disposeTensorData(curvature);
    tf.dispose(params);
    if (init && values.init) tf.dispose(init.params);
    if (isLazyModel(model)) model.dispose();
  }
  return 0;
}

/** The run's last full probe record (not a sharpness-tracking or divergence record). */
function lastFullRecord(runDir: string): Record<string, unknown> | null {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return null;
  const records = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  return records.filter((r) => !r.tracking && !r.diverged).pop() ?? null;
}

/** `ibl probe --run DIR`: the run's own training set, loss, curvature data and probe settings. */
async function probeRunCommand(runDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const configFile = path.join(runDir, 'config.json');
  if (!fs.existsSync(configFile)) throw new Error(`--run ${runDir}: no config.json (not a run folder written by ibl run)`);
  const config = parseRunConfig(JSON.parse(fs.readFileSync(configFile, 'utf8')), configFile);
  const str = (name: string) => values[name] as string | undefined;
  const requested = str('probes') === undefined ? defaultProbes : str('probes') === 'all' ? [...probeNames] : str('probes')!.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = requested.filter((p) => !(probeNames as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--probes: unknown probe${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${probeNames.join(', ')})`);
  const last = lastFullRecord(runDir);
  const seed = str('seed') !== undefined ? Number(str('seed')) : typeof last?.probeSeed === 'number' ? last.probeSeed : 0;
  const backend = await setupBackend(config.backend === 'auto' ? undefined : config.backend);
  const { model, params, training } = loadCheckpoint(path.join(runDir, 'checkpoint'));
  if (training) tf.dispose(Object.values(training.optimizerState).flat());
  const initDir = path.join(runDir, 'checkpoint-initial');
  const init = fs.existsSync(initDir) ? loadCheckpoint(initDir) : null;
  const split = loadDataForRun(config);
  const data = toTensorData(split.train);
  const indices = curvatureSubsetIndices(config, split.train.n);
  const curvature = indices ? toTensorData(split.train, indices) : data;
  const eig = config.probes.eig;
  const trace = config.probes.trace;
  try {
    const { report } = probeReport(model, params, data, curvature, {
      probes: requested as ProbeName[], seed, loss: config.training.loss, chunkSize: config.probes.chunkSize,
      traceSamples: positiveInt('trace-samples', str('trace-samples')) ?? (trace ? trace.samples : undefined),
      relativeStderr: positiveNumber('rel-stderr', str('rel-stderr')) ?? (trace ? trace.relativeStderr : undefined),
      topK: positiveInt('top-k', str('top-k')) ?? (eig ? eig.k : undefined),
      eigMethod: eig ? eig.method : 'lanczos', eigTol: eig ? eig.tol : undefined, eigMaxIterations: eig ? eig.maxIterations : undefined,
      learningRate: positiveNumber('lr', str('lr')) ?? runLearningRate(path.join(runDir, 'checkpoint')),
      init: init?.params,
    });
    const full = { run: runDir, step: training?.step ?? null, curvatureData: indices ? 'train-subset' : 'train', architecture: model.architecture, backend: backend.name, ...report };
    if (values.json) process.stdout.write(`${JSON.stringify(full)}\n`);
    else process.stdout.write(`${runDir} (step ${training?.step ?? '?'}): ${String(model.architecture.kind)} on ${backend.name}, Hessian of the ${indices ? `subset of ${curvature.n}` : `whole training set (${data.n})`}\n\n${reportTable(report)}\n`);
  } finally {
    disposeTensorData(data);
    if (curvature !== data) disposeTensorData(curvature);
    tf.dispose(params);
    if (init) tf.dispose(init.params);
  }
  return 0;
}
