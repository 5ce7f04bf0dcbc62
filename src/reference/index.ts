/**
 * Independent float64 reference solvers (no TF.js): the answers experiments check trained
 * models against. See each file for the maths and conventions.
 */
export { minNormInterpolant, closestInterpolant } from './interpolant.ts';
export type { InterpolantResult, InterpolantOptions } from './interpolant.ts';
export { ridge, gradientFlowLeastSquares, gdLeastSquaresClosedForm } from './ridge.ts';
export { maxMarginL2 } from './svm.ts';
export type { MaxMarginL2Result } from './svm.ts';
export { maxMarginL1, maxMarginLinf, normalizedMargin, vectorNorm } from './margin.ts';
export type { MaxMarginLpResult, MarginNorm } from './margin.ts';
export { minL1Interpolant } from './minL1.ts';
export type { MinL1Result } from './minL1.ts';
export {
  minRelativeEntropyInterpolant,
  minPotentialInterpolantLp,
  minHyperbolicEntropyInterpolant,
  relativeEntropy,
  bregmanDivergenceLp,
  halfSquaredNormGradient,
} from './mirror.ts';
export type { BregmanDualOptions, BregmanDualResult } from './bregmanDual.ts';
export { solveLp } from './lp.ts';
export type { LpProblem, LpResult, LpStatus, Bound } from './lp.ts';
export { solveQp } from './qp.ts';
export type { QpProblem, QpResult } from './qp.ts';
export { fitKernelRegression, predictKernelRegression, kernelGradientDescent, lossGradient } from './kernelRegression.ts';
export type { KernelFit, KernelFitOptions, KernelGradientDescentOptions, KernelLoss } from './kernelRegression.ts';
