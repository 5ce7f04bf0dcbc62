/**
 * The normalized margin min_i q_i / ‖θ‖₂^L, its layer-product form, quantiles and the fraction
 * of positive margins, each recomputed here in float64 from the parameters' values: logits by
 * the README forward pass, q_i = z_{y_i} − max_{j≠y_i} z_j, ‖θ‖₂ summed over every tensor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { normalizedMargin } from '../../src/probes/margin.ts';
import { runProbes } from '../../src/probes/probeSuite.ts';
import { evaluateClassifier, evaluateClassifierWithMargins } from '../../src/probes/evaluate.ts';
import { createRng } from '../../src/util/rng.ts';
import { seededValues } from '../helpers/float64.ts';
import { crossEntropy64, margins64, mlpLogits64 } from '../helpers/mlp64.ts';

beforeAll(async () => { await setupBackend(); });

describe.each([
  [[5, 7, 3]],
  [[6, 10, 8, 4]],
])('normalized margin of the bias-free ReLU MLP %j by hand', (widths) => {
  it('min q_i / ‖θ‖₂^L, min q_i / Π‖W_l‖_F, the quantiles and the fraction positive', () => {
    const n = 31;
    const L = widths.length - 1;
    const k = widths[L];
    const model = createMlp({ widths });
    const params = model.init(createRng(17));
    const kernels = params.map((p) => Float64Array.from(p.dataSync()));
    const xValues = Float32Array.from(seededValues(n * widths[0], 23));
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 5 + 1) % k);
    const q = margins64(mlpLogits64(widths, kernels, xValues, n), labels, k);
    const squared = kernels.map((w) => w.reduce((s, v) => s + v * v, 0));
    const normL = Math.sqrt(squared.reduce((a, b) => a + b, 0)) ** L;
    const layerProduct = squared.reduce((prod, s) => prod * Math.sqrt(s), 1);
    const sorted = q.map((v) => v / normL).sort((a, b) => a - b);
    const minQ = Math.min(...q);
    // Both signs occur, so the minimum is not trivially the first or a positive entry.
    expect(q.some((v) => v > 0) && q.some((v) => v < 0)).toBe(true);

    const x = tf.tensor2d(xValues, [n, widths[0]]);
    const r = normalizedMargin(model, params, x, labels);
    const close = (got: number | null, want: number) => expect(Math.abs(got! - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
    expect(r.homogeneityDegree).toBe(L);
    expect(r.homogeneity.verified).toBe(true);
    close(r.minUnnormalized, minQ);
    close(r.normalized, minQ / normL);
    close(r.normalizedByLayerProduct, minQ / layerProduct);
    expect(r.quantilesOf).toBe('normalized');
    const byQ = new Map(r.quantiles.map((e) => [e.q, e.value]));
    close(byQ.get(0)!, sorted[0]);
    close(byQ.get(1)!, sorted[n - 1]);
    close(byQ.get(0.5)!, sorted[15]); // n = 31: the median is the 16th value
    close(byQ.get(0.25)!, sorted[7.5 | 0] + 0.5 * (sorted[8] - sorted[7])); // position 30·0.25 = 7.5
    expect(r.fractionPositive).toBe(q.filter((v) => v > 0).length / n);

    // The probe suite takes q_i from the loss evaluation's logits (one forward pass over the
    // training set for both), in chunks: the same hand values must come out.
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), k).toFloat() as tf.Tensor2D;
    const evaluated = evaluateClassifierWithMargins(model, params, x, oneHot, labels, 8);
    expect(evaluated.margins.length).toBe(n);
    evaluated.margins.forEach((m, i) => close(m, q[i]));
    const train = { x, oneHot, labels, n };
    // Loss (cross-entropy and ½Σ(z − y)² per example) and accuracy against float64, in chunks
    // that do and do not divide n.
    const logits64 = mlpLogits64(widths, kernels, xValues, n);
    const ce = crossEntropy64(logits64, labels, k);
    let squaredLoss = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) squaredLoss += 0.5 * (logits64[i * k + j] - (labels[i] === j ? 1 : 0)) ** 2;
    for (const chunk of [8, n, 4096]) {
      const e = evaluateClassifier(model, params, x, oneHot, labels, chunk);
      close(e.loss, ce.loss);
      expect(e.accuracy).toBe(ce.accuracy);
      close(evaluateClassifier(model, params, x, oneHot, labels, chunk, 'mse').loss, squaredLoss / n);
      const withMargins = evaluateClassifierWithMargins(model, params, x, oneHot, labels, chunk);
      close(withMargins.loss, ce.loss);
      expect(withMargins.accuracy).toBe(ce.accuracy);
    }
    expect(ce.accuracy).toBeGreaterThan(0);
    expect(ce.accuracy).toBeLessThan(1);
    const record = runProbes(model, params, { train, curvature: train }, { trace: false, eig: false, margin: true, norms: false, seed: 1 }, 0);
    close(record.minMargin ?? null, minQ);
    close(record.normalizedMargin ?? null, minQ / normL);
    close(record.normalizedMarginLayerProduct ?? null, minQ / layerProduct);
    tf.dispose([...params, x, oneHot]);
  });
});
