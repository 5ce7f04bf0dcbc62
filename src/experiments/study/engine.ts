/**
 * The one engine for every multi-run study: plan → execute → collect → report.
 *
 *   plan      validate every point (the schema again, one folder per distinct run) before any
 *             starts; name each run folder `<label>-<hash of the identity>` (identity.ts); write
 *             the manifest `study.json` (manifest.ts)
 *   execute   run the points not yet finished on disk — local child processes or a Slurm job
 *             array; each point is an ordinary resumable `ibl run` record under its lock
 *   collect   read only the run folders named by the manifest
 *   report    the study's own tables and figures from what collection found (again under
 *             `ibl report DIR`, without training)
 *
 * So the table is the same whichever executor ran the points and however often they were
 * interrupted, and a study folder never disagrees with itself: a changed point is a new folder,
 * a larger step budget continues a run, presentation changes only redraw.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../backend/setup.ts';
import { ConfigError, parseRunConfig, type RunConfig } from '../runConfig.ts';
import { redrawFinishedRun, runIsFinished, type RunSummary } from '../runExperiment.ts';
import { writeJsonAtomic } from '../../util/atomicWrite.ts';
import { pointFolderName, sameRun } from './identity.ts';
import { readStudyManifest, studyManifestFile, studyManifestFormat, type StudyManifest } from './manifest.ts';
import { studyKind, type StudyKind } from './registry.ts';
import { afterRunDue } from './runPoint.ts';
import { executeLocal, type PointTask } from './localExecutor.ts';
import { formatDuration, studyProgress } from './progress.ts';
import { estimateStudy, formatMilliseconds } from './estimate.ts';
import { executeSlurm, type SlurmOptions } from './slurmExecutor.ts';
import type { CollectedPoint, StudyDefinition, StudyVerdict } from './types.ts';

export type { SlurmOptions } from './slurmExecutor.ts';

export interface PlannedPoint extends PointTask {
  tags: Record<string, string | number | boolean | null>;
}

export interface StudyPlan {
  outDir: string;
  manifest: StudyManifest;
  points: PlannedPoint[];
}

/**
 * Validate every point and name its folder; throws ConfigError naming every bad point (and
 * every pair of points that are the same run) before anything is written.
 */
export function planStudy(definition: StudyDefinition, outDir: string): StudyPlan {
  const problems: string[] = [];
  const points: PlannedPoint[] = [];
  const byFolder = new Map<string, string>();
  if (definition.points.length === 0) problems.push('the study has no points');
  for (const point of definition.points) {
    let config: RunConfig;
    try {
      config = parseRunConfig(point.config, `point ${point.label}`);
    } catch (error) {
      if (error instanceof ConfigError) { problems.push(...error.problems.map((p) => `point ${point.label}: ${p}`)); continue; }
      throw error;
    }
    const folder = pointFolderName(point.label, config);
    const other = byFolder.get(folder);
    if (other !== undefined) { problems.push(`points ${other} and ${point.label} are the same run (folder ${folder})`); continue; }
    byFolder.set(folder, point.label);
    points.push({ folder, dir: path.resolve(outDir, folder), label: point.label, tags: point.tags, config });
  }
  if (problems.length > 0) throw new ConfigError(problems, `study ${definition.kind}`);
  const manifest: StudyManifest = {
    format: studyManifestFormat,
    kind: definition.kind,
    title: definition.title,
    ...(definition.spec !== undefined ? { spec: definition.spec } : {}),
    points: points.map((p) => ({ label: p.label, tags: p.tags, folder: p.folder, config: p.config })),
  };
  return { outDir: path.resolve(outDir), manifest, points };
}

export function writeStudyManifest(plan: StudyPlan): void {
  writeJsonAtomic(path.join(plan.outDir, studyManifestFile), plan.manifest);
}

function readJson<T>(file: string): T | null {
  try {
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as T : null;
  } catch {
    return null;
  }
}

function readMetrics(dir: string): Record<string, unknown>[] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Nothing left to do for the point: the run asks no more steps and its final step is done. */
export function pointFinished(point: PointTask, kind: StudyKind | null): boolean {
  const summary = readJson<RunSummary>(path.join(point.dir, 'summary.json'));
  const config = readJson<RunConfig>(path.join(point.dir, 'config.json'));
  if (!summary || !config || !sameRun(config, point.config) || !runIsFinished(summary, point.config)) return false;
  return !afterRunDue(kind, point.dir, summary);
}

/** Every point of the study in `dir`, as its run folder holds it (summary null: not started). */
export function collectStudy(dir: string): CollectedPoint[] {
  return readStudyManifest(dir).points.map((p) => collectPoint(dir, p));
}

function collectPoint(dir: string, p: { label: string; tags: CollectedPoint['point']['tags']; folder: string; config: RunConfig }): CollectedPoint {
  const runDir = path.resolve(dir, p.folder);
  return {
    point: { label: p.label, tags: p.tags, config: p.config },
    dir: runDir,
    summary: readJson<RunSummary>(path.join(runDir, 'summary.json')),
    metrics: readMetrics(runDir),
  };
}

/** The definition (with its report) that the manifest in `dir` was planned from. */
export async function studyFromManifest(dir: string): Promise<StudyDefinition> {
  const manifest = readStudyManifest(dir);
  const kind = await studyKind(manifest.kind);
  if (kind) return kind.fromManifest(manifest);
  // An unknown kind still gets the generic table over its tags.
  const { sweepStudyKind } = await import('../sweep.ts');
  return sweepStudyKind.fromManifest({ ...manifest, spec: undefined });
}

/** `ibl report DIR`: collect the study folder and redraw its tables and figures. */
export async function reportStudy(dir: string): Promise<{ collected: CollectedPoint[]; verdicts: StudyVerdict[]; failed: number }> {
  const definition = await studyFromManifest(dir);
  const collected = collectStudy(dir);
  const verdicts = await definition.report(collected, dir);
  return { collected, verdicts, failed: countFailed(collected) };
}

/**
 * The estimated duration line. Measured on the backend the points ask for (then the caller's
 * backend is restored); on Slurm the nodes may be faster or slower than this machine.
 */
async function describeEstimate(pending: PlannedPoint[], parallel: number): Promise<string> {
  const previousBackend = tf.engine().backendName;
  const requested = pending[0].config.backend;
  const backend = await setupBackend(requested === 'auto' ? undefined : requested);
  try {
    const points = pending.map((p) => ({ config: p.config, stepsDone: readJson<RunSummary>(path.join(p.dir, 'summary.json'))?.stepsDone ?? 0 }));
    const e = estimateStudy(points, parallel);
    const [fast, slow] = e.stepSeconds;
    if (e.kinds === 0) return `no duration estimate: ${e.unmeasured?.reason ?? 'nothing to measure'}`;
    return `estimated duration ${e.upperBound ? 'at most ' : ''}${formatDuration(e.seconds)} with ${parallel} at once` +
      `${e.upperBound ? ' (every point to its full step budget; points that stop early take less)' : ''}` +
      (e.kinds > 0 ? `, from step times measured now on ${backend.name}: ${formatMilliseconds(fast)}${slow > fast ? `–${formatMilliseconds(slow)}` : ''} per step over ${e.kinds} kind${e.kinds > 1 ? 's' : ''} of point` : '') +
      ` (measuring took ${formatDuration(e.measureSeconds)})` +
      (e.unmeasured ? `; ${e.unmeasured.count} point${e.unmeasured.count > 1 ? 's' : ''} left out: ${e.unmeasured.reason}` : '');
  } finally {
    if (previousBackend && previousBackend !== tf.getBackend()) await tf.setBackend(previousBackend);
  }
}

function countFailed(collected: CollectedPoint[]): number {
  return collected.filter((c) => c.summary?.status === 'failed').length;
}

export interface RunStudyOptions {
  outDir: string;
  executor?: 'local' | 'slurm';
  /** Local executor: points at once, each in its own process (default: the cores). */
  jobs?: number;
  /** Delete the study's run folders first and train every point again. */
  fresh?: boolean;
  slurm?: SlurmOptions;
  /** Slurm: follow the job array until it ends (otherwise return after submitting). */
  wait?: boolean;
  log?: (line: string) => void;
  /** Called when the executor ends a point (in finishing order), with the point read from disk. */
  onPointDone?: (collected: CollectedPoint) => void;
  /**
   * Print the estimated duration before executing, from step and probe times measured on this
   * machine's backend (estimate.ts; a few seconds). Default true.
   */
  estimate?: boolean;
}

export interface RunStudyResult {
  collected: CollectedPoint[];
  verdicts: StudyVerdict[];
  /** Points recorded as failed (a non-zero exit status for the command). */
  failed: number;
  /** Execution was stopped (Ctrl-C) or, on Slurm without --wait, is still under way. */
  unfinished: number;
  interrupted: boolean;
  jobId?: string;
}

export async function runStudy(definition: StudyDefinition, options: RunStudyOptions): Promise<RunStudyResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = planStudy(definition, options.outDir);
  fs.mkdirSync(plan.outDir, { recursive: true });
  if (options.fresh) for (const point of plan.points) fs.rmSync(point.dir, { recursive: true, force: true });
  writeStudyManifest(plan);
  const kind = await studyKind(definition.kind);
  const pending = plan.points.filter((p) => !pointFinished(p, kind));
  // Finished points whose figure formats changed: redraw their run figures, train nothing.
  for (const point of plan.points) if (!pending.includes(point)) redrawFinishedRun(point.dir, point.config);
  const executor = options.executor ?? 'local';
  const jobs = Math.max(1, options.jobs ?? os.availableParallelism());
  log(`study ${definition.kind}: ${plan.points.length} points, ${plan.points.length - pending.length} finished on disk, ${pending.length} to run (${executor}${executor === 'local' ? `, ${Math.min(jobs, Math.max(pending.length, 1))} at once` : ''}) → ${plan.outDir}/`);
  if (pending.length > 0 && options.estimate !== false) {
    log(await describeEstimate(pending, executor === 'local' ? jobs : pending.length).catch((error: Error) => `no duration estimate: ${error.message}`));
  }
  const baseProgress = studyProgress(plan.points.length, executor === 'local' ? jobs : pending.length, log);
  const byLabel = new Map(plan.points.map((p) => [p.label, p]));
  const progress: typeof baseProgress = {
    ...baseProgress,
    finished(label, status, seconds, detail) {
      baseProgress.finished(label, status, seconds, detail);
      const point = byLabel.get(label);
      if (point && options.onPointDone) options.onPointDone(collectPoint(plan.outDir, point));
    },
  };
  progress.skipped(plan.points.length - pending.length);
  let interrupted = false;
  let jobId: string | undefined;
  if (pending.length > 0) {
    if (executor === 'local') {
      interrupted = (await executeLocal(pending, { studyDir: plan.outDir, jobs, progress, log })).interrupted;
    } else {
      const outcome = await executeSlurm(plan, pending, { ...(options.slurm ?? {}), wait: options.wait ?? false, progress, log });
      jobId = outcome.jobId;
      interrupted = outcome.interrupted;
    }
  }
  const collected = collectStudy(plan.outDir);
  const verdicts = await definition.report(collected, plan.outDir);
  const unfinished = plan.points.filter((p) => !pointFinished(p, kind)).length - countFailed(collected);
  return { collected, verdicts, failed: countFailed(collected), unfinished: Math.max(0, unfinished), interrupted, ...(jobId ? { jobId } : {}) };
}
