/**
 * Claim 1: GD on underdetermined least squares (1/2n)‖Xθ − y‖² stays in θ₀ + row(X), so from
 * θ₀ = 0 it converges to the minimum-ℓ2 interpolant X⊤(XX⊤)⁻¹y and from θ₀ ≠ 0 to the
 * interpolant closest to θ₀ (e.g. Gunasekar et al. 2018, §2).
 */
import * as tf from '@tensorflow/tfjs';
import { underdeterminedRegression } from '../../data/synthetic.ts';
import { createLinearModel } from '../../models/linear.ts';
import { gradientDescent } from '../../optim/gradientDescent.ts';
import { closestInterpolant, minNormInterpolant } from '../../reference/index.ts';
import { minimize } from '../../train/minimize.ts';
import { createRng } from '../../util/rng.ts';
import type { Series } from '../../report/figure.ts';
import {
  claimProgress, leastSquaresSmoothness, logSpacedSteps, relativeDistance, sci, squaredLossObjective, tensorsOf, valuesOf,
  type ClaimOptions, type ClaimResult,
} from './common.ts';

export const CLAIM1_THRESHOLD = 1e-3;

export function claim1(options: ClaimOptions): ClaimResult {
  const started = Date.now();
  const { n, p, steps } = options.size === 'smoke' ? { n: 10, p: 30, steps: 800 } : { n: 20, p: 60, steps: 3000 };
  const problem = underdeterminedRegression({ n, p, teacher: 'dense', noise: 0.1, seed: 11 });
  const { X, y } = problem;
  const eta = 1 / leastSquaresSmoothness(X);
  const rng = createRng(12);
  const theta0 = Array.from({ length: p }, () => rng.normal() / Math.sqrt(p) * 3);
  const minNorm = minNormInterpolant(X, y).theta;
  const closest = closestInterpolant(X, y, theta0).theta;
  const { Xt, yt } = tensorsOf(X, y);
  const recordSteps = new Set(logSpacedSteps(steps));
  const progress = claimProgress(options, 'claim 1 (GD → min-norm)', 2 * steps);
  const runs = [
    { label: 'θ₀ = 0', start: new Array<number>(p).fill(0) },
    { label: 'θ₀ ≠ 0', start: theta0 },
  ].map(({ label, start }) => {
    const model = createLinearModel({ inputSize: p, init: { kind: 'values', values: start } });
    const trace = { step: [] as number[], toMinNorm: [] as number[], toClosest: [] as number[] };
    const result = minimize({
      objective: squaredLossObjective(model, Xt, yt),
      rule: gradientDescent(),
      params: model.init(rng),
      steps,
      learningRate: eta,
      recordAt: (s) => recordSteps.has(s),
      onRecord: (s, params) => {
        const theta = valuesOf(params);
        trace.step.push(s);
        trace.toMinNorm.push(relativeDistance(theta, minNorm));
        trace.toClosest.push(relativeDistance(theta, closest));
      },
      onProgress: () => progress.advance(),
    });
    const final = valuesOf(result.params);
    tf.dispose(result.params);
    return { label, trace, final, status: result.status };
  });
  progress.done();
  tf.dispose([Xt, yt]);

  const fromZero = relativeDistance(runs[0].final, minNorm);
  const fromTheta0 = relativeDistance(runs[1].final, closest);
  const theta0VsMinNorm = relativeDistance(runs[1].final, minNorm);
  const pass = fromZero < CLAIM1_THRESHOLD && fromTheta0 < CLAIM1_THRESHOLD && runs.every((r) => r.status === 'completed');
  const series: Series[] = [
    { label: 'θ₀ = 0: ‖θ_t − θ_ℓ2‖/‖θ_ℓ2‖', x: runs[0].trace.step, y: runs[0].trace.toMinNorm },
    { label: 'θ₀ ≠ 0: ‖θ_t − θ_closest(θ₀)‖/‖θ_closest‖', x: runs[1].trace.step, y: runs[1].trace.toClosest },
    { label: 'θ₀ ≠ 0: ‖θ_t − θ_ℓ2‖/‖θ_ℓ2‖', x: runs[1].trace.step, y: runs[1].trace.toMinNorm, dashed: true },
  ];
  return {
    id: 1,
    title: 'GD on underdetermined least squares → minimum-ℓ2 / closest interpolant',
    citation: 'e.g. Gunasekar et al. 2018',
    pass,
    measured: `rel. dist. to min-ℓ2 = ${sci(fromZero)} from θ₀=0, to closest-to-θ₀ = ${sci(fromTheta0)} from θ₀≠0 after ${sci(steps)} steps`,
    threshold: `threshold ${sci(CLAIM1_THRESHOLD)}`,
    details: { n, p, steps, eta, fromZero, fromTheta0, theta0VsMinNorm },
    figure: {
      title: `Claim 1: GD on least squares (n = ${n}, p = ${p}, η = 1/λ_max) picks the interpolant nearest its start`,
      panelWidth: 760,
      panels: [{
        title: 'relative distance to the reference interpolants',
        xLabel: 'GD step t', xScale: 'log', yLabel: 'relative ℓ2 distance (dimensionless)', yScale: 'log',
        series: series.map((s) => ({ ...s, x: s.x.map((v) => Math.max(v, 1)) })),
        hLines: [{ y: CLAIM1_THRESHOLD, label: `threshold ${sci(CLAIM1_THRESHOLD)}` }],
      }],
    },
    seconds: (Date.now() - started) / 1000,
  };
}
