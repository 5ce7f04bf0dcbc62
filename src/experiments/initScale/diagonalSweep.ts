/**
 * The diagonal linear network's α sweep (Woodworth et al. 2020; seed claim 5), as the contrast
 * the MLP study lacks: a model where the rich end has a known closed-form bias. GD on
 * θ = u⊙u − v⊙v from u₀ = v₀ = α·1 on an underdetermined sparse-teacher regression reaches the
 * minimum-ℓ1 interpolant as α → 0 and the minimum-ℓ2 one as α → ∞, so the solution's ℓ1 norm
 * rises with α from ‖θ_ℓ1‖₁ to ‖θ_ℓ2‖₁.
 *
 * Not an `ibl run` model kind (a regression, not a classifier), so it runs in-process as this
 * small deterministic function (seconds), called by the study's report and cached in the study
 * folder next to the spec it was computed for. Step size as in claim 5:
 * η = 0.1 / (λ_max(XᵀX/n) · max(‖θ_ℓ1‖∞, α²)). Float32 limits α to ≤ 3 (claim 5's note on
 * u² − v² cancellation).
 */
import * as tf from '@tensorflow/tfjs';
import { sparseTeacherRegression } from '../../data/synthetic.ts';
import { createDiagonalNetwork, diagonalNetworkWeights } from '../../models/diagonalNetwork.ts';
import { gradientDescent } from '../../optim/gradientDescent.ts';
import { minL1Interpolant, minNormInterpolant } from '../../reference/index.ts';
import { minimize } from '../../train/minimize.ts';
import { createRng } from '../../util/rng.ts';
import { leastSquaresSmoothness, relativeDistance, squaredLossObjective, tensorsOf } from '../seedClaims/common.ts';

export interface DiagonalSweepSpec { n: number; p: number; k: number; steps: number; alphas: number[]; seed: number }

export interface DiagonalSweepResult {
  spec: DiagonalSweepSpec;
  minL1Norm: number;
  minL2SolutionL1Norm: number;
  rows: { alpha: number; l1Norm: number; toMinL1: number; toMinL2: number; residual: number; status: string }[];
}

const l1 = (v: readonly number[]) => v.reduce((s, x) => s + Math.abs(x), 0);

export async function diagonalAlphaSweep(spec: DiagonalSweepSpec): Promise<DiagonalSweepResult> {
  const { n, p, k, steps, alphas, seed } = spec;
  const { X, y } = sparseTeacherRegression({ n, p, k, seed });
  const thetaL1 = (await minL1Interpolant(X, y)).theta;
  const thetaL2 = minNormInterpolant(X, y).theta;
  const lambdaMax = leastSquaresSmoothness(X);
  const l1Max = Math.max(...thetaL1.map(Math.abs));
  const { Xt, yt } = tensorsOf(X, y);
  try {
    const rows = alphas.map((alpha) => {
      const model = createDiagonalNetwork({ inputSize: p, alpha });
      const result = minimize({
        objective: squaredLossObjective(model, Xt, yt), rule: gradientDescent(), params: model.init(createRng(0)), steps,
        learningRate: 0.1 / (lambdaMax * Math.max(l1Max, alpha * alpha)),
      });
      const w = diagonalNetworkWeights(result.params);
      const theta = Array.from(w.dataSync());
      tf.dispose([w, ...result.params]);
      const residual = Math.sqrt(X.reduce((s, row, i) => s + (row.reduce((a, v, j) => a + v * theta[j], 0) - y[i]) ** 2, 0) / n);
      return { alpha, l1Norm: l1(theta), toMinL1: relativeDistance(theta, thetaL1), toMinL2: relativeDistance(theta, thetaL2), residual, status: result.status };
    });
    return { spec, minL1Norm: l1(thetaL1), minL2SolutionL1Norm: l1(thetaL2), rows };
  } finally {
    tf.dispose([Xt, yt]);
  }
}
