/**
 * A study's duration before it starts, from times measured here and now on the backend its
 * points will use — not from a constant that holds for one machine and one backend. For each
 * distinct kind of point (data shape, model, batch, probes: points that differ only in seed,
 * learning rate, labels or budget cost the same per step) the run's own training loop
 * (runSetup.ts) runs a few steps; that gives
 *   stepSeconds       one training step (gradient + update), the median after a warm-up step,
 *   probeSeconds      one light probe record (losses, accuracy, norms, margin),
 *   curvatureSeconds  one full probe record (adds the Hessian trace / λ_max when configured),
 *   trackingSeconds   one sharpness-tracking record (probes.sharpnessEvery), when configured,
 *   setupSeconds      loading the data and building the model (each point does it once).
 * A point's estimate is the sum over its remaining step budget of what its schedule asks
 * (train/trainLoop.ts); points go longest-first onto the parallel jobs. It is an upper bound when
 * points may stop early (stopAtTrainAccuracy / stopAtTrainLoss), and it ignores the slowdown of
 * two processes sharing memory bandwidth; the progress lines refine it as points finish.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../runConfig.ts';
import { prepareRun } from '../runSetup.ts';
import { trainLoopSteps } from '../../train/trainLoop.ts';
import { runProbes } from '../../probes/probeSuite.ts';
import { createRng } from '../../util/rng.ts';
import { derivedSeed } from '../../train/batches.ts';

export interface PointCost {
  stepSeconds: number;
  probeSeconds: number;
  curvatureSeconds: number;
  trackingSeconds: number;
  setupSeconds: number;
}

/** Starting a child process and the backend (tsx, TF.js, the self-test); measured ~1.5–2.5 s. */
export const processStartSeconds = 2;
/** Writing a run's record: initial and final checkpoints, summary, figure; ~0.3–1 s measured. */
export const recordSeconds = 1;

/** What makes two points cost the same per step (everything but seeds, rates, labels and budgets). */
export function costKey(config: RunConfig): string {
  const { corruption: _corruption, ...data } = config.data;
  return JSON.stringify({
    backend: config.backend, data, model: config.model, loss: config.training.loss,
    optimizer: { kind: config.optimizer.kind, batchSize: config.optimizer.batchSize ?? null },
    probes: config.probes,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Times a few steps and probes of the run `config` describes (nothing is written): steps until
 * `minSeconds` of them are timed (at least 3, at most 30), so that millisecond steps are not
 * priced by one noisy sample.
 */
export function measurePointCost(config: RunConfig, minSeconds = 0.25): PointCost {
  const setupStart = performance.now();
  const run = prepareRun(config);
  const setupSeconds = (performance.now() - setupStart) / 1000;
  try {
    let params = run.model.init(createRng(derivedSeed(config.seed, 'init')));
    let state = run.rule.initState(params);
    // Starting at step 1 skips the loop's step-0 probe, and the loop is left (return()) before
    // its last step, so no probe runs inside it: only training steps are timed. The first step
    // is a warm-up; the median of the following intervals is the step time.
    const maxSteps = 30;
    const stamps: number[] = [];
    const loop = trainLoopSteps({
      ...run.loopOptions,
      steps: maxSteps + 2,
      probeEvery: Number.MAX_SAFE_INTEGER,
      curvatureEvery: Number.MAX_SAFE_INTEGER,
      stopWhen: undefined,
      sharpness: undefined,
      start: { params, state, step: 1 },
      onStep: () => { stamps.push(performance.now()); },
    });
    for (;;) {
      const next = loop.next();
      if (next.done) { params = next.value.params; state = next.value.state; break; }
      params = next.value.params;
      state = next.value.state;
      const timed = stamps.length - 1;
      if (timed >= maxSteps || (timed >= 3 && (stamps[stamps.length - 1] - stamps[0]) / 1000 >= minSeconds)) {
        loop.return(undefined as never);
        break;
      }
    }
    const stepSeconds = stamps.length >= 2 ? median(stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000)) : Number.NaN;
    const data = { ...run.loopOptions.data, init: run.init };
    const timedProbe = (curvature: boolean) => {
      const t0 = performance.now();
      runProbes(run.model, params, data, {
        ...run.loopOptions.probes, ...(curvature ? {} : { trace: false as const, eig: false as const }),
        seed: 0, learningRate: config.optimizer.learningRate,
      }, 1);
      return (performance.now() - t0) / 1000;
    };
    const probeSeconds = timedProbe(false);
    const curvatureSeconds = timedProbe(true);
    let trackingSeconds = 0;
    if (run.loopOptions.sharpness) {
      // A tracking record: the light probe plus a warm-started λ_max (measured over two records).
      const tracked = trainLoopSteps({
        ...run.loopOptions, steps: 4, probeEvery: 4, curvatureEvery: 4, stopWhen: undefined,
        sharpness: { ...run.loopOptions.sharpness, every: 1 }, start: { params, state, step: 1 },
      });
      let result = tracked.next();
      while (!result.done) result = tracked.next();
      params = result.value.params;
      state = result.value.state;
      const t = result.value.timings;
      trackingSeconds = probeSeconds + (t.sharpnessMeasurements > 0 ? t.sharpnessSeconds / t.sharpnessMeasurements : 0);
    }
    tf.dispose(params);
    for (const list of Object.values(state)) tf.dispose(list);
    return { stepSeconds, probeSeconds, curvatureSeconds, trackingSeconds, setupSeconds };
  } finally {
    run.dispose();
  }
}

/** What the rest of a point's budget asks of the training loop (train/trainLoop.ts's schedule). */
export interface PointSchedule {
  steps: number;
  /** Probe records, of which `curvature` carry the curvature probes (trace / λ_max). */
  probes: number;
  curvature: number;
  /** Sharpness-tracking records between probes (probes.sharpnessEvery). */
  tracking: number;
}

export function pointSchedule(config: RunConfig, stepsDone = 0): PointSchedule {
  const steps = config.training.steps;
  if (stepsDone >= steps) return { steps: 0, probes: 0, curvature: 0, tracking: 0 };
  const every = config.probes.every;
  const curvatureEvery = config.probes.curvatureEvery ?? 10 * every;
  const countIn = (period: number) => Math.floor(steps / period) - Math.floor(stepsDone / period);
  // A record at step 0, at every multiple of probes.every and at the last step; the curvature
  // probes on multiples of curvatureEvery, at step 0 and at the last step.
  const first = stepsDone === 0 ? 1 : 0;
  const probes = first + countIn(every) + (steps % every !== 0 ? 1 : 0);
  const curvature = Math.min(probes, first + countIn(curvatureEvery) + (steps % curvatureEvery !== 0 ? 1 : 0));
  const sharpnessEvery = config.probes.sharpnessEvery;
  const tracking = sharpnessEvery
    ? countIn(sharpnessEvery) - countIn(leastCommonMultiple(sharpnessEvery, every)) - (steps % sharpnessEvery === 0 && steps % every !== 0 ? 1 : 0)
    : 0;
  return { steps: steps - stepsDone, probes, curvature, tracking };
}

/** Seconds for `config` from `stepsDone` to its full budget. */
export function estimatePointSeconds(config: RunConfig, cost: PointCost, stepsDone = 0): number {
  const s = pointSchedule(config, stepsDone);
  if (s.steps === 0) return 0;
  return processStartSeconds + recordSeconds + cost.setupSeconds + s.steps * cost.stepSeconds
    + (s.probes - s.curvature) * cost.probeSeconds + s.curvature * cost.curvatureSeconds + s.tracking * cost.trackingSeconds;
}

function leastCommonMultiple(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

export interface StudyEstimate {
  /** Wall-clock seconds with `jobs` points at once (longest first), over the measured points. */
  seconds: number;
  /** Distinct kinds of point measured, and the time the measurement took. */
  kinds: number;
  measureSeconds: number;
  /** Whether a point may stop before its budget (the estimate is then an upper bound). */
  upperBound: boolean;
  /** Range of the measured step times (seconds). */
  stepSeconds: [number, number];
  /** Points whose kind could not be measured (their data does not load, the loss diverges at once…): left out. */
  unmeasured: { count: number; reason: string } | null;
}

export function estimateStudy(points: { config: RunConfig; stepsDone?: number }[], jobs: number, measure: (config: RunConfig) => PointCost = measurePointCost): StudyEstimate {
  const started = performance.now();
  const costs = new Map<string, PointCost | Error>();
  let unmeasured = null as StudyEstimate['unmeasured'];
  const each: number[] = [];
  for (const { config, stepsDone } of points) {
    const key = costKey(config);
    let cost = costs.get(key);
    if (!cost) {
      try {
        cost = measure(config);
        if (!Number.isFinite(cost.stepSeconds)) cost = new Error('no training step completed (the loss diverged at once)');
      } catch (error) {
        cost = error as Error;
      }
      costs.set(key, cost);
    }
    if (cost instanceof Error) unmeasured = { count: (unmeasured?.count ?? 0) + 1, reason: unmeasured?.reason ?? cost.message };
    else each.push(estimatePointSeconds(config, cost, stepsDone ?? 0));
  }
  each.sort((a, b) => b - a);
  const load = new Array(Math.max(1, jobs)).fill(0);
  for (const t of each) { const i = load.indexOf(Math.min(...load)); load[i] += t; }
  const stepTimes = [...costs.values()].filter((c): c is PointCost => !(c instanceof Error)).map((c) => c.stepSeconds);
  return {
    seconds: Math.max(...load),
    kinds: stepTimes.length,
    measureSeconds: (performance.now() - started) / 1000,
    upperBound: points.some(({ config }) => config.training.stopAtTrainAccuracy !== undefined || config.training.stopAtTrainLoss !== undefined),
    stepSeconds: stepTimes.length ? [Math.min(...stepTimes), Math.max(...stepTimes)] : [Number.NaN, Number.NaN],
    unmeasured,
  };
}

export function formatMilliseconds(seconds: number): string {
  const ms = seconds * 1000;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`;
}
