/**
 * The contract between a multi-run study and the one engine that plans, executes and collects
 * it (plan → execute → collect). A study is data: a list of points, each a fully resolved run
 * config. It never trains anything itself; the engine runs every point as an ordinary `ibl run`
 * record folder, and the study's report reads only what collection found on disk, so tables and
 * figures are the same whichever executor ran the points and however often they were
 * interrupted.
 */
import type { RunConfig } from '../runConfig.ts';
import type { RunSummary } from '../runExperiment.ts';

/** Values that tables and figures group by: grid values, architecture, corruption, replicate seed. */
export type StudyTagValue = string | number | boolean | null;

export interface StudyPoint {
  /** Readable prefix of the point's folder name (the engine appends a hash of the config). */
  label: string;
  tags: Record<string, StudyTagValue>;
  /** Validated and fully resolved (defaults applied). */
  config: RunConfig;
}

/** One point as collection found it on disk. */
export interface CollectedPoint {
  point: StudyPoint;
  /** The run folder (absolute). */
  dir: string;
  /** null when the point has not started. */
  summary: RunSummary | null;
  /** The run's metrics.jsonl records, in order (empty when not started). */
  metrics: Record<string, unknown>[];
}

export interface StudyDefinition {
  /** e.g. 'sweep', 'zhang', 'flatness-vs-lr', 'init-scale'. */
  kind: string;
  /** Human title for the study folder's README. */
  title: string;
  points: StudyPoint[];
  /**
   * Plain JSON the study's registry entry (study/registry.ts) rebuilds this definition from when
   * `ibl report DIR` reads the study folder's manifest (e.g. the sweep's grid axes).
   */
  spec?: unknown;
  /**
   * Tables, figures (each with its CSV and caption) and verdicts from collected points. Must
   * read only `collected` (and files inside the run folders): it runs again under `ibl report`.
   * Returns the verdict lines (may be empty); a FAIL verdict makes the command exit non-zero.
   */
  report(collected: CollectedPoint[], outDir: string): StudyVerdict[] | Promise<StudyVerdict[]>;
}

export interface StudyVerdict {
  claim: string;
  pass: boolean;
  detail: string;
}
