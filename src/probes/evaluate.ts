/**
 * Mean loss (cross-entropy or squared, `loss`) and accuracy over a dataset, computed in chunks so that memory
 * stays bounded however many examples are given. On request the same logits also give each
 * example's margin q_i = f_{y_i} − max_{j≠y_i} f_j (margin.ts), so a probe that records both the
 * training loss and the margin runs the model over the training set once, not twice.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { classificationLossOf, type ClassificationLossKind } from '../train/loss.ts';
import { writeMargins } from './margin.ts';

export interface Evaluation { loss: number; accuracy: number }
export interface EvaluationWithMargins extends Evaluation { margins: Float64Array }

/**
 * `logits`, when given, are model.apply(params, x) already computed (e.g. by the batch-norm
 * statistics pass, inferenceMode.ts); the model is then not run.
 */
export function evaluateClassifier(model: Model, params: tf.Tensor[], x: tf.Tensor, oneHot: tf.Tensor2D, labels: Int32Array, chunkSize = 2048, loss: ClassificationLossKind = 'cross-entropy', logits?: tf.Tensor2D | null): Evaluation {
  const { loss: meanLoss, accuracy } = evaluateChunks(model, params, x, oneHot, labels, chunkSize, loss, false, logits ?? undefined);
  return { loss: meanLoss, accuracy };
}

/** evaluateClassifier plus the per-example margins q_i from the same forward pass. */
export function evaluateClassifierWithMargins(model: Model, params: tf.Tensor[], x: tf.Tensor, oneHot: tf.Tensor2D, labels: Int32Array, chunkSize = 2048, loss: ClassificationLossKind = 'cross-entropy', logits?: tf.Tensor2D | null): EvaluationWithMargins {
  const evaluation = evaluateChunks(model, params, x, oneHot, labels, chunkSize, loss, true, logits ?? undefined);
  return { ...evaluation, margins: evaluation.margins! };
}

function evaluateChunks(model: Model, params: tf.Tensor[], x: tf.Tensor, oneHot: tf.Tensor2D, labels: Int32Array, chunkSize: number, loss: ClassificationLossKind, withMargins: boolean, allLogits?: tf.Tensor2D): Evaluation & { margins?: Float64Array } {
  const lossOf = classificationLossOf(loss);
  const n = x.shape[0];
  if (allLogits && allLogits.shape[0] !== n) throw new Error(`evaluateClassifier: ${allLogits.shape[0]} precomputed logit rows for ${n} examples`);
  const k = model.outputSize;
  const margins = withMargins ? new Float64Array(n) : undefined;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    let chunkLoss = 0;
    let predictions: Int32Array = new Int32Array(0);
    let logitValues: Float32Array = new Float32Array(0);
    tf.tidy(() => {
      const logits = allLogits ? allLogits.slice(start, size) : model.apply(params, x.slice(start, size));
      chunkLoss = lossOf(logits, oneHot.slice(start, size)).dataSync()[0];
      predictions = tf.argMax(logits, 1).dataSync() as Int32Array;
      if (withMargins) logitValues = logits.dataSync() as Float32Array;
    });
    lossSum += chunkLoss * size;
    for (let i = 0; i < size; i++) if (predictions[i] === labels[start + i]) correct++;
    if (margins) writeMargins(logitValues, k, labels, start, margins);
  }
  return { loss: lossSum / n, accuracy: correct / n, ...(margins ? { margins } : {}) };
}
