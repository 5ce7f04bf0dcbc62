/**
 * The run configuration: experiments are data, validated by a schema before any work starts.
 * Every object is strict, so a misspelt field is an error naming it (e.g. `optimizer.lerningRate:
 * unrecognized key`) rather than a silently ignored setting.
 */
import { z } from 'zod';
import { optimizerSchema } from '../optim/configSchema.ts';
import { optimizerDomainProblems, trainingBatchSize } from '../optim/registry.ts';
import { classificationLossKinds } from '../train/loss.ts';

const positiveInt = z.number().int().positive();

const corruptionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('true-labels') }),
  z.strictObject({ kind: z.literal('partial-labels'), p: z.number().min(0).max(1) }),
  z.strictObject({ kind: z.literal('random-labels') }),
  z.strictObject({ kind: z.literal('shuffled-pixels') }),
  z.strictObject({ kind: z.literal('random-pixels') }),
  z.strictObject({ kind: z.literal('gaussian') }),
]);

export const datasetNames = ['digits', 'fashion-mnist', 'mnist', 'cifar10'] as const;

const dataSchema = z.strictObject({
  dataset: z.enum(datasetNames).default('digits'),
  /** Folder with the dataset files (fashion-mnist: defaults to Debian's; mnist, cifar10: required). */
  dir: z.string().optional(),
  /** Use a class-balanced seeded sample of this many training examples. */
  trainSize: positiveInt.optional(),
  testSize: positiveInt.optional(),
  corruption: corruptionSchema.default({ kind: 'true-labels' }),
  /** Per-channel standardisation with training-set statistics. */
  standardise: z.boolean().default(false),
  /** Seeded random crop (shift up to `crop` pixels) and horizontal flip of the training images. */
  augment: z.strictObject({
    crop: z.number().int().nonnegative().default(0),
    flip: z.boolean().default(false),
    copies: positiveInt.default(1),
  }).optional(),
});

const initFields = {
  init: z.enum(['he', 'lecun', 'glorot']).default('he'),
  /** Init scale α: every weight tensor's initial standard deviation is multiplied by α. */
  initScale: z.number().positive().default(1),
  /**
   * Lazy parameterisation (Chizat, Oyallon & Bach 2019): the model outputs α·(f(θ) − f(θ₀)) and
   * is trained on the loss divided by α². Absent = the plain model.
   */
  lazyScale: z.number().positive().finite().optional(),
};

const normField = z.enum(['none', 'batch', 'layer']).default('none');

/** One schema per architecture (`model.kind`); a config without `kind` means the MLP. */
const modelUnion = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('mlp'),
    /** Hidden-layer widths; input and output sizes come from the data. */
    hidden: z.array(positiveInt).default([64, 64]),
    activation: z.enum(['relu', 'tanh', 'linear']).default('relu'),
    bias: z.boolean().default(false),
    ...initFields,
  }),
  z.strictObject({
    kind: z.literal('cnn'),
    /** Output channels of each conv → ReLU → 2×2 pool block. */
    channels: z.array(positiveInt).min(1).default([16, 32]),
    kernelSize: positiveInt.default(3),
    pool: z.enum(['max', 'avg']).default('max'),
    /** Hidden dense widths after the conv blocks. */
    dense: z.array(positiveInt).default([]),
    ...initFields,
  }),
  z.strictObject({
    kind: z.literal('residual-mlp'),
    width: positiveInt.default(128),
    depth: positiveInt.default(4),
    /** Scale each residual branch by 1/√depth. */
    branchScaling: z.boolean().default(false),
    norm: normField,
    ...initFields,
  }),
  z.strictObject({
    kind: z.literal('resnet-cnn'),
    /** Channels per stage; stages after the first downsample by 2. */
    stages: z.array(positiveInt).min(1).default([16, 32]),
    blocksPerStage: positiveInt.default(1),
    kernelSize: positiveInt.default(3),
    /** Stride of the stem conv; 2 halves every feature map. */
    stemStride: positiveInt.default(1),
    norm: normField,
    ...initFields,
  }),
]);

const modelSchema = z.preprocess(
  (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) && !('kind' in value) ? { ...value, kind: 'mlp' } : value),
  modelUnion,
);

export type ModelConfig = z.infer<typeof modelUnion>;

const traceProbeSchema = z.strictObject({
  samples: z.number().int().min(2).default(10),
  /** Stop early once stderr/|estimate| is below this. */
  relativeStderr: z.number().positive().optional(),
});

const eigProbeSchema = z.strictObject({
  /** Number of top Hessian eigenvalues; the first is the sharpness λ_max. */
  k: positiveInt.default(1),
  method: z.enum(['lanczos', 'power']).default('lanczos'),
  /** Relative residual tolerance (Lanczos) or Rayleigh-quotient change (power). */
  tol: z.number().positive().max(0.1).default(1e-5),
  /** Lanczos steps / power iterations per eigenvalue. */
  maxIterations: positiveInt.default(100),
});

const probesSchema = z.strictObject({
  every: positiveInt.default(200),
  /**
   * Curvature probes (trace, eig) every this many steps — a multiple of `every`; default
   * 10 × every. Each Hessian-vector product costs tens of training steps, so this is what keeps
   * probe overhead small.
   */
  curvatureEvery: positiveInt.optional(),
  /**
   * Test-set loss and accuracy every this many steps — a multiple of `every`; default every
   * probe. The first and last records, and every curvature probe, always have them. Evaluating
   * the test set costs as much as evaluating the training set, so a study that needs only the
   * final test accuracy (Zhang et al.) saves a third of its probe time with a sparse schedule.
   */
  testEvery: positiveInt.optional(),
  /** Hutchinson trace; true for the defaults, false to skip. */
  trace: z.preprocess((v) => (v === true ? {} : v), z.union([traceProbeSchema, z.literal(false)])).default({ samples: 20 }),
  /** Sharpness λ_max (and 2/η) by Lanczos or power iteration; true for the defaults, false to skip. */
  eig: z.preprocess((v) => (v === true ? {} : v), z.union([eigProbeSchema, z.literal(false)])).default(false),
  /** Record ‖∇L‖² over the training set. */
  gradNorm: z.boolean().default(false),
  margin: z.boolean().default(true),
  norms: z.boolean().default(true),
  /**
   * Curvature probes (trace, eig, ‖∇L‖²) use the Hessian of the loss on a fixed seeded subset of
   * this many training examples (as PyHessian does with a fixed batch), or 'all'. The cost of
   * each HVP scales with it. Default: 'all' for full-batch training (GD's stability threshold
   * 2/η is about the Hessian of the loss it descends), 256 otherwise.
   */
  subset: z.union([positiveInt, z.literal('all')]).optional(),
  /**
   * Sharpness tracking: λ_max on the curvature data every this many steps, by Lanczos
   * warm-started from the previous top eigenvector (tolerances from `eig`), recorded with the
   * training loss and ‖∇L‖² (Cohen et al. 2021 measure every few steps).
   */
  sharpnessEvery: positiveInt.optional(),
  /** Examples per data chunk in curvature probes (bounds memory; results do not depend on it). */
  chunkSize: positiveInt.default(1024),
  /** Relative parameter movement ‖θ_t − θ₀‖/‖θ₀‖, overall and per layer. */
  movement: z.boolean().default(false),
  /**
   * Empirical tangent kernel on a fixed seeded subset of `subset` training examples (trace over
   * outputs, or one logit): its relative change from init and its alignment with the labels.
   * Costs subset × outputs per-example backward passes per probe.
   */
  tangentKernel: z.union([z.strictObject({
    subset: positiveInt.default(100),
    outputs: z.union([z.literal('trace'), z.number().int().nonnegative()]).default('trace'),
    chunkSize: positiveInt.default(32),
  }), z.literal(false)]).default(false),
  /** Distance between the network and its linearisation at θ₀ on the training and test sets. */
  linearisation: z.boolean().default(false),
  /**
   * Distance to the kernel predictor: GD in function space with the initial full tangent kernel
   * (same loss, steps and step sizes), on the training set and `testSubset` test examples.
   * Full-batch GD without weight decay only; training examples × classes ≤ 4000.
   */
  kernelPredictor: z.union([z.strictObject({
    testSubset: positiveInt.default(200),
    chunkSize: positiveInt.default(32),
  }), z.literal(false)]).default(false),
}).superRefine((probes, ctx) => {
  if (probes.curvatureEvery !== undefined && probes.curvatureEvery % probes.every !== 0) {
    ctx.addIssue({ code: 'custom', path: ['curvatureEvery'], message: `must be a multiple of probes.every (${probes.every}), got ${probes.curvatureEvery}` });
  }
  if (probes.testEvery !== undefined && probes.testEvery % probes.every !== 0) {
    ctx.addIssue({ code: 'custom', path: ['testEvery'], message: `must be a multiple of probes.every (${probes.every}), got ${probes.testEvery}` });
  }
});

export const runConfigSchema = z.strictObject({
  name: z.string().min(1).default('run'),
  seed: z.number().int().nonnegative().default(0),
  backend: z.enum(['auto', 'tensorflow', 'native', 'wasm', 'cpu']).default('auto'),
  data: dataSchema.default({ dataset: 'digits', corruption: { kind: 'true-labels' }, standardise: false }),
  model: modelSchema.default({ kind: 'mlp', hidden: [64, 64], activation: 'relu', bias: false, init: 'he', initScale: 1 }),
  optimizer: optimizerSchema,
  training: z.strictObject({
    steps: positiveInt,
    /**
     * The training objective: mean softmax cross-entropy, or the squared loss of Cohen et al.
     * 2021, ½·Σ_k (z_k − onehot_k)² averaged over examples. Every loss and curvature probe is of it.
     */
    loss: z.enum(classificationLossKinds).default('cross-entropy'),
    /** A run is diverged once the training loss is non-finite or exceeds this. */
    divergenceLoss: z.number().positive().default(1e4),
    /** Stop at the first probe whose training accuracy is at least this (e.g. 1 = fitted). */
    stopAtTrainAccuracy: z.number().gt(0).max(1).optional(),
    /** Stop at the first probe whose training loss is at most this (compare solutions at equal loss). */
    stopAtTrainLoss: z.number().positive().optional(),
  }),
  probes: probesSchema.default({ every: 200, trace: { samples: 10 }, eig: false, gradNorm: false, margin: true, norms: true, chunkSize: 1024, movement: false, tangentKernel: false, linearisation: false, kernelPredictor: false }),
  checkpoint: z.strictObject({ every: z.number().int().nonnegative().default(0) }).default({ every: 0 }),
  report: z.strictObject({ formats: z.array(z.enum(['png', 'svg', 'pdf'])).min(1).default(['png']) }).default({ formats: ['png'] }),
}).superRefine((config, ctx) => {
  // The optimiser must fit the model's parameter domain (e.g. exponentiated gradient needs θ > 0).
  for (const message of optimizerDomainProblems(config.optimizer, config.model.kind)) {
    ctx.addIssue({ code: 'custom', path: ['optimizer', 'potential'], message: message.replace(/^optimizer\.potential: /, '') });
  }
  lazinessProblems(config).forEach(({ path, message }) => ctx.addIssue({ code: 'custom', path, message }));
}).transform((config) => ({
  ...config,
  // Resolved here so that config.json states which data the Hessian is of.
  probes: { ...config.probes, subset: config.probes.subset ?? (trainingBatchSize(config.optimizer) === null ? 'all' as const : 256) },
}));

/** The lazy model and the kernel probes need per-example outputs (no batch norm); the kernel predictor is full-batch GD's. */
function lazinessProblems(config: { model: { lazyScale?: number } & Record<string, unknown>; optimizer: { kind: string; weightDecay?: number }; probes: { tangentKernel: unknown; linearisation: boolean; kernelPredictor: unknown } }): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const batchNorm = config.model.norm === 'batch';
  if (batchNorm && config.model.lazyScale !== undefined) problems.push({ path: ['model', 'lazyScale'], message: 'not supported with norm "batch" (f(x; θ₀) would depend on the batch)' });
  for (const probe of ['tangentKernel', 'linearisation', 'kernelPredictor'] as const) {
    if (batchNorm && config.probes[probe] !== false) problems.push({ path: ['probes', probe], message: 'not supported with norm "batch" (per-example outputs depend on the batch)' });
  }
  if (config.probes.kernelPredictor !== false) {
    if (config.optimizer.kind !== 'gd') problems.push({ path: ['probes', 'kernelPredictor'], message: `needs optimizer.kind "gd" (the predictor is full-batch GD in function space), got "${config.optimizer.kind}"` });
    if ((config.optimizer.weightDecay ?? 0) !== 0) problems.push({ path: ['probes', 'kernelPredictor'], message: 'needs optimizer.weightDecay 0' });
  }
  return problems;
}

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[], source: string) {
    super(`invalid config${source ? ` (${source})` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface ConfigProblem {
  /** Dotted path of the offending field ('' for the root). */
  path: string;
  message: string;
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: `${at ? `${at}.` : ''}${key}`, message: 'unknown field' }));
  }
  // A union of schemas reports its first branch's problem; for `probes.eig: "yes"` etc. say what is accepted.
  return [{ path: at, message: issue.message }];
}

/** Every problem of a failed zod parse as `field.path: message` lines (unknown keys named one by one). */
export function describeZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.flatMap(describeIssue).map((p) => `${p.path ? `${prefix}${p.path}` : prefix.replace(/\.$/, '') || '(root)'}: ${p.message}`);
}

/** Validate a raw config; throws ConfigError naming every offending field. */
export function parseRunConfig(raw: unknown, source = ''): RunConfig {
  const result = runConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(describeIssue).map((p) => `${p.path || '(root)'}: ${p.message}`), source);
  return result.data;
}

/**
 * Apply `--set` overrides to a config file's contents and validate. A problem in a field that an
 * override set is reported against that override (`--set optimizer.learningrate=0.1: unknown
 * field`), the others against the file, so the user knows which of the two to fix.
 */
export function parseRunConfigWithOverrides(raw: Record<string, unknown>, overrides: string[], file: string): RunConfig {
  const merged = applyOverrides(raw, overrides);
  const result = runConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const sets = overrides.map((assignment) => ({ assignment, path: assignment.slice(0, Math.max(0, assignment.indexOf('='))) }));
  let fromFile = false;
  const problems = result.error.issues.flatMap(describeIssue).map((p) => {
    // The last override wins, as in applyOverrides.
    const set = [...sets].reverse().find((s) => s.path && (p.path === s.path || p.path.startsWith(`${s.path}.`)));
    if (!set) {
      fromFile = true;
      return `${p.path || '(root)'}: ${p.message}`;
    }
    return p.path === set.path ? `--set ${set.assignment}: ${p.message}` : `--set ${set.assignment}: ${p.path}: ${p.message}`;
  });
  throw new ConfigError(problems, fromFile ? file : 'command line');
}

/**
 * Apply `--set a.b.c=value` overrides to a raw config object (before validation). The value is
 * parsed as JSON when it can be (numbers, booleans, arrays), otherwise taken as a string.
 */
export function applyOverrides(raw: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const assignment of overrides) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigError([`--set ${assignment}: expected path=value`], 'command line');
    const keys = assignment.slice(0, eq).split('.');
    const text = assignment.slice(eq + 1);
    let value: unknown;
    try { value = JSON.parse(text); } catch { value = text; }
    let node = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === undefined) node[key] = {};
      if (typeof node[key] !== 'object' || node[key] === null) {
        throw new ConfigError([`--set ${assignment}: '${key}' is not an object`], 'command line');
      }
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return copy;
}
