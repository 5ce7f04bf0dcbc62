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
export * from './optim/index.ts';
export { hessianVectorProduct, hessianVectorProductFiniteDifference, gradientOf, dotProduct, type LossFunction } from './probes/hvp.ts';
export { hessianTraceHutchinson, type TraceEstimate } from './probes/hessianTrace.ts';
export { normalizedMargin, exampleMargins, layerNormProduct, type MarginResult } from './probes/margin.ts';
export { parameterNorms, l2Norm, type NormsResult } from './probes/norms.ts';
export { evaluateClassifier } from './probes/evaluate.ts';
export { runProbes, classificationLoss, type ProbeRecord, type ProbeOptions } from './probes/probeSuite.ts';
export { softmaxCrossEntropy, halfMeanSquaredError, logisticLoss, oneHotFloat } from './train/loss.ts';
export { trainLoop, type TrainLoopOptions, type TrainLoopResult } from './train/trainLoop.ts';
export { toTensorData, disposeTensorData, type TensorData } from './train/tensorData.ts';
export { batchIndices, derivedSeed } from './train/batches.ts';
export { saveCheckpoint, loadCheckpoint, checkpointFormat } from './train/checkpoint.ts';
export { RunRecord } from './train/runRecord.ts';
export { runConfigSchema, parseRunConfig, applyOverrides, ConfigError, type RunConfig, type RunConfigInput } from './experiments/runConfig.ts';
export { runExperiment, buildModel, describeModel, type RunSummary, type RunOptions } from './experiments/runExperiment.ts';
export { loadDataForRun } from './experiments/loadData.ts';
export * from './report/index.ts';
export { runFigure } from './report/runReport.ts';
export { createRng, permutation, type Rng } from './util/rng.ts';
export { defaultProgress, lineProgress, barProgress, silentProgress, type ProgressReporter } from './util/progress.ts';
export { writeFileAtomic, writeJsonAtomic } from './util/atomicWrite.ts';
