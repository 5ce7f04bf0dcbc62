/** Public API of the data layer: loaders, subsets, standardisation, corruptions, synthetic data. */
export { featureSize, withStep } from './dataset.ts';
export type { Dataset, DatasetSplit, DatasetProvenance, ProvenanceStep } from './dataset.ts';
export { parseIdx, readIdx, encodeIdx, writeIdx, isGzip, loadIdxClassification } from './idx.ts';
export type { IdxArray, IdxData, IdxDtype, IdxClassificationOptions } from './idx.ts';
export { findDataFile, requireDataFile } from './files.ts';
export { loadDigits, DIGITS_IMAGES_PATH, DIGITS_LABELS_PATH } from './digits.ts';
export type { DigitsOptions } from './digits.ts';
export { loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR } from './fashionMnist.ts';
export type { FashionMnistOptions } from './fashionMnist.ts';
export { loadMnist } from './mnist.ts';
export type { MnistOptions } from './mnist.ts';
export { MNIST_FILE_NAMES } from './mnistLike.ts';
export { loadCifar10, parseCifar10Batch, CIFAR10_CLASSES, CIFAR10_RECORD_BYTES } from './cifar10.ts';
export type { Cifar10Batch, Cifar10Options } from './cifar10.ts';
export { takeRows, firstN, balancedSample, indicesByClass } from './subset.ts';
export { stratifiedSplit, stratifiedCounts } from './split.ts';
export { channelStats, applyStandardisation, standardise } from './standardise.ts';
export type { ChannelStats } from './standardise.ts';
export { corrupt, CORRUPTION_KINDS } from './corruptions.ts';
export { augmentImages, type AugmentSpec } from './augment.ts';
export type { CorruptionSpec, CorruptionKind } from './corruptions.ts';
export { underdeterminedRegression, separableClassification, sparseTeacherRegression } from './synthetic.ts';
export type {
  RegressionProblem,
  ClassificationProblem,
  UnderdeterminedRegressionOptions,
  SeparableClassificationOptions,
  SparseTeacherRegressionOptions,
} from './synthetic.ts';
export { loadJsonDataset, validateJsonDataset } from './jsonDataset.ts';
export type { JsonDataset } from './jsonDataset.ts';
export { matrixToDataset } from './matrix.ts';
export type { MatrixToDatasetOptions } from './matrix.ts';
