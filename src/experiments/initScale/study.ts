/**
 * `ibl reproduce init-scale`: lazy (kernel) versus rich (feature-learning) training as the
 * initialisation scale α varies (Chizat, Oyallon & Bach 2019; Jacot et al. 2018; Geiger et al.
 * 2020; Woodworth et al. 2020).
 *
 *   points: for each architecture, parameterisation (lazy: α·(f(θ) − f(θ₀)) with loss/α²;
 *           plain: init scale α) and α, one full-batch GD `ibl run` probed at step 0 and at the
 *           end for movement, kernel change, linearisation and kernel-predictor distances
 *   report: figures against α, a table, the diagonal-network contrast, and verdicts:
 *           lazy — kernel change and distance to the kernel predictor fall monotonically over
 *           the α grid, and at the largest α are below `thresholds`; plain — kernel change falls
 *           monotonically; diagonal net — ℓ1 norm rises with α from the min-ℓ1 interpolant.
 * The report reads only the collected run folders (and its own cached diagonal sweep).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CollectedPoint, StudyDefinition, StudyPoint, StudyVerdict } from '../study/types.ts';
import type { StudyKind } from '../study/registry.ts';
import { parseRunConfig } from '../runConfig.ts';
import { saveFigure, type Figure, type Series } from '../../report/figure.ts';
import { markdownTable } from '../../report/markdownTable.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.ts';
import { initScaleSpecSchema, schedule, weightLayers, type InitScaleSpec } from './config.ts';
import { diagonalAlphaSweep, type DiagonalSweepResult } from './diagonalSweep.ts';

/** Verdict thresholds at the largest α of the lazy sweep (measured quick scale: 1.7e-3 and 3.5e-2). */
export const thresholds = { kernelChange: 0.01, kernelPredictorDistance: 0.1, diagonalToMinL1: 5e-2 };

export function initScalePoints(spec: InitScaleSpec): StudyPoint[] {
  const points: StudyPoint[] = [];
  for (const architecture of spec.architectures) for (const parameterisation of spec.parameterisations) for (const alpha of spec.alphas) {
    const { learningRate, steps } = schedule(spec, parameterisation, alpha, weightLayers(spec, architecture));
    const model = architecture === 'mlp'
      ? { kind: 'mlp', hidden: spec.hidden, ...(parameterisation === 'lazy' ? { lazyScale: alpha } : { initScale: alpha }) }
      : { kind: 'cnn', channels: spec.channels, ...(parameterisation === 'lazy' ? { lazyScale: alpha } : { initScale: alpha }) };
    const config = parseRunConfig({
      name: `init-scale-${architecture}-${parameterisation}-a${alpha}`,
      seed: spec.seed,
      data: { dataset: 'digits', trainSize: spec.trainSize, testSize: spec.testSize },
      model,
      optimizer: { kind: 'gd', learningRate },
      // Plain init at large α starts with logits of order α²: a large cross-entropy that is not divergence.
      training: { steps, divergenceLoss: 1e30 },
      probes: {
        every: steps, trace: false, margin: false, norms: true,
        movement: true, tangentKernel: { subset: spec.trainSize }, linearisation: true,
        kernelPredictor: { testSubset: spec.kernelTestSubset },
      },
    }, `init-scale point ${architecture} ${parameterisation} α=${alpha}`);
    points.push({ label: `${architecture}-${parameterisation}-a${alpha}`, tags: { architecture, parameterisation, alpha }, config });
  }
  return points;
}

export interface PointResult {
  architecture: string; parameterisation: string; alpha: number; status: string; steps: number; learningRate: number;
  relativeMovement: number; kernelChange: number; kernelAlignmentInitial: number; kernelAlignment: number;
  linearisationRelativeTest: number; kernelPredictorRelativeTest: number; testError: number; kernelPredictorTestError: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

export function pointResults(collected: CollectedPoint[]): PointResult[] {
  return collected.map((c) => {
    const last = (c.metrics[c.metrics.length - 1] ?? {}) as Record<string, unknown>;
    const finished = c.summary?.status === 'completed' && last.step === c.summary.stepsDone;
    const v = (key: string) => (finished ? num(last[key]) : NaN);
    return {
      architecture: String(c.point.tags.architecture), parameterisation: String(c.point.tags.parameterisation), alpha: Number(c.point.tags.alpha),
      status: c.summary?.status ?? 'not run', steps: c.point.config.training.steps, learningRate: c.point.config.optimizer.learningRate,
      relativeMovement: v('relativeMovement'), kernelChange: v('kernelChange'),
      kernelAlignmentInitial: v('kernelAlignmentInitial'), kernelAlignment: v('kernelAlignment'),
      linearisationRelativeTest: v('linearisationRelativeTest'), kernelPredictorRelativeTest: v('kernelPredictorRelativeTest'),
      testError: 1 - v('testAccuracy'), kernelPredictorTestError: 1 - v('kernelPredictorTestAccuracy'),
    };
  });
}

/** Strictly decreasing in α (every value finite). */
function decreasing(values: number[]): boolean {
  return values.every(Number.isFinite) && values.every((v, i) => i === 0 || v < values[i - 1]);
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

export function initScaleVerdicts(results: PointResult[], diagonal: DiagonalSweepResult | null): StudyVerdict[] {
  const verdicts: StudyVerdict[] = [];
  for (const architecture of [...new Set(results.map((r) => r.architecture))]) {
    const of = (p: string) => results.filter((r) => r.architecture === architecture && r.parameterisation === p).sort((a, b) => a.alpha - b.alpha);
    const lazy = of('lazy');
    if (lazy.length > 0) {
      const trend = (key: 'kernelChange' | 'kernelPredictorRelativeTest', what: string) => {
        const values = lazy.map((r) => r[key]);
        verdicts.push({ claim: `${architecture}, lazy α·(f(θ) − f(θ₀)): ${what} falls monotonically as α grows`, pass: decreasing(values), detail: lazy.map((r, i) => `α=${r.alpha}: ${sci(values[i])}`).join(', ') });
      };
      trend('kernelChange', 'tangent-kernel change ‖K_T − K₀‖/‖K₀‖');
      trend('kernelPredictorRelativeTest', 'distance to the kernel predictor (test, relative)');
      const top = lazy[lazy.length - 1];
      verdicts.push({
        claim: `${architecture}, lazy at the largest α = ${top.alpha}: kernel change < ${thresholds.kernelChange} and distance to the kernel predictor < ${thresholds.kernelPredictorDistance}`,
        pass: top.kernelChange < thresholds.kernelChange && top.kernelPredictorRelativeTest < thresholds.kernelPredictorDistance,
        detail: `kernel change ${sci(top.kernelChange)}, distance ${sci(top.kernelPredictorRelativeTest)}`,
      });
    }
    const plain = of('plain');
    if (plain.length > 0) {
      verdicts.push({
        claim: `${architecture}, plain init scale α: tangent-kernel change falls monotonically as α grows`,
        pass: decreasing(plain.map((r) => r.kernelChange)),
        detail: plain.map((r) => `α=${r.alpha}: ${sci(r.kernelChange)}`).join(', '),
      });
    }
  }
  if (diagonal) {
    const rows = [...diagonal.rows].sort((a, b) => a.alpha - b.alpha);
    const rising = rows.every((r, i) => i === 0 || r.l1Norm >= rows[i - 1].l1Norm * (1 - 1e-3));
    verdicts.push({
      claim: `diagonal network u⊙u − v⊙v: ‖θ‖₁ rises with α from the min-ℓ1 interpolant (within ${thresholds.diagonalToMinL1} at α = ${rows[0].alpha}) toward the min-ℓ2 one`,
      pass: rising && rows[0].toMinL1 < thresholds.diagonalToMinL1 && rows.every((r) => r.status === 'completed'),
      detail: `${rows.map((r) => `α=${r.alpha}: ${r.l1Norm.toFixed(3)}`).join(', ')}; min-ℓ1 ${diagonal.minL1Norm.toFixed(3)}, min-ℓ2 solution ${diagonal.minL2SolutionL1Norm.toFixed(3)}; ‖θ−θ_ℓ1‖/‖θ_ℓ1‖ at α=${rows[0].alpha}: ${sci(rows[0].toMinL1)}`,
    });
  }
  return verdicts;
}

function seriesOf(results: PointResult[], key: keyof PointResult, label: (p: string) => string): Series[] {
  return [...new Set(results.map((r) => r.parameterisation))].map((p) => {
    const rows = results.filter((r) => r.parameterisation === p).sort((a, b) => a.alpha - b.alpha);
    return { label: label(p), x: rows.map((r) => r.alpha), y: rows.map((r) => r[key] as number) };
  });
}

const parameterisationLabel = (p: string) => (p === 'lazy' ? 'lazy: α·(f(θ) − f(θ₀)), loss/α²' : 'plain: init scaled by α');

export function architectureFigure(results: PointResult[], architecture: string): Figure {
  const rows = results.filter((r) => r.architecture === architecture);
  const panel = (title: string, yLabel: string, key: keyof PointResult, yScale: 'log' | 'linear' = 'log', extra: Series[] = []) => ({
    title, xLabel: 'scale α', xScale: 'log' as const, yLabel, yScale, series: [...seriesOf(rows, key, parameterisationLabel), ...extra],
  });
  return {
    title: `Lazy versus rich training of the ${architecture} against the scale α (digits, full-batch GD, cross-entropy)`,
    columns: 3,
    panels: [
      panel('relative weight movement', '‖θ_T − θ₀‖ / ‖θ₀‖', 'relativeMovement'),
      panel('tangent-kernel change', '‖K_T − K₀‖_F / ‖K₀‖_F', 'kernelChange'),
      panel('distance to the kernel predictor (test)', '‖f − f_K₀‖ / ‖f_K₀ − f₀‖', 'kernelPredictorRelativeTest'),
      panel('distance to the linearisation at θ₀ (test)', '‖f − f_lin‖ / ‖f − f₀‖', 'linearisationRelativeTest'),
      panel('test error', 'error (fraction)', 'testError', 'linear', seriesOf(rows, 'kernelPredictorTestError', (p) => `kernel predictor (${p})`).map((s) => ({ ...s, dashed: true }))),
      panel('kernel–target alignment at the end', 'A(K_T, YYᵀ)', 'kernelAlignment', 'linear'),
    ],
  };
}

export function diagonalFigure(d: DiagonalSweepResult): Figure {
  const rows = [...d.rows].sort((a, b) => a.alpha - b.alpha);
  const x = rows.map((r) => r.alpha);
  return {
    title: `Diagonal linear network u⊙u − v⊙v (n = ${d.spec.n}, p = ${d.spec.p}, ${d.spec.k}-sparse teacher, GD)`,
    panels: [
      { title: 'ℓ1 norm of the solution reached', xLabel: 'initialisation scale α', xScale: 'log', yLabel: '‖θ‖₁', series: [{ label: 'GD solution', x, y: rows.map((r) => r.l1Norm) }],
        hLines: [{ y: d.minL1Norm, label: 'min-ℓ1 interpolant' }, { y: d.minL2SolutionL1Norm, label: 'min-ℓ2 interpolant' }] },
      { title: 'distance to the two interpolants', xLabel: 'initialisation scale α', xScale: 'log', yLabel: 'relative ℓ2 distance', yScale: 'log',
        series: [{ label: '‖θ − θ_ℓ1‖/‖θ_ℓ1‖', x, y: rows.map((r) => r.toMinL1) }, { label: '‖θ − θ_ℓ2‖/‖θ_ℓ2‖', x, y: rows.map((r) => r.toMinL2) }] },
    ],
  };
}

/** The diagonal sweep for `spec`, from the study folder's cache when it was computed for the same spec. */
async function cachedDiagonalSweep(spec: InitScaleSpec['diagonal'], outDir: string): Promise<DiagonalSweepResult> {
  const file = path.join(outDir, 'diagonal-network.json');
  if (fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as DiagonalSweepResult;
    if (JSON.stringify(cached.spec) === JSON.stringify(spec)) return cached;
  }
  const result = await diagonalAlphaSweep(spec);
  writeJsonAtomic(file, result);
  return result;
}

const captions = {
  architecture: (a: string) => `${a}: against the scale α, for the centred lazy model (loss/α²) and the plain init scale — relative weight movement, tangent-kernel change on the training set, distance of the trained network's test outputs to the kernel predictor (GD with the initial tangent kernel, same loss and steps) and to its linearisation at θ₀, test error (dashed: the kernel predictor's), and the final kernel–target alignment.`,
  diagonal: 'Diagonal linear network: ℓ1 norm of the interpolant GD reaches against the initialisation scale α, between the minimum-ℓ1 and minimum-ℓ2 interpolants (lines), and its distance to each.',
};

export async function writeInitScaleReport(spec: InitScaleSpec, collected: CollectedPoint[], outDir: string): Promise<StudyVerdict[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const results = pointResults(collected);
  const diagonal = await cachedDiagonalSweep(spec.diagonal, outDir);
  const figures: { file: string; caption: string }[] = [];
  for (const architecture of spec.architectures) {
    const file = `init-scale-${architecture}.png`;
    const runs = collected.filter((c) => c.point.tags.architecture === architecture).length;
    const caption = `${captions.architecture(architecture)} From the ${runs} run folders of this study with architecture ${architecture} (one per α and parameterisation).`;
    saveFigure(architectureFigure(results, architecture), path.join(outDir, file), { caption });
    figures.push({ file, caption });
  }
  saveFigure(diagonalFigure(diagonal), path.join(outDir, 'init-scale-diagonal.png'), {
    caption: `${captions.diagonal} Computed in-process by the report step (cached in diagonal-network.json), not from run folders.`,
  });
  figures.push({ file: 'init-scale-diagonal.png', caption: captions.diagonal });
  const verdicts = initScaleVerdicts(results, diagonal);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : '—');
  const table = markdownTable(
    ['architecture', 'parameterisation', 'α', 'η', 'steps', 'status', '‖θ−θ₀‖/‖θ₀‖', 'kernel change', 'dist. kernel predictor', 'dist. linearisation', 'test error', 'kernel pred. test error', 'alignment θ₀ → θ_T'],
    results.map((r) => [r.architecture, r.parameterisation, r.alpha, r.learningRate, r.steps, r.status, fmt(r.relativeMovement), fmt(r.kernelChange), fmt(r.kernelPredictorRelativeTest), fmt(r.linearisationRelativeTest), fmt(r.testError), fmt(r.kernelPredictorTestError), `${fmt(r.kernelAlignmentInitial)} → ${fmt(r.kernelAlignment)}`]),
  );
  const diagonalTable = markdownTable(['α', '‖θ‖₁', '‖θ−θ_ℓ1‖/‖θ_ℓ1‖', '‖θ−θ_ℓ2‖/‖θ_ℓ2‖', 'residual rms'],
    diagonal.rows.map((r) => [r.alpha, r.l1Norm.toFixed(4), sci(r.toMinL1), sci(r.toMinL2), sci(r.residual)]));
  writeFileAtomic(path.join(outDir, 'summary.md'), [
    `# Initialisation scale: lazy versus rich (${spec.scale} scale)`, '',
    '## Verdicts', '', ...verdicts.map((v) => `- **${v.pass ? 'PASS' : 'FAIL'}** ${v.claim} — ${v.detail}`), '',
    '## Runs', '', table, '',
    `Distances are relative: to the kernel predictor ‖f − f_K₀‖_F/‖f_K₀ − f₀‖_F over ${spec.kernelTestSubset} test digits; to the linearisation ‖f − f_lin‖_F/‖f − f₀‖_F over the test set. Kernel change: the tangent kernel (trace over the 10 logits) on the ${spec.trainSize} training digits.`, '',
    '## Diagonal linear network', '', `min-ℓ1 interpolant ‖θ‖₁ = ${diagonal.minL1Norm.toFixed(4)}; min-ℓ2 interpolant ‖θ‖₁ = ${diagonal.minL2SolutionL1Norm.toFixed(4)}`, '', diagonalTable, '',
    '## Figures', '', ...figures.map((f) => `- \`${f.file}\`: ${f.caption}`), '',
  ].join('\n'));
  writeJsonAtomic(path.join(outDir, 'results.json'), { spec, results, diagonal, verdicts });
  return verdicts;
}

export function initScaleStudy(spec: InitScaleSpec): StudyDefinition {
  return {
    kind: 'init-scale',
    title: `Initialisation scale: lazy versus rich training (${spec.scale})`,
    points: initScalePoints(spec),
    spec,
    report: (collected, outDir) => writeInitScaleReport(spec, collected, outDir),
  };
}

/** Registry entry (study/registry.ts). */
export const initScaleStudyKind: StudyKind = {
  fromManifest(manifest) {
    const spec = initScaleSpecSchema.parse(manifest.spec);
    return { ...initScaleStudy(spec), points: manifest.points.map((p) => ({ label: p.label, tags: p.tags, config: p.config })) };
  },
};
