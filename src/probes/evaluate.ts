/**
 * Mean loss (cross-entropy or squared, `loss`) and accuracy over a dataset, computed in chunks so that memory
 * stays bounded however many examples are given.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { classificationLossOf, type ClassificationLossKind } from '../train/loss.ts';

export interface Evaluation { loss: number; accuracy: number }

export function evaluateClassifier(model: Model, params: tf.Tensor[], x: tf.Tensor, oneHot: tf.Tensor2D, labels: Int32Array, chunkSize = 2048, loss: ClassificationLossKind = 'cross-entropy'): Evaluation {
  const lossOf = classificationLossOf(loss);
  const n = x.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    const [chunkLoss, predictions] = tf.tidy(() => {
      const logits = model.apply(params, x.slice(start, size));
      return [lossOf(logits, oneHot.slice(start, size)).dataSync()[0], tf.argMax(logits, 1).dataSync()];
    });
    lossSum += (chunkLoss as number) * size;
    for (let i = 0; i < size; i++) if ((predictions as Int32Array)[i] === labels[start + i]) correct++;
  }
  return { loss: lossSum / n, accuracy: correct / n };
}
