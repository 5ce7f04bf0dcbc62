/**
 * The per-run figure: loss, accuracy, Hessian trace (± standard error), normalized margin and
 * parameter norm against step, one panel each.
 */
import type { ProbeRecord } from '../probes/probeSuite.ts';
import type { Figure, Panel, Series } from './figure.ts';

function series(records: ProbeRecord[], label: string, pick: (r: ProbeRecord) => number | null | undefined, err?: (r: ProbeRecord) => number | undefined): Series | null {
  const kept = records.filter((r) => pick(r) !== undefined && pick(r) !== null);
  if (kept.length === 0) return null;
  return {
    label,
    x: kept.map((r) => r.step),
    y: kept.map((r) => pick(r) as number),
    ...(err ? { yErr: kept.map((r) => err(r) ?? 0) } : {}),
  };
}

function panel(title: string, yLabel: string, all: (Series | null)[], yScale: Panel['yScale'] = 'linear'): Panel | null {
  const present = all.filter((s): s is Series => s !== null);
  return present.length === 0 ? null : { title, xLabel: 'step (parameter updates)', yLabel, yScale, series: present };
}

/** λ_max against step with the stability threshold 2/η (a line when η is constant): Cohen et al. 2021. */
function sharpnessPanel(records: ProbeRecord[]): Panel | null {
  const lambda = series(records, `λ_max (Lanczos, ${curvatureLabel(records)})`, (r) => r.sharpness);
  if (!lambda) return null;
  const thresholds = [...new Set(records.map((r) => r.stabilityThreshold).filter((t): t is number => t !== undefined))];
  const out = panel('Sharpness', 'top Hessian eigenvalue λ_max', [
    lambda,
    thresholds.length > 1 ? series(records, '2/η', (r) => r.stabilityThreshold) : null,
  ]);
  if (out && thresholds.length === 1) out.hLines = [{ y: thresholds[0], label: '2/η' }];
  return out;
}

/** Which data the Hessian is of, from the records. */
function curvatureLabel(records: ProbeRecord[]): string {
  const r = records.find((x) => x.curvatureData !== undefined);
  if (!r) return 'train subset';
  return r.curvatureData === 'train' ? `all ${r.curvatureExamples} training examples` : `subset of ${r.curvatureExamples} training examples`;
}

export function runFigure(records: ProbeRecord[], title: string, loss: 'cross-entropy' | 'mse' = 'cross-entropy'): Figure {
  // A diverged run's last record (cheap probes at the divergence step) is drawn as a marker.
  const diverged = records.filter((r) => r.diverged);
  const finite = records.filter((r) => !r.diverged);
  const divergedMarker = diverged.length > 0
    ? { label: `diverged at step ${diverged[0].step} (loss ${Number.isFinite(diverged[0].trainLoss) ? diverged[0].trainLoss.toPrecision(3) : 'non-finite'})`, x: [diverged[0].step], y: [Number.isFinite(diverged[0].trainLoss) ? diverged[0].trainLoss : NaN], style: 'points' as const }
    : null;
  records = finite;
  const panels = [
    panel('Loss', loss === 'mse' ? 'squared loss ½·Σ_k(z_k − y_k)², mean' : 'mean cross-entropy (nats)', [
      series(records, 'train', (r) => r.trainLoss),
      series(records, 'test', (r) => r.testLoss),
      divergedMarker,
    ], 'auto'),
    panel('Accuracy', 'accuracy (fraction correct)', [
      series(records, 'train', (r) => r.trainAccuracy),
      series(records, 'test', (r) => r.testAccuracy),
    ]),
    panel('Flatness', 'Hessian trace (Hutchinson, ±1 s.e.)', [
      series(records, `tr ∇²L (${curvatureLabel(records)})`, (r) => r.hessianTrace, (r) => r.hessianTraceStderr),
    ], 'auto'),
    sharpnessPanel(records),
    panel('Normalized margin', 'min margin / ‖θ‖₂^L', [
      series(records, 'normalized margin', (r) => r.normalizedMargin),
    ]),
    panel('Parameter norm', '‖θ‖₂', [series(records, 'ℓ2 norm', (r) => r.paramNormL2)], 'auto'),
  ].filter((p): p is Panel => p !== null);
  return { title, panels, columns: Math.min(3, panels.length) };
}
