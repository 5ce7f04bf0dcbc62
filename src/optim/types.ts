/**
 * An optimiser is a pure update rule: given parameters, their gradient, its own state and the
 * step's learning rate it returns *new* parameters and state; it never mutates or disposes its
 * inputs (the training loop owns tensor lifetimes). State is a map of tensor lists so that it can
 * be checkpointed and a run resumed exactly.
 */
import type * as tf from '@tensorflow/tfjs';

export type OptimizerState = Record<string, tf.Tensor[]>;

export interface UpdateContext {
  /** 0-based index of the step being taken. */
  step: number;
  learningRate: number;
}

export interface UpdateRule {
  name: string;
  initState(params: tf.Tensor[]): OptimizerState;
  update(params: tf.Tensor[], grads: tf.Tensor[], state: OptimizerState, context: UpdateContext): { params: tf.Tensor[]; state: OptimizerState };
}
