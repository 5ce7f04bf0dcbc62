/** Map a config's optimizer section to its update rule. */
import type { UpdateRule } from './types.ts';
import { gradientDescent } from './gradientDescent.ts';
import { heavyBallMomentum } from './momentum.ts';

export function createUpdateRule(spec: { kind: string; momentum?: number; weightDecay?: number }): UpdateRule {
  switch (spec.kind) {
    case 'gd':
    case 'sgd':
      return spec.weightDecay ? heavyBallMomentum({ momentum: 0, weightDecay: spec.weightDecay }) : gradientDescent();
    case 'momentum':
      return heavyBallMomentum({ momentum: spec.momentum ?? 0.9, weightDecay: spec.weightDecay ?? 0 });
    default:
      throw new Error(`optimizer.kind: unknown optimizer '${spec.kind}'`);
  }
}
