/**
 * Study kinds by name, so that a study can be rebuilt from its manifest (`ibl report DIR`) and
 * so that a point's process knows the study's per-point final step. A new study adds one line
 * to `builtInKinds` (a lazy import keeps the CLI's start-up light). A kind without an entry is
 * reported with the generic sweep table over its tags.
 */
import type { StudyManifest } from './manifest.ts';
import type { StudyDefinition, StudyPoint } from './types.ts';

export interface StudyKind {
  /** The definition (points and report) from the manifest written at plan time. */
  fromManifest(manifest: StudyManifest): StudyDefinition | Promise<StudyDefinition>;
  /**
   * Work on a finished point that belongs in the point's own run (e.g. probes of the final
   * solution), done by the process that trained it — the local executor's child or the Slurm
   * task — so collection only reads files. Its result is written to `<run>/<file>` with the
   * run's `stepsDone`; it is redone when the run has since trained further.
   */
  afterRun?: { file: string; run(point: StudyPoint, dir: string, spec: unknown): Promise<Record<string, unknown>> | Record<string, unknown> };
}

const builtInKinds: Record<string, () => Promise<StudyKind>> = {
  sweep: async () => (await import('../sweep.ts')).sweepStudyKind,
  zhang: async () => (await import('../zhang/sweep.ts')).zhangStudyKind,
  'init-scale': async () => (await import('../initScale/study.ts')).initScaleStudyKind,
  'flatness-vs-lr': async () => (await import('../flatness/study.ts')).flatnessStudyKind,
};

const registered = new Map<string, () => Promise<StudyKind>>();

export function registerStudyKind(kind: string, load: () => Promise<StudyKind>): void {
  registered.set(kind, load);
}

/** The kind's entry, or null when it is unknown. */
export async function studyKind(kind: string): Promise<StudyKind | null> {
  const load = registered.get(kind) ?? builtInKinds[kind];
  return load ? load() : null;
}
