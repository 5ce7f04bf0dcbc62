/**
 * The squared classification loss L = (1/n) Σ_i ½ Σ_k (z_ik − onehot_ik)² (Cohen et al. 2021):
 * value, gradient and exact HVP of a tanh MLP against a plain-JS float64 forward pass (central
 * differences of the value, mixed second differences for Hv), and the chunked objective the
 * curvature probes use agreeing with the unchunked loss.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { gradientOf, hessianVectorProduct } from '../../src/probes/hvp.ts';
import { classificationObjective, objectiveGradient, objectiveHessian } from '../../src/probes/objective.ts';
import { oneHotFloat, squaredErrorOneHot } from '../../src/train/loss.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { createRng } from '../../src/util/rng.ts';
import { hessianVectorProductFloat64, relativeError, seededValues } from '../helpers/float64.ts';
import { gradientCentral64 } from '../helpers/convFloat64.ts';

const widths = [5, 7, 4];
const n = 15;
const inputs = seededValues(n * widths[0], 401, 1.5);
const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % widths[2]);

/** ½·mean_i Σ_k (z_ik − onehot_ik)² of the bias-free tanh MLP, in float64. */
function mseLoss64(theta: Float64Array): number {
  let total = 0;
  for (let e = 0; e < n; e++) {
    let h = Array.from(inputs.subarray(e * widths[0], (e + 1) * widths[0]));
    let off = 0;
    for (let l = 0; l < widths.length - 1; l++) {
      const z = new Array(widths[l + 1]).fill(0);
      for (let i = 0; i < widths[l]; i++) for (let j = 0; j < widths[l + 1]; j++) z[j] += h[i] * theta[off + i * widths[l + 1] + j];
      off += widths[l] * widths[l + 1];
      h = l < widths.length - 2 ? z.map(Math.tanh) : z;
    }
    for (let k = 0; k < h.length; k++) total += 0.5 * (h[k] - (labels[e] === k ? 1 : 0)) ** 2;
  }
  return total / n;
}

describe('squared classification loss (training.loss = "mse")', () => {
  beforeAll(async () => { await setupBackend(); });

  it('value, gradient and exact HVP agree with float64 finite differences (1e-5, 1e-4, 1e-4 relative)', () => {
    const model = createMlp({ widths, activation: 'tanh', init: 'lecun' });
    const params = model.init(createRng(11));
    const flat = Float64Array.from(params.flatMap((t) => Array.from(t.dataSync())));
    const x = tf.tensor2d(Array.from(inputs), [n, widths[0]]);
    const y = oneHotFloat(labels, widths[2]);
    const loss = (ps: tf.Tensor[]) => squaredErrorOneHot(model.apply(ps, x) as tf.Tensor2D, y);

    const { value, grads } = gradientOf(loss, params);
    expect(Math.abs(value.dataSync()[0] - mseLoss64(flat)) / mseLoss64(flat)).toBeLessThan(1e-5);
    const gotGrad = Float64Array.from(grads.flatMap((t) => Array.from(t.dataSync())));
    expect(relativeError(gotGrad, gradientCentral64(mseLoss64, flat, 1e-5))).toBeLessThan(1e-4);

    const direction = seededValues(flat.length, 402);
    let offset = 0;
    const v = params.map((t) => { const s = direction.subarray(offset, offset + t.size); offset += t.size; return tf.tensor(Array.from(s), t.shape); });
    const hv = hessianVectorProduct(loss, params, v);
    const gotHv = Float64Array.from(hv.flatMap((t) => Array.from(t.dataSync())));
    expect(relativeError(gotHv, hessianVectorProductFloat64(mseLoss64, flat, direction, 1e-5, 1e-5))).toBeLessThan(1e-4);

    // The chunked objective of the curvature probes is the same loss (chunks of 4 of the 15 examples).
    const data = { x, oneHot: y, labels, n };
    const objective = classificationObjective(model, data, 4, 'mse');
    expect(Math.abs(objectiveGradient(objective, params).loss - mseLoss64(flat)) / mseLoss64(flat)).toBeLessThan(1e-5);
    expect(relativeError(objectiveHessian(objective, params).apply(direction), gotHv)).toBeLessThan(1e-5);
    tf.dispose([params, grads, value, x, y, v, hv]);
  });

  it('normalisation: at zero logits the loss is ½ (one unit target per example), independent of K', () => {
    const y = oneHotFloat(Int32Array.from([0, 3, 2]), 10);
    const z = tf.zeros([3, 10]) as tf.Tensor2D;
    expect(squaredErrorOneHot(z, y).dataSync()[0]).toBeCloseTo(0.5, 7);
    tf.dispose([y, z]);
  });
});
