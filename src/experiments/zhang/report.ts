/**
 * Figures and tables of the Zhang et al. reproduction, from the per-run results:
 *   (a) training loss against steps for true labels, random labels, shuffled pixels, random
 *       pixels and Gaussian inputs — one panel per architecture (paper Fig. 1a);
 *   (b) steps to 100% training accuracy against the label-corruption level p (Fig. 1b);
 *   (c) test error against p (Fig. 1c);
 *   (d) what the paper lacks: final ‖θ‖₂, normalized margin (homogeneous nets) and Hessian trace
 *       against p;
 * and Markdown tables: a Table-1-like train/test accuracy table with and without weight decay and
 * augmentation, and the time-to-fit of every (architecture, corruption) run.
 */
import * as path from 'node:path';
import type { Figure, Panel, Series } from '../../report/figure.ts';
import { saveFigure } from '../../report/figure.ts';
import { markdownTable } from '../../report/markdownTable.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.ts';
import type { ZhangRunResult } from './sweep.ts';
import type { ZhangConfig } from './config.ts';

const curveCorruptions: [string, string][] = [
  ['true-labels', 'true labels'], ['random-labels', 'random labels'], ['shuffled-pixels', 'shuffled pixels'],
  ['random-pixels', 'random pixels'], ['gaussian', 'Gaussian'],
];

function plain(results: ZhangRunResult[]): ZhangRunResult[] {
  return results.filter((r) => r.variant === 'plain');
}

function architectures(results: ZhangRunResult[]): string[] {
  return [...new Set(results.map((r) => r.architecture))];
}

function trained(results: ZhangRunResult[]): ZhangRunResult[] {
  return results.filter((r) => r.status !== 'skipped');
}

function versusP(results: ZhangRunResult[], pick: (r: ZhangRunResult) => number | null | undefined): Series[] {
  return architectures(trained(plain(results))).map((arch) => {
    const points = plain(results).filter((r) => r.architecture === arch && r.p !== null).sort((a, b) => a.p! - b.p!);
    return { label: arch, x: points.map((r) => r.p!), y: points.map((r) => pick(r) ?? Number.NaN), style: 'line+points' as const };
  }).filter((s) => s.y.some(Number.isFinite));
}

export function figureA(results: ZhangRunResult[], title: string): Figure {
  const panels: Panel[] = architectures(trained(plain(results))).map((arch) => ({
    title: `(a) ${arch}: training loss`,
    xLabel: 'step (parameter updates)',
    yLabel: 'training cross-entropy (nats)',
    yScale: 'auto',
    series: curveCorruptions.flatMap(([id, label]) => {
      const run = plain(results).find((r) => r.architecture === arch && r.corruption === id && r.lossCurve.length > 0);
      return run ? [{ label, x: run.lossCurve.map((c) => c.step), y: run.lossCurve.map((c) => c.loss), style: 'line' as const }] : [];
    }),
  }));
  return { title, panels, columns: Math.min(2, Math.max(panels.length, 1)) };
}

export function figureB(results: ZhangRunResult[], title: string): Figure {
  return {
    title,
    panels: [{
      title: '(b) time to fit against label corruption',
      xLabel: 'label corruption p', yLabel: 'steps to 100% train accuracy',
      series: versusP(results, (r) => r.stepsToFit),
    }],
    columns: 1,
    panelWidth: 760, // room for the figure title
  };
}

export function figureC(results: ZhangRunResult[], title: string): Figure {
  return {
    title,
    panels: [{
      title: '(c) test error against label corruption',
      xLabel: 'label corruption p', yLabel: 'test error (fraction wrong)',
      series: versusP(results, (r) => (r.testAccuracyInference ?? r.testAccuracy) === null ? null : 1 - (r.testAccuracyInference ?? r.testAccuracy)!),
      yMin: 0, yMax: 1,
    }],
    columns: 1,
    panelWidth: 760, // room for the figure title
  };
}

export function figureD(results: ZhangRunResult[], title: string): Figure {
  const panels: Panel[] = [
    { title: '(d) parameter norm of the solution', xLabel: 'label corruption p', yLabel: '‖θ‖₂ at the end', series: versusP(results, (r) => r.paramNormL2) },
    { title: '(d) normalized margin (homogeneous nets)', xLabel: 'label corruption p', yLabel: 'min margin / ‖θ‖₂^L', yScale: 'auto', series: versusP(results, (r) => r.normalizedMargin) },
    { title: '(d) flatness of the solution', xLabel: 'label corruption p', yLabel: 'Hessian trace (Hutchinson)', yScale: 'auto', series: versusP(results, (r) => r.hessianTrace) },
  ];
  return { title, panels, columns: 3 };
}

function stepsCell(r: ZhangRunResult): string {
  if (r.status === 'skipped') return '—';
  if (r.status === 'diverged') return `diverged (step ${r.stepsDone})`;
  if (r.status === 'failed') return 'failed';
  return r.fitted ? `${r.stepsToFit}` : `not fitted (${r.stepsDone})`;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(100 * v).toFixed(1)}%`);

/** Table 1 (Zhang et al.): train and test accuracy with and without weight decay and augmentation. */
function skippedArchitectures(results: ZhangRunResult[]): string[] {
  return architectures(results).filter((a) => results.filter((r) => r.architecture === a).every((r) => r.status === 'skipped'));
}

export function table1(results: ZhangRunResult[]): string {
  const rows: (string | number)[][] = [];
  for (const arch of architectures(results)) {
    if (skippedArchitectures(results).includes(arch)) {
      rows.push([arch, 'n/a', 'all', '—', '—', 'skipped (see note)', 'skipped', '—']);
      continue;
    }
    const runs = results.filter((r) => r.architecture === arch && (r.corruption === 'true-labels' || (r.corruption === 'random-labels' && r.variant === 'plain')));
    const order = ['plain', 'augment', 'weight-decay', 'weight-decay+augment'];
    runs.sort((a, b) => (a.corruption === b.corruption ? order.indexOf(a.variant) - order.indexOf(b.variant) : a.corruption === 'true-labels' ? -1 : 1));
    for (const r of runs) {
      rows.push([
        arch,
        r.parameters ?? 'n/a',
        r.corruption === 'random-labels' ? 'random' : 'true',
        r.variant.includes('augment') ? 'yes' : 'no',
        r.variant.includes('weight-decay') ? 'yes' : 'no',
        r.status === 'skipped' ? 'skipped' : pct(r.trainAccuracy),
        r.status === 'skipped' ? 'skipped' : pct(r.testAccuracyInference ?? r.testAccuracy),
        stepsCell(r),
      ]);
    }
  }
  return markdownTable(['model', '# params', 'labels', 'random crop/flip', 'weight decay', 'train accuracy', 'test accuracy', 'steps to fit'], rows);
}

export function fitTable(results: ZhangRunResult[]): string {
  const skipped = skippedArchitectures(results);
  const rows = plain(results).filter((r) => !skipped.includes(r.architecture)).map((r) => [
    r.architecture, r.corruption,
    r.status === 'skipped' ? 'skipped' : r.status,
    r.fitted ? r.stepsToFit! : stepsCell(r),
    r.fitted ? Number(r.secondsToFit!.toFixed(1)) : '—',
    r.status === 'skipped' ? 'n/a' : pct(r.trainAccuracy),
    r.status === 'skipped' ? 'n/a' : pct(r.testAccuracyInference ?? r.testAccuracy),
    r.paramNormL2 ?? 'n/a',
    r.normalizedMargin ?? 'n/a',
    r.hessianTrace ?? 'n/a',
  ]);
  for (const arch of skipped) rows.push([arch, 'all', 'skipped (see note)', '—', '—', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
  return markdownTable(['model', 'corruption', 'status', 'steps to fit', 'seconds to fit', 'train acc', 'test acc', '‖θ‖₂', 'normalized margin', 'Hessian trace'], rows);
}

export function writeZhangReport(results: ZhangRunResult[], config: ZhangConfig, outDir: string, info: { backend: string; notes: string[]; wallTimeSeconds?: number }): { files: string[]; markdown: string } {
  const title = `Zhang et al. 2017: ${config.dataset} (${config.scale}${config.trainSize ? `, n = ${config.trainSize}` : ''})`;
  const files: string[] = [];
  const figures: [string, Figure][] = [
    ['fig-a-loss', figureA(results, title)], ['fig-b-time-to-fit', figureB(results, title)],
    ['fig-c-test-error', figureC(results, title)], ['fig-d-norm-margin-flatness', figureD(results, title)],
  ];
  for (const [name, figure] of figures) {
    if (figure.panels.every((p) => p.series.length === 0)) continue;
    for (const format of config.formats) {
      const file = path.join(outDir, `${name}.${format}`);
      saveFigure(figure, file);
      files.push(file);
    }
  }
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'diverged');
  const markdown = [
    `# ${title}, SGD momentum ${config.optimizer.momentum}`,
    '',
    `Backend ${info.backend}; ${results.length} runs (${skipped} skipped, ${failed.length} failed or diverged); ${info.wallTimeSeconds !== undefined ? `this invocation took ${info.wallTimeSeconds.toFixed(0)} s; ` : ''}training time summed over the runs (across resumptions): ${results.reduce((t, r) => t + (r.wallTimeSeconds ?? r.secondsToFit ?? 0), 0).toFixed(0)} s.`,
    `Stopping rule: 100% training accuracy (checked every ${config.probeEveryEpochs} epoch(s)) or ${config.stepBudget} steps${budgetNote(config)}. ` +
      `Learning rate ${config.optimizer.learningRate}${config.optimizer.epochDecay < 1 ? ` × ${config.optimizer.epochDecay}^epoch` : ''}, batch ${config.optimizer.batchSize}.`,
    ...info.notes.map((n) => `Note: ${n}.`),
    ...failed.map((r) => `Note: ${r.id} ${r.status}: ${r.reason ?? ''}`),
    '',
    '## Table 1: fitting true and random labels, with and without explicit regularisation',
    '',
    `Weight decay λ = ${config.table.weightDecay}; augmentation: random shifts of up to ${config.table.augment.crop} px${config.table.augment.flip ? ' and horizontal flips' : ''}, ${config.table.augment.copies} view${config.table.augment.copies === 1 ? '' : 's'} per image. Batch-norm models' test accuracy uses population statistics (inference mode).`,
    '',
    table1(results),
    '',
    '## Every (architecture, corruption) run',
    '',
    fitTable(results),
    '',
  ].join('\n');
  const tableFile = path.join(outDir, 'table1.md');
  writeFileAtomic(tableFile, markdown);
  writeJsonAtomic(path.join(outDir, 'results.json'), { config, backend: info.backend, notes: info.notes, wallTimeSeconds: info.wallTimeSeconds, results });
  files.push(path.join(outDir, 'results.json'));
  return { files: [...files, tableFile], markdown };
}

/** Architectures whose step budget differs from the sweep's, e.g. " (cnn-small: 600, resnet-cnn: 300)". */
function budgetNote(config: ZhangConfig): string {
  const own = config.architectures.filter((a) => a.stepBudget !== undefined && a.stepBudget !== config.stepBudget);
  return own.length ? ` (${own.map((a) => `${a.id}: ${a.stepBudget}`).join(', ')})` : '';
}
