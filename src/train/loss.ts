/**
 * Losses written from primitive ops so that they can be differentiated twice.
 *
 * Mean softmax cross-entropy is computed as mean_i [logSumExp(f(x_i)) − f_{y_i}(x_i)], not with
 * tf.losses.softmaxCrossEntropy: that op's customGrad saves an internal tensor that is not on the
 * tape, so its Hessian stays wrong even with the engine fix.
 */
import * as tf from '@tensorflow/tfjs';

/** `oneHotLabels` is float32 [n, K] (built in JS: wasm's oneHot(…,'float32') is broken in 4.22). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHotLabels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logNormaliser = tf.logSumExp(logits, 1);
    const trueLogit = tf.sum(tf.mul(logits, oneHotLabels), 1);
    return tf.mean(tf.sub(logNormaliser, trueLogit)) as tf.Scalar;
  });
}

/**
 * Squared loss for classification, as in Cohen et al. (2021): the logits z_i ∈ R^K are regressed
 * onto the one-hot targets y_i, L = (1/n) Σ_i ½ Σ_k (z_ik − y_ik)² — one half, summed over the K
 * classes, averaged over the n examples (not over n·K entries, unlike `halfMeanSquaredError`).
 * Its Hessian in the logits is the identity / n, so λ_max is comparable to theirs.
 */
export function squaredErrorOneHot(logits: tf.Tensor2D, oneHotLabels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(logits, oneHotLabels)), 1))) as tf.Scalar);
}

/** The training objective of a classifier (`training.loss`); margins stay defined on the logits. */
export const classificationLossKinds = ['cross-entropy', 'mse'] as const;
export type ClassificationLossKind = (typeof classificationLossKinds)[number];

export function classificationLossOf(kind: ClassificationLossKind = 'cross-entropy'): (logits: tf.Tensor2D, oneHotLabels: tf.Tensor2D) => tf.Scalar {
  switch (kind) {
    case 'cross-entropy': return softmaxCrossEntropy;
    case 'mse': return squaredErrorOneHot;
  }
}

/** Human name of the loss, for tables and axis labels. */
export function describeLoss(kind: ClassificationLossKind = 'cross-entropy'): string {
  return kind === 'mse' ? 'squared loss ½·Σ_k(z_k − y_k)², mean over examples' : 'mean cross-entropy';
}

/** Mean squared error with the 1/2 convention: (1/2n) Σ (f(x_i) − y_i)². */
export function halfMeanSquaredError(predictions: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(predictions.reshape(targets.shape), targets)))) as tf.Scalar);
}

/**
 * Mean logistic loss for labels y ∈ {−1, +1}: mean log(1 + exp(−y f(x))) = mean softplus(−y f),
 * not tf.logSigmoid, which is wrong at first order on intermediate inputs in 4.22.
 */
export function logisticLoss(scores: tf.Tensor, signs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(tf.mul(scores.reshape(signs.shape), signs)))) as tf.Scalar);
}

/** JS-side one-hot encoding into a float32 tensor. */
export function oneHotFloat(labels: Int32Array, numClasses: number): tf.Tensor2D {
  const values = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) values[i * numClasses + labels[i]] = 1;
  return tf.tensor2d(values, [labels.length, numClasses]);
}
