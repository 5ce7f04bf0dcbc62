/** Rebuild a model from the `architecture` object stored in a checkpoint's model.json. */
import type { Model } from './types.ts';
import { createMlp, mlpActivations, type MlpActivation } from './mlp.ts';

export function modelFromArchitecture(architecture: Record<string, unknown>, source = 'model.json'): Model {
  switch (architecture.kind) {
    case 'mlp': {
      const { widths, activation, bias } = architecture as { widths: unknown; activation: unknown; bias: unknown };
      if (!Array.isArray(widths) || widths.length < 2 || !widths.every((w) => Number.isInteger(w) && w > 0)) {
        throw new Error(`${source}: architecture.widths must be a list of at least two positive integers`);
      }
      if (!(mlpActivations as readonly unknown[]).includes(activation)) {
        throw new Error(`${source}: architecture.activation '${String(activation)}' is not one of ${mlpActivations.join(', ')}`);
      }
      if (typeof bias !== 'boolean') throw new Error(`${source}: architecture.bias must be true or false`);
      return createMlp({ widths: widths as number[], activation: activation as MlpActivation, bias });
    }
    default:
      throw new Error(`${source}: unknown architecture kind '${String(architecture.kind)}' (known: mlp)`);
  }
}
