/** Rebuild a model from the `architecture` object stored in a checkpoint's model.json. */
import type { Model } from './types.ts';
import { createMlp, mlpActivations, type MlpActivation } from './mlp.ts';
import { createCnn } from './cnn.ts';
import { createResidualMlp } from './residualMlp.ts';
import { createResnetCnn } from './resnetCnn.ts';
import { normKinds, poolKinds, type NormKind, type PoolKind } from './layers.ts';

export const architectureKinds = ['mlp', 'cnn', 'residual-mlp', 'resnet-cnn'] as const;

function reader(architecture: Record<string, unknown>, source: string) {
  const fail = (field: string, what: string): never => {
    throw new Error(`${source}: architecture.${field} must be ${what}, got ${JSON.stringify(architecture[field])}`);
  };
  return {
    int(field: string): number {
      const v = architecture[field];
      return Number.isInteger(v) && (v as number) > 0 ? v as number : fail(field, 'a positive integer');
    },
    ints(field: string, minLength: number): number[] {
      const v = architecture[field];
      return Array.isArray(v) && v.length >= minLength && v.every((w) => Number.isInteger(w) && w > 0)
        ? v as number[] : fail(field, `a list of at least ${minLength} positive integers`);
    },
    oneOf<T extends string>(field: string, options: readonly T[]): T {
      const v = architecture[field];
      return (options as readonly unknown[]).includes(v) ? v as T : fail(field, `one of ${options.join(', ')}`);
    },
    bool(field: string): boolean {
      const v = architecture[field];
      return typeof v === 'boolean' ? v : fail(field, 'true or false');
    },
  };
}

export function modelFromArchitecture(architecture: Record<string, unknown>, source = 'model.json'): Model {
  const r = reader(architecture, source);
  switch (architecture.kind) {
    case 'mlp': {
      const widths = r.ints('widths', 2);
      const activation = r.oneOf('activation', mlpActivations) as MlpActivation;
      return createMlp({ widths, activation, bias: r.bool('bias') });
    }
    case 'cnn':
      return createCnn({
        inputShape: r.ints('inputShape', 3), channels: r.ints('channels', 1), kernelSize: r.int('kernelSize'),
        pool: r.oneOf('pool', poolKinds) as PoolKind, dense: r.ints('dense', 0), outputs: r.int('outputs'),
      });
    case 'residual-mlp':
      return createResidualMlp({
        inputSize: r.int('inputSize'), width: r.int('width'), depth: r.int('depth'), outputs: r.int('outputs'),
        branchScaling: r.bool('branchScaling'), norm: r.oneOf('norm', normKinds) as NormKind,
      });
    case 'resnet-cnn':
      return createResnetCnn({
        inputShape: r.ints('inputShape', 3), stages: r.ints('stages', 1), blocksPerStage: r.int('blocksPerStage'),
        kernelSize: r.int('kernelSize'), norm: r.oneOf('norm', normKinds) as NormKind, outputs: r.int('outputs'),
        ...(architecture.stemStride !== undefined ? { stemStride: r.int('stemStride') } : {}),
      });
    default:
      throw new Error(`${source}: unknown architecture kind '${String(architecture.kind)}' (known: ${architectureKinds.join(', ')})`);
  }
}
