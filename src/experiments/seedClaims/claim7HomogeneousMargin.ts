/**
 * Claim 7 (Lyu & Li 2020): for a positively homogeneous network (bias-free ReLU MLP, degree L
 * in its parameters) trained by GD on the logistic loss, once the training loss is below
 * ln 2 / n (every example classified with a positive margin) the normalized margin
 *   γ(θ) = min_i y_i f(x_i; θ) / ‖θ‖₂^L
 * is non-decreasing up to O(η) discretisation noise — their smoothed margin
 *   γ̃(θ) = log(1/(exp(nL(θ)) − 1)) / ‖θ‖₂^L   (logistic loss, L(θ) the mean loss)
 * is exactly monotone for gradient flow. The verdict is on the largest relative drop of γ below
 * its running maximum after that point.
 */
import * as tf from '@tensorflow/tfjs';
import { separableClassification } from '../../data/synthetic.ts';
import { createMlp } from '../../models/mlp.ts';
import { gradientDescent } from '../../optim/gradientDescent.ts';
import { minimize } from '../../train/minimize.ts';
import { createRng } from '../../util/rng.ts';
import { claimProgress, logisticObjective, sci, tensorsOf, type ClaimOptions, type ClaimResult } from './common.ts';

export const CLAIM7_THRESHOLD = 1e-3;

export function claim7(options: ClaimOptions): ClaimResult {
  const started = Date.now();
  const smoke = options.size === 'smoke';
  const { n, p, hidden, steps, every } = smoke ? { n: 20, p: 4, hidden: 16, steps: 1500, every: 25 } : { n: 40, p: 6, hidden: 32, steps: 20000, every: 100 };
  const { X, y } = separableClassification({ n, p, margin: 0.1, seed: 71 });
  const model = createMlp({ widths: [p, hidden, 1], activation: 'relu', bias: false, init: 'he' });
  const L = model.homogeneityDegree!;
  const { Xt, yt } = tensorsOf(X, y);
  const eta = 0.1;
  const trace = { step: [] as number[], loss: [] as number[], accuracy: [] as number[], margin: [] as number[], smoothed: [] as number[] };
  const progress = claimProgress(options, 'claim 7 (ReLU MLP normalized margin)', steps);
  const result = minimize({
    objective: logisticObjective(model, Xt, yt), rule: gradientDescent(), params: model.init(createRng(72)), steps, learningRate: eta,
    recordAt: (s) => s % every === 0,
    onRecord: (s, params) => {
      const { scores, sq } = tf.tidy(() => ({
        scores: tf.mul(model.apply(params, Xt).reshape([-1]), yt),
        sq: params.reduce((acc: tf.Tensor, q) => tf.add(acc, tf.sum(tf.square(q))), tf.scalar(0)),
      }));
      const m = Array.from(scores.dataSync());
      const normL = Math.pow(Math.sqrt(sq.dataSync()[0]), L);
      tf.dispose([scores, sq]);
      // Loss in float64 from the margins: mean log(1 + e^{−m}).
      const loss = m.reduce((a, v) => a + (v > 0 ? Math.log1p(Math.exp(-v)) : -v + Math.log1p(Math.exp(v))), 0) / n;
      trace.step.push(s);
      trace.loss.push(loss);
      trace.accuracy.push(m.filter((v) => v > 0).length / n);
      trace.margin.push(Math.min(...m) / normL);
      trace.smoothed.push(n * loss < 30 ? -Math.log(Math.expm1(n * loss)) / normL : NaN);
    },
    onProgress: () => progress.advance(),
  });
  progress.done();
  tf.dispose([Xt, yt, ...result.params]);

  const start = trace.loss.findIndex((l, i) => l < Math.log(2) / n && trace.accuracy[i] === 1);
  let maxDrop = 0;
  let smoothedDrops = 0;
  if (start >= 0) {
    let best = trace.margin[start];
    for (let i = start; i < trace.step.length; i++) {
      best = Math.max(best, trace.margin[i]);
      maxDrop = Math.max(maxDrop, (best - trace.margin[i]) / Math.abs(best));
      if (i > start && trace.smoothed[i] < trace.smoothed[i - 1] * (1 - 1e-5)) smoothedDrops++;
    }
  }
  const last = trace.step.length - 1;
  const increase = start >= 0 ? trace.margin[last] / trace.margin[start] : NaN;
  const pass = start >= 0 && maxDrop <= CLAIM7_THRESHOLD && increase >= 1 && result.status === 'completed';
  const from = start >= 0 ? trace.step[start] : NaN;
  return {
    id: 7,
    title: 'GD on a homogeneous ReLU MLP: normalized margin non-decreasing after separation',
    citation: 'Lyu & Li 2020',
    pass,
    measured: start < 0
      ? `training loss never fell below ln2/n in ${sci(steps)} steps`
      : `max relative drop of γ below its running max = ${sci(maxDrop)} over steps ${from}–${steps} (γ grew ×${sci(increase, 3)}; smoothed margin decreased at ${smoothedDrops} of ${last - start} probes)`,
    threshold: `threshold ${sci(CLAIM7_THRESHOLD)}`,
    details: { n, p, hidden, steps, eta, L, separatedAt: from, maxDrop, increase, smoothedDrops, finalMargin: trace.margin[last], finalLoss: trace.loss[last] },
    figure: {
      title: `Claim 7: bias-free ReLU MLP [${p}, ${hidden}, 1] (L = ${L}), GD η = ${eta}, logistic loss, n = ${n}`,
      panels: [
        {
          title: 'normalized margin min_i y_i f(x_i)/‖θ‖^L',
          xLabel: 'GD step t', xScale: 'log', yLabel: 'normalized margin (output units / ‖θ‖^L)',
          series: [
            { label: 'γ(θ_t)', x: trace.step.slice(1), y: trace.margin.slice(1) },
            { label: 'smoothed γ̃(θ_t)', x: trace.step.slice(1), y: trace.smoothed.slice(1), dashed: true },
          ],
          yMin: start >= 0 ? Math.min(0, trace.margin[start]) : undefined,
        },
        {
          title: 'training loss and the ln2/n separation point',
          xLabel: 'GD step t', xScale: 'log', yLabel: 'mean logistic loss (nats)', yScale: 'log',
          series: [{ label: 'training loss', x: trace.step.slice(1), y: trace.loss.slice(1) }],
          hLines: [{ y: Math.log(2) / n, label: 'ln 2 / n' }],
        },
      ],
    },
    seconds: (Date.now() - started) / 1000,
  };
}
