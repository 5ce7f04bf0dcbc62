/**
 * Sweeps: the same experiment over a grid of config values (e.g. learning rate × batch size, the
 * axes of "flatness versus learning rate and batch size"), as a study on the one engine
 * (study/engine.ts): every grid point is a validated, hash-named, resumable run folder; a
 * diverged or failed point is recorded and the sweep goes on. `seed` as a grid axis is a set of
 * replicates: the tables and figure also show mean ± s.d. over seeds.
 */
import { applyOverrides, parseRunConfig, ConfigError } from './runConfig.ts';
import type { StudyDefinition, StudyPoint } from './study/types.ts';
import type { StudyKind } from './study/registry.ts';
import { writeSweepReport } from './sweepReport.ts';

export interface GridAxis { path: string; values: unknown[] }

/** Parse `path=v1,v2,…` (each value JSON when it parses, else a string). */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new ConfigError([`--grid ${text}: expected path=value1,value2,...`], 'command line');
  const values = text.slice(eq + 1).split(',').map((raw) => {
    try { return JSON.parse(raw); } catch { return raw; }
  });
  return { path: text.slice(0, eq), values };
}

function pointLabel(assignments: Record<string, unknown>): string {
  return Object.entries(assignments).map(([key, value]) => `${key.split('.').pop()}=${String(value)}`).join('_') || 'base';
}

/** All grid points with validated configs; throws ConfigError naming every bad point first. */
export function expandGrid(base: Record<string, unknown>, axes: GridAxis[], source: string): StudyPoint[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.path]: v })));
  const problems: string[] = [];
  const points: StudyPoint[] = [];
  for (const assignments of combos) {
    const label = pointLabel(assignments);
    try {
      const raw = applyOverrides(base, Object.entries(assignments).map(([k, v]) => `${k}=${JSON.stringify(v)}`));
      const config = parseRunConfig({ ...raw, name: `${String(base.name ?? 'sweep')}-${label}` }, source);
      points.push({ label, tags: Object.fromEntries(Object.entries(assignments).map(([k, v]) => [k, v as string | number | boolean | null])), config });
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems.map((p) => `grid point ${label}: ${p}`));
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  return points;
}

export interface SweepSpec { axes: GridAxis[] }

export function sweepStudy(points: StudyPoint[], spec: SweepSpec, title = `sweep over ${spec.axes.map((a) => a.path).join(' × ')}`): StudyDefinition {
  return {
    kind: 'sweep',
    title,
    points,
    spec,
    report: (collected, outDir) => {
      writeSweepReport(collected, spec.axes.map((a) => a.path), outDir, title);
      return [];
    },
  };
}

/** Registry entry (study/registry.ts); also the generic report of kinds without their own. */
export const sweepStudyKind: StudyKind = {
  fromManifest(manifest) {
    const spec = (manifest.spec as SweepSpec | undefined) ?? {
      axes: [...new Set(manifest.points.flatMap((p) => Object.keys(p.tags)))].map((key) => ({ path: key, values: [...new Set(manifest.points.map((p) => p.tags[key]))] })),
    };
    return sweepStudy(manifest.points.map((p) => ({ label: p.label, tags: p.tags, config: p.config })), spec, manifest.title);
  },
};
