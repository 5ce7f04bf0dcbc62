/**
 * The model linearised at its initialisation,
 *   f_lin(x; θ) = f(x; θ₀) + J₀(x)(θ − θ₀),    J₀(x) = ∂f(x; θ)/∂θ at θ₀,
 * and its distance to the trained network f(x; θ) — the quantity lazy training (Chizat, Oyallon
 * & Bach 2019) says stays small, and the NTK analysis (Jacot et al. 2018; Lee et al. 2019) says
 * vanishes with width.
 *
 * The Jacobian–vector product J₀δ is computed exactly with the double-backward trick
 * (reverse-over-reverse, as for HVPs, and relying on the same engine fixes): for a dummy
 * cotangent u, g(u) = J₀ᵀu is one backward pass, and since ⟨J₀ᵀu, δ⟩ is linear in u its gradient
 * with respect to u is J₀δ — a second backward pass through the first. Cost per chunk: one
 * forward and two backward passes, about 3× a gradient, for all outputs at once (no Jacobian is
 * formed). Computed in chunks of examples; the result does not depend on the chunk size.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { chunks } from './objective.ts';
import { withScope } from './operator.ts';

export const defaultLinearisationChunkSize = 256;

/** J(x)·δ at `params` for a chunk of inputs, as a [c, K] tensor (caller owns it). */
export function jacobianVectorProduct(model: Model, params: tf.Tensor[], x: tf.Tensor, delta: tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => {
    const engine = tf.engine();
    const u = tf.ones([x.shape[0], model.outputSize]);
    const { grads } = engine.gradients(() => {
      const vjp = engine.gradients(() => tf.sum(tf.mul(model.apply(params, x), u)) as tf.Scalar, params, undefined, true).grads;
      let directional: tf.Tensor = tf.scalar(0);
      vjp.forEach((g, i) => { if (g) directional = tf.add(directional, tf.sum(tf.mul(g, delta[i]))); });
      return directional as tf.Scalar;
    }, [u], undefined, true);
    return (grads[0] ?? tf.zeros([x.shape[0], model.outputSize])) as tf.Tensor2D;
  });
}

export interface LinearisedOutputs {
  /** f(x; θ), f(x; θ₀) and f_lin(x; θ), each row-major n × K in float64. */
  current: Float64Array;
  initial: Float64Array;
  linearised: Float64Array;
  n: number;
  outputs: number;
}

/** f(θ), f(θ₀) and f_lin(θ) on every example of x, chunked. */
export function linearisedOutputs(model: Model, params: tf.Tensor[], init: tf.Tensor[], x: tf.Tensor, chunkSize = defaultLinearisationChunkSize): LinearisedOutputs {
  const n = x.shape[0];
  const K = model.outputSize;
  const current = new Float64Array(n * K);
  const initial = new Float64Array(n * K);
  const linearised = new Float64Array(n * K);
  const delta = params.map((p, i) => tf.sub(p, init[i]));
  try {
    for (const { start, size } of chunks(n, chunkSize)) {
      withScope(() => {
        const xc = x.slice(start, size);
        current.set(model.apply(params, xc).dataSync(), start * K);
        const f0 = model.apply(init, xc);
        initial.set(f0.dataSync(), start * K);
        linearised.set(tf.add(f0, jacobianVectorProduct(model, init, xc, delta)).dataSync(), start * K);
      });
    }
  } finally {
    tf.dispose(delta);
  }
  return { current, initial, linearised, n, outputs: K };
}

export interface LinearisationDistance {
  /** √(mean_i ‖f(x_i; θ) − f_lin(x_i; θ)‖²). */
  rms: number;
  /**
   * ‖f − f_lin‖_F / ‖f − f₀‖_F: the part of the function's change the linearisation misses
   * (null before the function has changed).
   */
  relative: number | null;
}

export function linearisationDistance(outputs: LinearisedOutputs): LinearisationDistance {
  let miss = 0;
  let change = 0;
  for (let i = 0; i < outputs.current.length; i++) {
    miss += (outputs.current[i] - outputs.linearised[i]) ** 2;
    change += (outputs.current[i] - outputs.initial[i]) ** 2;
  }
  return { rms: Math.sqrt(miss / outputs.n), relative: change > 0 ? Math.sqrt(miss / change) : null };
}
