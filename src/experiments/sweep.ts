/**
 * Sweeps: the same experiment over a grid of config values (e.g. learning rate × batch size, the
 * axes of "flatness versus learning rate and batch size"). Every grid point is validated before
 * any run starts; each point is an ordinary run record under <out>/<point>/, so an interrupted
 * sweep resumes point by point; a diverged or failed point is recorded and the sweep goes on.
 */
import * as path from 'node:path';
import { applyOverrides, parseRunConfig, ConfigError, type RunConfig } from './runConfig.ts';
import { runExperiment, type RunSummary } from './runExperiment.ts';
import { writeJsonAtomic, writeFileAtomic } from '../util/atomicWrite.ts';
import type { ProgressReporter } from '../util/progress.ts';
import { saveFigure } from '../report/figure.ts';
import { markdownTable } from '../report/markdownTable.ts';
import type { Panel, Series } from '../report/figure.ts';

export interface GridAxis { path: string; values: unknown[] }

export interface SweepPoint {
  assignments: Record<string, unknown>;
  slug: string;
  config: RunConfig;
}

export interface SweepPointResult {
  assignments: Record<string, unknown>;
  slug: string;
  status: RunSummary['status'];
  divergedAtStep?: number;
  error?: string;
  final?: Record<string, unknown>;
}

/** Parse `path=v1,v2,…` (each value JSON when it parses, else a string). */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new ConfigError([`--grid ${text}: expected path=value1,value2,...`], 'command line');
  const values = text.slice(eq + 1).split(',').map((raw) => {
    try { return JSON.parse(raw); } catch { return raw; }
  });
  return { path: text.slice(0, eq), values };
}

function slugify(assignments: Record<string, unknown>): string {
  return Object.entries(assignments)
    .map(([key, value]) => `${key.split('.').pop()}=${String(value)}`)
    .join('_')
    .replace(/[^A-Za-z0-9=._-]/g, '-');
}

/** All grid points with validated configs; throws ConfigError naming every bad point first. */
export function expandGrid(base: Record<string, unknown>, axes: GridAxis[], source: string): SweepPoint[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.path]: v })));
  const problems: string[] = [];
  const points: SweepPoint[] = [];
  for (const assignments of combos) {
    const slug = slugify(assignments);
    try {
      const raw = applyOverrides(base, Object.entries(assignments).map(([k, v]) => `${k}=${JSON.stringify(v)}`));
      const name = `${String(base.name ?? 'sweep')}-${slug}`;
      points.push({ assignments, slug, config: parseRunConfig({ ...raw, name }, source) });
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems.map((p) => `grid point ${slug}: ${p}`));
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  return points;
}

export interface SweepOptions {
  outDir: string;
  progress?: () => ProgressReporter;
  log?: (line: string) => void;
}

export async function runSweep(points: SweepPoint[], axes: GridAxis[], options: SweepOptions): Promise<SweepPointResult[]> {
  const results: SweepPointResult[] = [];
  const log = options.log ?? (() => {});
  for (const [i, point] of points.entries()) {
    log(`sweep: point ${i + 1}/${points.length} ${point.slug}`);
    let result: SweepPointResult;
    try {
      const summary = await runExperiment(point.config, { outDir: path.join(options.outDir, point.slug), progress: options.progress?.() });
      result = { assignments: point.assignments, slug: point.slug, status: summary.status, divergedAtStep: summary.divergedAtStep, final: summary.final };
    } catch (error) {
      // A failing point must not lose the others: record it and go on.
      result = { assignments: point.assignments, slug: point.slug, status: 'failed', error: (error as Error).message };
    }
    results.push(result);
    log(`sweep: ${point.slug} ${result.status}${result.divergedAtStep !== undefined ? ` at step ${result.divergedAtStep}` : ''}${result.error ? `: ${result.error}` : ''}`);
    writeJsonAtomic(path.join(options.outDir, 'sweep.json'), { axes, results });
  }
  writeSweepReport(results, axes, options.outDir);
  return results;
}

const reportedMetrics: { key: string; label: string; yLabel: string }[] = [
  { key: 'trainLoss', label: 'final train loss', yLabel: 'cross-entropy (nats)' },
  { key: 'testAccuracy', label: 'final test accuracy', yLabel: 'accuracy (fraction)' },
  { key: 'hessianTrace', label: 'Hessian trace', yLabel: 'tr ∇²L (Hutchinson)' },
  { key: 'sharpness', label: 'sharpness λ_max', yLabel: 'λ_max(∇²L)' },
  { key: 'normalizedMargin', label: 'normalized margin', yLabel: 'min margin / ‖θ‖₂^L' },
  { key: 'paramNormL2', label: 'parameter norm', yLabel: '‖θ‖₂' },
];

/** Figure and table: each metric against the first grid axis, one line per other combination. */
export function writeSweepReport(results: SweepPointResult[], axes: GridAxis[], outDir: string): void {
  const metricValue = (r: SweepPointResult, key: string): number | null => {
    const v = r.final?.[key];
    return typeof v === 'number' && Number.isFinite(v) && r.status === 'completed' ? v : null;
  };
  const rows = results.map((r) => [
    ...axes.map((a) => String(r.assignments[a.path])),
    r.status + (r.divergedAtStep !== undefined ? ` (step ${r.divergedAtStep})` : ''),
    ...reportedMetrics.map((m) => metricValue(r, m.key) ?? '—'),
  ]);
  writeFileAtomic(path.join(outDir, 'summary.md'), `${markdownTable([...axes.map((a) => a.path), 'status', ...reportedMetrics.map((m) => m.label)], rows, { digits: 4 })}\n`);

  if (axes.length === 0) return;
  const xAxis = axes[0];
  const numericX = xAxis.values.every((v) => typeof v === 'number');
  if (!numericX) return;
  const xs = xAxis.values as number[];
  const positive = xs.every((v) => v > 0);
  const spansDecades = positive && Math.max(...xs) / Math.min(...xs) >= 10;
  const groups = new Map<string, SweepPointResult[]>();
  for (const r of results) {
    const key = axes.slice(1).map((a) => `${a.path.split('.').pop()}=${String(r.assignments[a.path])}`).join(', ') || 'all';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const panels: Panel[] = [];
  for (const metric of reportedMetrics) {
    const series: Series[] = [];
    for (const [label, group] of groups) {
      const pts = group.map((r) => ({ x: r.assignments[xAxis.path] as number, y: metricValue(r, metric.key) }))
        .filter((p): p is { x: number; y: number } => p.y !== null)
        .sort((a, b) => a.x - b.x);
      if (pts.length > 0) series.push({ label, x: pts.map((p) => p.x), y: pts.map((p) => p.y) });
    }
    if (series.length === 0) continue;
    panels.push({ title: metric.label, xLabel: xAxis.path, yLabel: metric.yLabel, xScale: spansDecades ? 'log' : 'linear', yScale: 'auto', series });
  }
  if (panels.length > 0) {
    saveFigure({ title: `sweep over ${axes.map((a) => a.path).join(' × ')} (diverged/failed points omitted)`, panels, columns: 3 }, path.join(outDir, 'sweep.png'), {
      caption: `Final ${reportedMetrics.map((m) => m.label).join(', ')} against ${xAxis.path}, one line per value of ${axes.slice(1).map((a) => a.path).join(' × ') || 'nothing else'}; from the ${results.length} run folders of this sweep (diverged and failed points omitted, listed in summary.md).`,
    });
  }
}
