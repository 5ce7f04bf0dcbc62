/**
 * The sweep table a paper needs, from collected run folders only: one row per point with the
 * grid values, status (divergence step, stopped early, any other recorded status), steps done,
 * wall time, final loss and accuracies, Hessian trace ± s.e., λ_max and 2/η, ‖θ‖₂ and normalized
 * margin — as `summary.md` and `summary.csv`; with `seed` among the axes, a second table of
 * mean ± s.d. over seeds (`summary-seeds.csv`); `sweep.png`, each metric against the first
 * numeric axis (means with ± s.d. bands over seeds; its points in `sweep.csv`); `sweep.json`, the rows as data. All are
 * rewritten together, and a figure that can no longer be drawn is removed, so the folder never
 * shows an older state next to a newer one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomicWrite.ts';
import { markdownTable } from '../report/markdownTable.ts';
import { formatNumber } from '../report/format.ts';
import { saveFigure, type Panel, type Series } from '../report/figure.ts';
import { csvPathFor } from '../report/figureFiles.ts';
import type { CollectedPoint } from './study/types.ts';

const metrics: { key: string; label: string; yLabel: string }[] = [
  { key: 'trainLoss', label: 'train loss', yLabel: 'cross-entropy (nats)' },
  { key: 'trainAccuracy', label: 'train acc', yLabel: 'accuracy (fraction)' },
  { key: 'testAccuracy', label: 'test acc', yLabel: 'accuracy (fraction)' },
  { key: 'hessianTrace', label: 'trace', yLabel: 'tr ∇²L (Hutchinson)' },
  { key: 'sharpness', label: 'λ_max', yLabel: 'λ_max(∇²L)' },
  { key: 'stabilityThreshold', label: '2/η', yLabel: '2/η' },
  { key: 'paramNormL2', label: '‖θ‖₂', yLabel: '‖θ‖₂' },
  { key: 'normalizedMargin', label: 'normalized margin', yLabel: 'min margin / ‖θ‖₂^L' },
];
const plotted = ['trainLoss', 'testAccuracy', 'hessianTrace', 'sharpness', 'normalizedMargin', 'paramNormL2'];

export interface SweepRow {
  folder: string;
  values: Record<string, unknown>;
  status: string;
  stepsDone: number | null;
  wallTimeSeconds: number | null;
  final: Record<string, number | null>;
  hessianTraceStderr: number | null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** 'completed', 'diverged (step 12)', 'stopped early (step 40)', 'failed: …', 'not started'. */
export function describeStatus(c: CollectedPoint): string {
  const s = c.summary as (CollectedPoint['summary'] & { collapsedAtStep?: number }) | null;
  if (!s) return 'not started';
  if (s.status === 'diverged') return `diverged (step ${s.divergedAtStep})`;
  if (s.status === 'failed') return `failed: ${(s.error ?? '').split('\n')[0]}`;
  // A collapsed network (probes/collapse.ts) has a zero Hessian: never read it as the flattest point.
  if (s.collapsed === true) return `collapsed (${s.collapse?.reason ?? 'outputs independent of input'})`;
  if (s.status === 'completed' && s.stoppedEarly) return `stopped early (step ${s.stepsDone})`;
  if (s.collapsedAtStep !== undefined) return `${s.status} (step ${s.collapsedAtStep})`;
  return s.status;
}

/** Final values are reported for points that ended normally (completed, stopped early). */
function finalValues(c: CollectedPoint): Record<string, number | null> {
  const usable = c.summary && c.summary.status !== 'failed' && c.summary.status !== 'diverged';
  const last = usable ? ((c.summary!.final as Record<string, unknown> | undefined) ?? c.metrics.at(-1) ?? {}) : {};
  return Object.fromEntries([...metrics.map((m) => m.key), 'hessianTraceStderr'].map((k) => [k, num(last[k])]));
}

export function sweepRows(collected: CollectedPoint[], axes: string[]): SweepRow[] {
  return collected.map((c) => {
    const final = finalValues(c);
    return {
      folder: path.basename(c.dir),
      values: Object.fromEntries(axes.map((a) => [a, c.point.tags[a]])),
      status: describeStatus(c),
      stepsDone: c.summary?.stepsDone ?? null,
      wallTimeSeconds: c.summary ? num(c.summary.wallTimeSeconds) : null,
      final,
      hessianTraceStderr: final.hessianTraceStderr,
    };
  });
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = typeof v === 'number' ? String(v) : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  return `${[headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

function mean(xs: number[]): number { return xs.reduce((a, b) => a + b, 0) / xs.length; }
function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export interface ReplicateGroup { values: Record<string, unknown>; n: number; usable: number; stats: Record<string, { mean: number; sd: number } | null> }

/** Rows grouped over the `seed` axis: mean ± s.d. (sample, n − 1) of each final value. */
export function replicateGroups(rows: SweepRow[], axes: string[]): ReplicateGroup[] {
  const others = axes.filter((a) => a !== 'seed');
  const groups = new Map<string, SweepRow[]>();
  for (const row of rows) {
    const key = JSON.stringify(others.map((a) => row.values[a]));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => ({
    values: Object.fromEntries(others.map((a) => [a, group[0].values[a]])),
    n: group.length,
    usable: group.filter((r) => r.final.trainLoss !== null).length,
    stats: Object.fromEntries(metrics.map((m) => {
      const xs = group.map((r) => r.final[m.key]).filter((v): v is number => v !== null);
      return [m.key, xs.length ? { mean: mean(xs), sd: sd(xs) } : null];
    })),
  }));
}

const fmt = (v: number | null) => (v === null ? '—' : formatNumber(v, { digits: 4 }));

export function writeSweepReport(collected: CollectedPoint[], axes: string[], outDir: string, title: string): string[] {
  const rows = sweepRows(collected, axes);
  const written: string[] = [];
  const headers = [...axes, 'status', 'steps', 'wall time (s)', ...metrics.map((m) => (m.key === 'hessianTrace' ? 'trace ± s.e.' : m.label))];
  const mdRows = rows.map((r) => [
    ...axes.map((a) => String(r.values[a])),
    r.status,
    r.stepsDone ?? '—',
    r.wallTimeSeconds === null ? '—' : r.wallTimeSeconds.toFixed(1),
    ...metrics.map((m) => (m.key === 'hessianTrace' && r.final.hessianTrace !== null
      ? `${fmt(r.final.hessianTrace)} ± ${fmt(r.hessianTraceStderr)}`
      : r.final[m.key] ?? '—')),
  ]);
  let markdown = `# ${title}\n\n${markdownTable(headers, mdRows, { digits: 4 })}\n`;
  const csvHeaders = ['folder', ...axes, 'status', 'stepsDone', 'wallTimeSeconds', ...metrics.map((m) => m.key), 'hessianTraceStderr'];
  writeFileAtomic(path.join(outDir, 'summary.csv'), toCsv(csvHeaders, rows.map((r) => [r.folder, ...axes.map((a) => r.values[a]), r.status, r.stepsDone, r.wallTimeSeconds, ...metrics.map((m) => r.final[m.key]), r.hessianTraceStderr])));
  written.push('summary.csv');

  const replicates = axes.includes('seed');
  const groups = replicates ? replicateGroups(rows, axes) : [];
  const others = axes.filter((a) => a !== 'seed');
  if (replicates) {
    const cell = (s: { mean: number; sd: number } | null) => (s === null ? '—' : `${fmt(s.mean)} ± ${fmt(s.sd)}`);
    markdown += `\n## Mean ± s.d. over seeds (points that ended normally)\n\n${markdownTable(
      [...others, 'seeds', 'used', ...metrics.map((m) => m.label)],
      groups.map((g) => [...others.map((a) => String(g.values[a])), g.n, g.usable, ...metrics.map((m) => cell(g.stats[m.key]))]),
    )}\n`;
    writeFileAtomic(path.join(outDir, 'summary-seeds.csv'), toCsv(
      [...others, 'seeds', 'used', ...metrics.flatMap((m) => [`${m.key}Mean`, `${m.key}Sd`])],
      groups.map((g) => [...others.map((a) => g.values[a]), g.n, g.usable, ...metrics.flatMap((m) => [g.stats[m.key]?.mean ?? null, g.stats[m.key]?.sd ?? null])]),
    ));
    written.push('summary-seeds.csv');
  } else {
    fs.rmSync(path.join(outDir, 'summary-seeds.csv'), { force: true });
  }
  writeFileAtomic(path.join(outDir, 'summary.md'), markdown);
  writeJsonAtomic(path.join(outDir, 'sweep.json'), { title, axes, rows, ...(replicates ? { replicates: groups } : {}) });
  written.push('summary.md', 'sweep.json');

  const figureFile = path.join(outDir, 'sweep.png');
  const figure = sweepFigure(rows, groups, axes, title);
  if (figure) {
    const others = axes.filter((ax) => ax !== 'seed' && ax !== figure.xAxis);
    saveFigure(figure.figure, figureFile, {
      caption: `Final ${plotted.map((k) => metrics.find((m) => m.key === k)!.label).join(', ')} against ${figure.xAxis}, one line per value of ${others.join(' × ') || 'nothing else'}${axes.includes('seed') ? '; mean ± s.d. over the seeds' : ''}; from the ${rows.length} run folders of this study (diverged and failed points omitted, listed in summary.md).`,
    });
    written.push('sweep.png');
  } else {
    // Nothing to draw any more (e.g. every point failed): no figure from an older state stays.
    fs.rmSync(figureFile, { force: true });
    fs.rmSync(csvPathFor(figureFile), { force: true });
  }
  return written;
}

function sweepFigure(rows: SweepRow[], groups: ReplicateGroup[], axes: string[], title: string) {
  const others = axes.filter((a) => a !== 'seed');
  const replicates = axes.includes('seed');
  const xAxis = (replicates ? others : axes)[0];
  if (xAxis === undefined) return null;
  const entries = replicates
    ? groups.map((g) => ({ values: g.values, y: (k: string) => g.stats[k]?.mean ?? null, err: (k: string) => g.stats[k]?.sd ?? 0 }))
    : rows.map((r) => ({ values: r.values, y: (k: string) => r.final[k], err: () => 0 }));
  if (!entries.every((e) => typeof e.values[xAxis] === 'number')) return null;
  const xs = entries.map((e) => e.values[xAxis] as number);
  const spansDecades = xs.every((v) => v > 0) && Math.max(...xs) / Math.min(...xs) >= 10;
  const lineAxes = (replicates ? others : axes).filter((a) => a !== xAxis);
  const lines = new Map<string, typeof entries>();
  for (const e of entries) {
    const key = lineAxes.map((a) => `${a.split('.').pop()}=${String(e.values[a])}`).join(', ') || 'all';
    lines.set(key, [...(lines.get(key) ?? []), e]);
  }
  const panels: Panel[] = [];
  for (const metric of metrics.filter((m) => plotted.includes(m.key))) {
    const series: Series[] = [];
    for (const [label, group] of lines) {
      const pts = group.map((e) => ({ x: e.values[xAxis] as number, y: e.y(metric.key), err: e.err(metric.key) }))
        .filter((p): p is { x: number; y: number; err: number } => p.y !== null)
        .sort((a, b) => a.x - b.x);
      if (pts.length > 0) series.push({ label, x: pts.map((p) => p.x), y: pts.map((p) => p.y), ...(replicates ? { yErr: pts.map((p) => p.err) } : {}) });
    }
    if (series.length > 0) panels.push({ title: metric.label, xLabel: xAxis, yLabel: metric.yLabel, xScale: spansDecades ? 'log' : 'linear', yScale: 'auto', series });
  }
  if (panels.length === 0) return null;
  return { xAxis, figure: { title: `${title}${replicates ? ' (mean ± s.d. over seeds)' : ''} — diverged/failed points omitted`, panels, columns: 3 } };
}
