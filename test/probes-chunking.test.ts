/**
 * Every data-dependent probe gives the same result (to 1e-5 relative) whatever the data chunk
 * size, including chunk sizes that do not divide n: the chunk weights n_c/n are right.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { classificationObjective, gradientNormSquared, objectiveGradient, objectiveHessian, objectiveLoss } from '../src/probes/objective.ts';
import { hutchinsonTrace, hutchPlusPlusTrace } from '../src/probes/hessianTrace.ts';
import { lanczosTopEigenvalues } from '../src/probes/eigen.ts';
import { exampleMargins } from '../src/probes/margin.ts';
import { evaluateClassifier } from '../src/probes/evaluate.ts';
import { gradientNoiseScale } from '../src/probes/gradientNoise.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { softmaxCrossEntropy } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';
import { relativeError, seededValues } from './helpers/float64.ts';
import { syntheticDataset } from './helpers/data.ts';

describe('probes are invariant to the data chunk size', () => {
  beforeAll(async () => { await setupBackend(); });

  it('loss, gradient, HVP, Hutchinson, Hutch++, λ_max, ‖∇L‖², noise scale, margins and accuracy agree across chunk sizes 7, 32 and n', () => {
    const model = createMlp({ widths: [8, 20, 16, 5] });
    const data = toTensorData(syntheticDataset(100, 8, 5, 3, 1.5));
    const params = model.init(createRng(2));
    const v = seededValues(model.paramSpecs.reduce((s, p) => s + p.shape[0] * p.shape[1], 0), 5);
    const results = [7, 32, 100].map((chunk) => {
      const obj = classificationObjective(model, data, chunk);
      const op = objectiveHessian(obj, params);
      return {
        loss: objectiveLoss(obj, params),
        grad: objectiveGradient(obj, params).gradient,
        hv: op.apply(v),
        trace: hutchinsonTrace(op, { samples: 5, rng: createRng(9) }).estimate,
        hpp: hutchPlusPlusTrace(op, { matvecs: 6, rng: createRng(9) }).estimate,
        lmax: lanczosTopEigenvalues(op, { k: 1, tol: 1e-9, rng: createRng(10) }).eigenvalues[0],
        g2: gradientNormSquared(obj, params),
        noise: gradientNoiseScale(obj, params, { examples: 100 }).traceCovariance,
        margins: exampleMargins(model, params, data.x, data.labels, chunk),
        eval: evaluateClassifier(model, params, data.x, data.oneHot, data.labels, chunk),
      };
    });
    // The unchunked loss, straight from the definition.
    const direct = tf.tidy(() => softmaxCrossEntropy(model.apply(params, data.x), data.oneHot).dataSync()[0]);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    expect(rel(results[0].loss, direct)).toBeLessThan(1e-5);
    for (const r of results.slice(0, 2)) {
      const ref = results[2];
      expect(rel(r.loss, ref.loss)).toBeLessThan(1e-5);
      expect(relativeError(r.grad, ref.grad)).toBeLessThan(1e-5);
      expect(relativeError(r.hv, ref.hv)).toBeLessThan(1e-5);
      expect(rel(r.trace, ref.trace)).toBeLessThan(1e-5);
      expect(rel(r.hpp, ref.hpp)).toBeLessThan(1e-5);
      expect(rel(r.lmax, ref.lmax)).toBeLessThan(1e-5);
      expect(rel(r.g2, ref.g2)).toBeLessThan(1e-5);
      expect(rel(r.noise, ref.noise)).toBeLessThan(1e-5);
      expect(relativeError(r.margins, ref.margins)).toBeLessThan(1e-5);
      expect(rel(r.eval.loss, ref.eval.loss)).toBeLessThan(1e-5);
      expect(r.eval.accuracy).toBe(ref.eval.accuracy);
    }
    expect(tf.memory().numTensors).toBeLessThan(20); // nothing leaked by the probes
  });
});
