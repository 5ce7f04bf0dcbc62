export type { UpdateRule, OptimizerState, UpdateContext } from './types.ts';
export { gradientDescent } from './gradientDescent.ts';
export { heavyBallMomentum, type HeavyBallOptions } from './momentum.ts';
export { learningRateAt, type ScheduleSpec } from './schedule.ts';
export { createUpdateRule } from './registry.ts';
