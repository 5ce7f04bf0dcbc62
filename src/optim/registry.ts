/** Map a config's optimizer section to its update rule, batch size and parameter-domain checks. */
import type { UpdateRule } from './types.ts';
import { gradientDescent } from './gradientDescent.ts';
import { momentumDescent } from './momentum.ts';
import { adam } from './adam.ts';
import { normalizedGradientDescent, signDescent, steepestDescent } from './steepestDescent.ts';
import { coordinateDescent } from './coordinateDescent.ts';
import { mirrorDescent, potentialDomain } from './mirrorDescent.ts';
import { withWeightDecay } from './weightDecay.ts';
import type { OptimizerConfig } from './configSchema.ts';

/** The pieces of a config the optimiser needs: the section itself (or a sub-set of it) and the run seed. */
export type OptimizerSpec = { kind: string } & Partial<Omit<OptimizerConfig, 'kind'>> & Record<string, unknown>;

export function createUpdateRule(spec: OptimizerSpec, context: { seed?: number } = {}): UpdateRule {
  const s = spec as Record<string, any>; // validated by the schema, or built by library code
  let rule: UpdateRule;
  switch (spec.kind) {
    case 'gd':
    case 'sgd': rule = gradientDescent(); break;
    case 'momentum': rule = momentumDescent({ momentum: s.momentum }); break;
    case 'nesterov': rule = momentumDescent({ momentum: s.momentum, nesterov: true }); break;
    case 'adam': rule = adam({ beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon }); break;
    case 'adamw': return adam({ beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, weightDecay: s.weightDecay ?? 0.01, decoupled: true });
    case 'sign-gd': rule = signDescent(); break;
    case 'normalized-gd': rule = normalizedGradientDescent(); break;
    case 'coordinate-descent': rule = coordinateDescent({ selection: s.selection, seed: context.seed ?? 0 }); break;
    case 'mirror-descent':
      if (!s.potential) throw new Error(`optimizer.potential: required for mirror-descent`);
      rule = mirrorDescent(s.potential); break;
    case 'steepest-descent':
      rule = steepestDescent({ norm: s.norm === 'inf' ? Infinity : Number(s.norm), normalized: s.normalized ?? false }); break;
    default:
      throw new Error(`optimizer.kind: unknown optimizer '${spec.kind}'`);
  }
  return withWeightDecay(rule, s.weightDecay ?? 0);
}

/** Minibatch size for the training loop, or null for the full batch. */
export function trainingBatchSize(spec: { kind: string; batchSize?: number }): number | null {
  if (spec.kind === 'gd') return null;
  if (spec.kind === 'sgd') return spec.batchSize ?? 64;
  return spec.batchSize ?? null;
}

/**
 * Parameter domain of config-buildable models: every model kind the config can name initialises
 * its weights from zero-mean distributions (so some are ≤ 0) unless listed here.
 */
export const positiveParameterModels: ReadonlySet<string> = new Set();

/**
 * Problems (as `field: message` strings) when the optimiser cannot run on the model's parameter
 * domain — a potential defined only on θ > 0 with a model whose parameters can be ≤ 0.
 */
export function optimizerDomainProblems(spec: OptimizerSpec, modelKind: string): string[] {
  const potential = (spec as { potential?: { kind: string } }).potential;
  if (spec.kind === 'mirror-descent' && potential && potentialDomain(potential as never) === 'positive' && !positiveParameterModels.has(modelKind)) {
    return [`optimizer.potential: the '${potential.kind}' potential (exponentiated gradient) is defined only on parameters > 0, ` +
      `but model '${modelKind}' initialises its weights from a zero-mean distribution, so they can be ≤ 0; ` +
      `use the signed {"kind":"eg-pm"} or {"kind":"p-norm","p":…} potential`];
  }
  return [];
}
