/**
 * Hessian-vector products of a scalar loss L(θ) over a list of parameter tensors.
 *
 * `hessianVectorProduct` is exact: reverse-over-reverse, Hv = ∇_θ ⟨∇_θ L(θ), v⟩ (Pearlmutter
 * 1994). It relies on the engine fixes installed by `setupBackend` (see backend/tapeOrderFix.ts);
 * without them TF.js 4.22 silently drops second-order terms.
 *
 * `hessianVectorProductFiniteDifference` is the central difference of gradients
 * (∇L(θ+εv) − ∇L(θ−εv)) / 2ε, kept only as a cross-check on smooth models: on ReLU networks a
 * step of ε moves pre-activations across kinks and the estimate stays biased as ε → 0 in float32.
 */
import * as tf from '@tensorflow/tfjs';

export type LossFunction = (params: tf.Tensor[]) => tf.Scalar;

/** Gradient via the engine, tolerating parameters the loss does not touch (zero gradient). */
export function gradientOf(loss: LossFunction, params: tf.Tensor[]): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.engine().gradients(() => loss(params), params, undefined, true);
  return { value: value as tf.Scalar, grads: grads.map((g, i) => g ?? tf.zerosLike(params[i])) };
}

/**
 * Exact Hv; caller owns the returned tensors. `v` has one tensor per parameter, same shapes.
 * Hv is the vector-Jacobian product of the gradient map θ ↦ ∇L(θ) with v, so the outer backward
 * pass is seeded with v itself (engine.gradients' dy) on the concatenated inner gradient, rather
 * than differentiating the scalar Σ_i ⟨g_i, v_i⟩: the same seed reaches each g_i (v_i, exactly),
 * without the products, sums and broadcast ones of that scalar and its gradient.
 */
export function hessianVectorProduct(loss: LossFunction, params: tf.Tensor[], v: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => {
    const engine = tf.engine();
    if (v.length !== params.length || v.some((t, i) => !tf.util.arraysEqual(t.shape, params[i].shape))) {
      throw new Error(`hessianVectorProduct: v must have one tensor per parameter, of its shape (parameters ${params.map((p) => `[${p.shape}]`).join(' ')}, v ${v.map((t) => `[${t.shape}]`).join(' ')})`);
    }
    const flat = (t: tf.Tensor) => tf.reshape(t, [-1]);
    const seed = tf.concat(v.map(flat)) as tf.Tensor1D;
    // allowNoGradients: a structurally zero Hessian block (e.g. the last layer of a linear model
    // with respect to itself) would make tf.grads throw. A parameter the loss does not touch has
    // no inner gradient: its place in the concatenation is zerosLike(θ_i), which carries a zero
    // Hv block (and keeps the seed aligned).
    const { grads } = engine.gradients(() => {
      const inner = engine.gradients(() => loss(params), params, undefined, true);
      return tf.concat(inner.grads.map((g, i) => flat(g ?? tf.zerosLike(params[i]))));
    }, params, seed, true);
    return grads.map((g, i) => g ?? tf.zerosLike(params[i]));
  });
}

/** Central-difference Hv (smooth models only, see file comment). */
export function hessianVectorProductFiniteDifference(
  loss: LossFunction, params: tf.Tensor[], v: tf.Tensor[], epsilon = 1e-3,
): tf.Tensor[] {
  return tf.tidy(() => {
    const shifted = (sign: number) => params.map((p, i) => tf.add(p, tf.mul(v[i], sign * epsilon)));
    const plus = gradientOf(loss, shifted(1)).grads;
    const minus = gradientOf(loss, shifted(-1)).grads;
    return plus.map((g, i) => tf.div(tf.sub(g, minus[i]), 2 * epsilon));
  });
}

/** ⟨a, b⟩ summed over all parameter tensors, as a JS number. */
export function dotProduct(a: tf.Tensor[], b: tf.Tensor[]): number {
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    a.forEach((t, i) => { total = tf.add(total, tf.sum(tf.mul(t, b[i]))); });
    return total.dataSync()[0];
  });
}
