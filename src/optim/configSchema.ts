/**
 * The `optimizer` section of a run config: one strict object per optimiser kind, so a parameter
 * that does not belong to the chosen optimiser (e.g. `beta1` on `gd`) is an error naming it.
 *
 * Common fields: learningRate (η > 0), schedule, weightDecay (explicit L2, λ ≥ 0; decoupled for
 * adamw), batchSize and withReplacement. `gd` is full-batch gradient descent by definition, so
 * `batchSize` or `withReplacement` with `gd` is an error (use `sgd`); `sgd` defaults to minibatches
 * of 64; every other kind uses the full batch unless `batchSize` is given (then it is the
 * stochastic version of that rule, e.g. Adam on minibatches).
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const unitInterval = z.number().min(0).lt(1);

const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), warmupSteps: z.number().int().nonnegative().optional() }),
  z.strictObject({ kind: z.literal('step'), every: positiveInt, gamma: z.number().positive(), warmupSteps: z.number().int().nonnegative().optional() }),
  z.strictObject({ kind: z.literal('cosine'), minLearningRate: z.number().nonnegative().optional(), warmupSteps: z.number().int().nonnegative().optional() }),
]);

const common = {
  learningRate: z.number().positive(),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  /** Explicit weight decay λ: the rule sees ∇[L + (λ/2)‖θ‖²] (adamw: decoupled). */
  weightDecay: z.number().nonnegative().default(0),
  /** Minibatch size (see module doc for each kind's default). */
  batchSize: positiveInt.optional(),
  /** Sample minibatches with replacement (i.i.d.) instead of epoch-wise shuffling. */
  withReplacement: z.boolean().default(false),
};

const potentialSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('entropy') }),
  z.strictObject({ kind: z.literal('eg-pm'), scale: z.number().positive().default(1) }),
  z.strictObject({ kind: z.literal('p-norm'), p: z.number().gt(1).max(2) }),
], { error: (issue) => (issue.code === 'invalid_union' ? "unknown potential (known: 'entropy', 'eg-pm', 'p-norm')" : undefined) });

export const optimizerKinds = [
  'gd', 'sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'sign-gd', 'normalized-gd',
  'coordinate-descent', 'mirror-descent', 'steepest-descent',
] as const;

const optimizerUnion = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('gd'),
    ...common,
    batchSize: z.undefined({ error: 'gd is full-batch gradient descent and takes no batchSize; use sgd (or another kind) for minibatches' }).optional(),
    withReplacement: z.undefined({ error: 'gd is full-batch gradient descent and takes no withReplacement; use sgd' }).optional(),
  }),
  z.strictObject({ kind: z.literal('sgd'), ...common, batchSize: positiveInt.default(64) }),
  z.strictObject({ kind: z.literal('momentum'), ...common, momentum: unitInterval.default(0.9) }),
  z.strictObject({ kind: z.literal('nesterov'), ...common, momentum: unitInterval.default(0.9) }),
  z.strictObject({ kind: z.literal('adam'), ...common, beta1: unitInterval.default(0.9), beta2: unitInterval.default(0.999), epsilon: z.number().positive().default(1e-8) }),
  z.strictObject({ kind: z.literal('adamw'), ...common, weightDecay: z.number().nonnegative().default(0.01), beta1: unitInterval.default(0.9), beta2: unitInterval.default(0.999), epsilon: z.number().positive().default(1e-8) }),
  z.strictObject({ kind: z.literal('sign-gd'), ...common }),
  z.strictObject({ kind: z.literal('normalized-gd'), ...common }),
  z.strictObject({ kind: z.literal('coordinate-descent'), ...common, selection: z.enum(['greedy', 'random']).default('greedy') }),
  z.strictObject({ kind: z.literal('mirror-descent'), ...common, potential: potentialSchema }),
  z.strictObject({ kind: z.literal('steepest-descent'), ...common, norm: z.union([z.literal(1), z.literal(2), z.literal('inf')]), normalized: z.boolean().default(false) }),
], { error: (issue) => (issue.code === 'invalid_union' ? `unknown optimizer (known: ${optimizerKinds.join(', ')})` : undefined) });

/** `kind` defaults to 'sgd' (the config format before this section grew). */
export const optimizerSchema = z.preprocess(
  (raw) => (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('kind' in raw) ? { kind: 'sgd', ...raw } : raw),
  optimizerUnion,
);

export type OptimizerConfig = z.infer<typeof optimizerUnion>;
export type OptimizerConfigInput = z.input<typeof optimizerUnion>;
