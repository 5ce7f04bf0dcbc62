/**
 * Learning-rate schedules η(t) for step t = 0, 1, …, T−1.
 *   constant: η₀
 *   step:     η₀ · γ^⌊t / every⌋
 *   cosine:   η_min + ½(η₀ − η_min)(1 + cos(π t / T))      (Loshchilov & Hutter 2017, no restarts)
 *   warmup (any of the above): linear ramp from η₀/warmupSteps to the schedule over warmupSteps.
 */
export type ScheduleSpec =
  | { kind: 'constant'; warmupSteps?: number }
  | { kind: 'step'; every: number; gamma: number; warmupSteps?: number }
  | { kind: 'cosine'; minLearningRate?: number; warmupSteps?: number };

export function learningRateAt(baseLearningRate: number, schedule: ScheduleSpec, step: number, totalSteps: number): number {
  let rate: number;
  switch (schedule.kind) {
    case 'constant': rate = baseLearningRate; break;
    case 'step': rate = baseLearningRate * schedule.gamma ** Math.floor(step / schedule.every); break;
    case 'cosine': {
      const min = schedule.minLearningRate ?? 0;
      rate = min + 0.5 * (baseLearningRate - min) * (1 + Math.cos((Math.PI * step) / Math.max(totalSteps, 1)));
      break;
    }
  }
  const warmup = schedule.warmupSteps ?? 0;
  return warmup > 0 && step < warmup ? rate * ((step + 1) / warmup) : rate;
}
