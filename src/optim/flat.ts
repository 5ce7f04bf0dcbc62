/**
 * Several update rules are defined on the parameter *vector* θ ∈ ℝ^P — norms, the coordinate of
 * largest |gradient|, ½‖θ‖_p² — not tensor by tensor. These helpers view a list of parameter
 * tensors as one flat vector (concatenated row-major in list order) and back.
 */
import * as tf from '@tensorflow/tfjs';

/** Concatenate the tensors, flattened, into one 1-D tensor. */
export function flatten(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => (tensors.length === 1
    ? tensors[0].reshape([-1])
    : tf.concat(tensors.map((t) => t.reshape([-1]))) ) as tf.Tensor1D);
}

/** Split a flat vector back into tensors shaped like `like`. */
export function unflatten(flat: tf.Tensor, like: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => {
    if (like.length === 1) return [flat.reshape(like[0].shape)];
    const parts = tf.split(flat, like.map((t) => t.size));
    return parts.map((part, i) => part.reshape(like[i].shape));
  });
}

/** ‖v‖_p of a flat vector as a scalar tensor, for p ≥ 1 or Infinity. */
export function lpNorm(v: tf.Tensor, p: number): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.abs(v);
    if (p === Infinity) return tf.max(a) as tf.Scalar;
    if (p === 1) return tf.sum(a) as tf.Scalar;
    if (p === 2) return tf.sqrt(tf.sum(tf.square(a))) as tf.Scalar;
    // Scale by the largest entry first so that |v|^p neither under- nor overflows in float32.
    const m = tf.maximum(tf.max(a), 1e-30);
    return tf.mul(m, tf.pow(tf.sum(tf.pow(tf.div(a, m), p)), 1 / p)) as tf.Scalar;
  });
}

/** Total number of entries. */
export function totalSize(tensors: tf.Tensor[]): number {
  return tensors.reduce((s, t) => s + t.size, 0);
}

/** 0/1 float mask of length `size` with a single 1 at `index` (a scalar int32 tensor or number). */
export function indicator(size: number, index: tf.Tensor | number): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.equal(tf.range(0, size, 1, 'int32'), typeof index === 'number' ? tf.scalar(index, 'int32') : tf.cast(index, 'int32')), 'float32') as tf.Tensor1D);
}
