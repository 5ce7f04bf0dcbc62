/**
 * A point's identity: the fields of its resolved run config that decide what training computes.
 * The point's folder is named `<label>-<hash of the identity>`, so the same point is the same run
 * whoever plans it, and a changed point is a new folder.
 *
 * Left out of the identity, because they do not change the numbers a run produces:
 *   - `name`, `report` (figure formats): presentation only — a change redraws, it never retrains;
 *   - `checkpoint`: how often state is saved, not what it is;
 *   - `training.steps` when the learning-rate schedule does not depend on the total (constant,
 *     step): the first T steps of a longer run are the T-step run, so a larger budget continues
 *     the same run from its checkpoint. A cosine schedule's η(t) depends on T, so there T is
 *     part of the identity.
 */
import { createHash } from 'node:crypto';
import type { RunConfig } from '../runConfig.ts';

/** JSON with object keys sorted at every level: equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether η(t) depends on the step budget T. */
export function scheduleDependsOnSteps(config: Pick<RunConfig, 'optimizer'>): boolean {
  return config.optimizer.schedule.kind === 'cosine';
}

export function identityOf(config: RunConfig): Record<string, unknown> {
  const { name: _name, report: _report, checkpoint: _checkpoint, ...rest } = config;
  const training: Record<string, unknown> = { ...rest.training };
  if (!scheduleDependsOnSteps(config)) delete training.steps;
  return { ...rest, training };
}

export function identityHash(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(identityOf(config))).digest('hex');
}

/** Two configs describe the same run (possibly with different step budgets or presentation). */
export function sameRun(a: RunConfig, b: RunConfig): boolean {
  return canonicalJson(identityOf(a)) === canonicalJson(identityOf(b));
}

/** Folder-safe readable prefix: letters, digits, `=`, `.`, `_`, `-`; at most 80 characters. */
export function labelSlug(label: string): string {
  const slug = label.replace(/[^A-Za-z0-9=._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80);
  return slug || 'point';
}

/** `<label>-<first 10 hex digits of the identity hash>`. */
export function pointFolderName(label: string, config: RunConfig): string {
  return `${labelSlug(label)}-${identityHash(config).slice(0, 10)}`;
}
