/**
 * implicit-bias-lab's library API: everything `ibl` does, as typed functions.
 *
 *   import { setupBackend, loadDigits, createMlp, gradientDescent, trainLoop, … } from 'implicit-bias-lab';
 */
export * from './backend/index.ts';
export * from './data/index.ts';
export { createMlp, type MlpOptions, type MlpActivation } from './models/mlp.ts';
export { modelFromArchitecture, architectureKinds } from './models/fromArchitecture.ts';
export { createCnn, type CnnOptions } from './models/cnn.ts';
export { createResidualMlp, type ResidualMlpOptions } from './models/residualMlp.ts';
export { createResnetCnn, type ResnetCnnOptions } from './models/resnetCnn.ts';
export { hasBatchNormInference, disposeBatchNormStatistics, type BatchNormInference, type BatchNormStatistics } from './models/batchNormState.ts';
export { poolKinds, normKinds, type PoolKind, type NormKind } from './models/layers.ts';
export { initSchemes, type InitScheme } from './models/init.ts';
export { parameterCount, type Model, type ParamSpec } from './models/types.ts';
export { createLinearModel, type LinearModelOptions, type LinearInit } from './models/linear.ts';
export { createDiagonalNetwork, diagonalNetworkWeights, type DiagonalNetworkOptions } from './models/diagonalNetwork.ts';
export { createLazyModel, isLazyModel, type LazyModel } from './models/lazy.ts';
export { withLossScale } from './optim/lossScale.ts';
export { minimize, type MinimizeOptions, type MinimizeResult } from './train/minimize.ts';
export { runSeedClaims, seedClaims, verdictLine, type ClaimResult, type SeedClaimsOptions } from './experiments/seedClaims/index.ts';
export * from './optim/index.ts';
export { hessianVectorProduct, hessianVectorProductFiniteDifference, gradientOf, dotProduct, type LossFunction } from './probes/hvp.ts';
export {
  hessianTraceHutchinson, hutchinsonTrace, hutchPlusPlusTrace, perLayerTrace, sumOfBlockTraces, rademacher,
  type TraceEstimate, type HutchinsonOptions, type BlockTrace,
} from './probes/hessianTrace.ts';
export {
  layoutOf, flatten, unflatten, layerBlocks, restrictOperator, denseOperator, denseHessian, asymmetry, withScope,
  type HessianOperator, type HvpMethod, type ParamBlock, type ParamLayout,
} from './probes/operator.ts';
export {
  classificationObjective, lossFunctionObjective, objectiveLoss, objectiveGradient, objectiveHessian, gradientNormSquared,
  defaultChunkSize, type Objective, type HessianOptions,
} from './probes/objective.ts';
export {
  powerIteration, lanczos, lanczosTopEigenvalues, topEigenvalues, perLayerLambdaMax, tridiagonalEigen,
  spectralDensitySLQ, densityMoment, densityOnGrid, densityGrid, spectralDensityFigure,
  type EigenResult, type SpectralDensity, type BlockEigen,
} from './probes/eigen.ts';
export { normalizedMargin, exampleMargins, layerNormProduct, checkHomogeneity, type MarginResult, type HomogeneityCheck } from './probes/margin.ts';
export { parameterNorms, l2Norm, layerNorms, spectralNorm, spectralNormOfMatrix, pathNorm, distanceFromInit, type NormsResult, type LayerNorms } from './probes/norms.ts';
export { epsilonSharpness, type SharpnessResult, type SharpnessOptions } from './probes/sharpness.ts';
export { gradientNoiseScale, type GradientNoiseResult } from './probes/gradientNoise.ts';
export {
  filterNormalizedDirection, lossLandscape1d, lossLandscape2d, landscapeLineFigure, landscapeHeatmap,
  type Landscape1d, type Landscape2d,
} from './probes/landscape.ts';
export { evaluateClassifier } from './probes/evaluate.ts';
export { parameterMovement, type ParameterMovement, type LayerMovement } from './probes/parameterMovement.ts';
export {
  tangentKernel, jacobianRows, relativeKernelChange, kernelTargetAlignment,
  type KernelMatrix, type KernelOutputs, type TangentKernelOptions,
} from './probes/tangentKernel.ts';
export { jacobianVectorProduct, linearisedOutputs, linearisationDistance, type LinearisedOutputs, type LinearisationDistance } from './probes/linearisation.ts';
export { LazinessProbes, type LazinessProbeOptions, type LazinessRecord } from './probes/lazinessProbes.ts';
export { runProbes, classificationLoss, eigenSeed, type ProbeRecord, type ProbeOptions, type EigenProbeOptions } from './probes/probeSuite.ts';
export { probeReport, probeNames, defaultProbes, type ProbeReport, type ProbeReportOptions, type ProbeName } from './probes/probeReport.ts';
export { softmaxCrossEntropy, halfMeanSquaredError, logisticLoss, oneHotFloat, squaredErrorOneHot, classificationLossOf, classificationLossKinds, type ClassificationLossKind } from './train/loss.ts';
export { checkCollapse, chanceLoss, type CollapseCheck } from './probes/collapse.ts';
export { createSharpnessTracker, type SharpnessTracker, type SharpnessSample } from './probes/sharpnessTracker.ts';
export { modifiedLoss, modifiedLossGradient } from './probes/modifiedLoss.ts';
export { flatnessStudy, flatnessPoints } from './experiments/flatness/study.ts';
export { flatnessPreset, type FlatnessConfig } from './experiments/flatness/config.ts';
export { trainLoop, type TrainLoopOptions, type TrainLoopResult } from './train/trainLoop.ts';
export { toTensorData, disposeTensorData, type TensorData } from './train/tensorData.ts';
export { batchIndices, derivedSeed } from './train/batches.ts';
export { saveCheckpoint, loadCheckpoint, checkpointFormat } from './train/checkpoint.ts';
export { RunRecord } from './train/runRecord.ts';
export { runConfigSchema, parseRunConfig, applyOverrides, ConfigError, type RunConfig, type RunConfigInput } from './experiments/runConfig.ts';
export { runExperiment, buildModel, describeModel, type RunSummary, type RunOptions } from './experiments/runExperiment.ts';
export { loadDataForRun } from './experiments/loadData.ts';
export { runStudy, planStudy, collectStudy, reportStudy, type RunStudyOptions, type RunStudyResult, type SlurmOptions } from './experiments/study/engine.ts';
export { registerStudyKind, type StudyKind } from './experiments/study/registry.ts';
export type { StudyDefinition, StudyPoint, CollectedPoint, StudyVerdict } from './experiments/study/types.ts';
export { expandGrid, parseGridAxis, sweepStudy, type GridAxis } from './experiments/sweep.ts';
export * from './report/index.ts';
export { runFigure } from './report/runReport.ts';
export { createRng, permutation, type Rng } from './util/rng.ts';
export { defaultProgress, lineProgress, barProgress, silentProgress, type ProgressReporter } from './util/progress.ts';
export { writeFileAtomic, writeJsonAtomic } from './util/atomicWrite.ts';
export { fitKernelRegression, predictKernelRegression, kernelGradientDescent, type KernelFit, type KernelFitOptions, type KernelGradientDescentOptions, type KernelLoss } from './reference/kernelRegression.ts';
