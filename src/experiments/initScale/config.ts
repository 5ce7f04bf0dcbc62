/**
 * Presets of `ibl reproduce init-scale`. Step sizes follow the function-space argument of
 * Chizat, Oyallon & Bach (2019): a GD step moves the outputs by η·Θ·∇L at first order.
 *   lazy (α·(f(θ) − f(θ₀)), loss/α²): that move does not depend on α, so η is the same for
 *     every α ≥ 1; below 1 the curvature term (1/α)·∇L·∇²f of the objective grows, so η = η₀·α
 *     (stable) and the step budget grows as 1/α (the same gradient-flow time η·steps).
 *   plain (init scaled by α, L bias-free weight layers): Θ ∝ α^{2(L−1)}, so η = η₀/α^{2(L−1)}
 *     for α ≥ 1 keeps η·Θ fixed; below 1, η₀ and the same budget (the small-init saddle is escaped within it on the
 *     quick problem, measured).
 * Quick scale: 50 digits (5 per class), so the kernel predictor's full tangent kernel has
 * 500 × 500 entries; one hidden layer of 128; five α per decade-and-more (10⁻¹ … 10³), the
 * smallest α of the lazy sweep being 10⁻¹ because 10⁻² would need 100× the steps. Sized by
 * measurement on 2 shared cores (README). Paper scale: 10⁻² … 10³ every half decade, 100
 * digits, width 512, and a CNN; not run here (sized by the same rules, budgets capped at 20×).
 */
import { z } from 'zod';
import { executionSchema } from '../study/executionConfig.ts';

export const initScaleScales = ['quick', 'paper'] as const;
export type InitScaleScale = (typeof initScaleScales)[number];

export const initScaleSpecSchema = z.strictObject({
  /** Where the points run (flags of the same names win); see study/executionConfig.ts. */
  execution: executionSchema.optional(),
  scale: z.enum(initScaleScales),
  seed: z.number().int().nonnegative(),
  alphas: z.array(z.number().positive()).min(2),
  parameterisations: z.array(z.enum(['lazy', 'plain'])).min(1),
  architectures: z.array(z.enum(['mlp', 'cnn'])).min(1),
  hidden: z.array(z.number().int().positive()),
  channels: z.array(z.number().int().positive()),
  trainSize: z.number().int().positive(),
  testSize: z.number().int().positive(),
  /** Test examples the kernel predictor is compared on. */
  kernelTestSubset: z.number().int().positive(),
  learningRate: z.number().positive(),
  steps: z.number().int().positive(),
  /** Cap on the step budget's growth at small α (a multiple of `steps`). */
  maxStepFactor: z.number().positive(),
  /** Diagonal linear network sweep (claim 5's problem). */
  diagonal: z.strictObject({
    n: z.number().int().positive(), p: z.number().int().positive(), k: z.number().int().positive(),
    steps: z.number().int().positive(), alphas: z.array(z.number().positive()).min(2), seed: z.number().int().nonnegative(),
  }),
});

export type InitScaleSpec = z.infer<typeof initScaleSpecSchema>;

export function initScalePreset(scale: InitScaleScale): InitScaleSpec {
  if (scale === 'quick') {
    return {
      scale, seed: 0,
      alphas: [0.1, 1, 10, 100, 1000],
      parameterisations: ['lazy', 'plain'],
      architectures: ['mlp'],
      hidden: [128], channels: [8, 16],
      trainSize: 50, testSize: 200, kernelTestSubset: 100,
      learningRate: 0.5, steps: 300, maxStepFactor: 10,
      diagonal: { n: 20, p: 40, k: 3, steps: 4000, alphas: [1e-3, 1e-2, 0.1, 0.3, 1, 3], seed: 51 },
    };
  }
  return {
    scale, seed: 0,
    alphas: [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000],
    parameterisations: ['lazy', 'plain'],
    architectures: ['mlp', 'cnn'],
    hidden: [512], channels: [16, 32],
    trainSize: 100, testSize: 500, kernelTestSubset: 200,
    learningRate: 0.5, steps: 1000, maxStepFactor: 20,
    diagonal: { n: 30, p: 60, k: 3, steps: 6000, alphas: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3], seed: 51 },
  };
}

/** Weight layers L of an architecture of the study (bias-free: Θ ∝ α^{2(L−1)} under a plain init scale α). */
export function weightLayers(spec: InitScaleSpec, architecture: 'mlp' | 'cnn'): number {
  return architecture === 'mlp' ? spec.hidden.length + 1 : spec.channels.length + 1;
}

/** Step size and budget of one point (see the file comment); `layers` = weight layers L. */
export function schedule(spec: InitScaleSpec, parameterisation: 'lazy' | 'plain', alpha: number, layers = 2): { learningRate: number; steps: number } {
  if (parameterisation === 'lazy') {
    const shrink = Math.min(1, alpha);
    return { learningRate: spec.learningRate * shrink, steps: Math.round(spec.steps * Math.min(1 / shrink, spec.maxStepFactor)) };
  }
  return { learningRate: spec.learningRate * Math.min(1, alpha ** (-2 * (layers - 1))), steps: spec.steps };
}
