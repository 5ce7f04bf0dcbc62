/** Map a config's optimizer section to its update rule. */
import type { UpdateRule } from './types.ts';
import { gradientDescent } from './gradientDescent.ts';

export function createUpdateRule(spec: { kind: string }): UpdateRule {
  switch (spec.kind) {
    case 'gd':
    case 'sgd':
      return gradientDescent();
    default:
      throw new Error(`optimizer.kind: unknown optimizer '${spec.kind}'`);
  }
}
