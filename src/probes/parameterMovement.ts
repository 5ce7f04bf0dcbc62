/**
 * Relative parameter movement ‖θ_t − θ₀‖₂ / ‖θ₀‖₂, overall and per layer.
 *
 * The lazy-training diagnostic of Chizat, Oyallon & Bach (2019, §2): training is "lazy" when the
 * parameters barely move relative to their initial scale, so the model stays close to its
 * linearisation at θ₀. In the NTK limit (Jacot et al. 2018) this ratio vanishes like 1/√width
 * (or like 1/α for the centred model α·(f(θ) − f(θ₀))). A layer whose θ₀ is zero (e.g. biases
 * initialised to 0) has an undefined relative movement: reported as null with its absolute one.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamSpec } from '../models/types.ts';

export interface LayerMovement {
  /** Name of the layer's first tensor without the '/kernel' part, e.g. 'dense0'. */
  name: string;
  layer: number;
  /** ‖θ_t − θ₀‖ over the layer's tensors. */
  absolute: number;
  /** absolute / ‖θ₀‖ over the layer's tensors, null when ‖θ₀‖ = 0. */
  relative: number | null;
}

export interface ParameterMovement {
  absolute: number;
  initialNorm: number;
  relative: number | null;
  perLayer: LayerMovement[];
}

export function parameterMovement(specs: readonly ParamSpec[], params: tf.Tensor[], init: tf.Tensor[]): ParameterMovement {
  if (params.length !== init.length || params.length !== specs.length) {
    throw new Error(`parameterMovement: ${params.length} parameter tensors, ${init.length} initial tensors, ${specs.length} specs`);
  }
  // Squared sums per tensor, read back once and accumulated in float64.
  const sums = tf.tidy(() => {
    const parts = params.flatMap((p, i) => [tf.sum(tf.square(tf.sub(p, init[i]))), tf.sum(tf.square(init[i]))]);
    return tf.stack(parts).dataSync();
  });
  const layers = new Map<number, { name: string; moved: number; initial: number }>();
  let moved = 0;
  let initial = 0;
  specs.forEach((spec, i) => {
    const m = sums[2 * i];
    const s = sums[2 * i + 1];
    moved += m;
    initial += s;
    const entry = layers.get(spec.layer) ?? { name: spec.name.replace(/\/[^/]*$/, ''), moved: 0, initial: 0 };
    entry.moved += m;
    entry.initial += s;
    layers.set(spec.layer, entry);
  });
  const ratio = (a: number, b: number) => (b > 0 ? Math.sqrt(a / b) : null);
  return {
    absolute: Math.sqrt(moved),
    initialNorm: Math.sqrt(initial),
    relative: ratio(moved, initial),
    perLayer: [...layers.entries()].map(([layer, e]) => ({ name: e.name, layer, absolute: Math.sqrt(e.moved), relative: ratio(e.moved, e.initial) })),
  };
}
