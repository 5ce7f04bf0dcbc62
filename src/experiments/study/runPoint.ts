/**
 * One point of a study, as every executor runs it: the ordinary run (runExperiment, under the
 * folder's lock, resumable), then the study kind's per-point final step when it has one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../runConfig.ts';
import { runExperiment, type RunOptions, type RunSummary } from '../runExperiment.ts';
import { writeJsonAtomic } from '../../util/atomicWrite.ts';
import { readStudyManifest } from './manifest.ts';
import { studyKind, type StudyKind } from './registry.ts';

/** Whether the kind's per-point final step is missing or older than the run's last step. */
export function afterRunDue(kind: StudyKind | null, dir: string, summary: RunSummary | null): boolean {
  if (!kind?.afterRun || !summary || (summary.status !== 'completed' && summary.status !== 'diverged')) return false;
  const file = path.join(dir, kind.afterRun.file);
  if (!fs.existsSync(file)) return true;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { stepsDone?: number }).stepsDone !== summary.stepsDone;
  } catch {
    return true;
  }
}

export async function runStudyPoint(studyDir: string, config: RunConfig, outDir: string, options: Omit<RunOptions, 'outDir'> = {}): Promise<RunSummary> {
  const manifest = readStudyManifest(studyDir);
  const kind = await studyKind(manifest.kind);
  const summary = await runExperiment(config, { ...options, outDir });
  if (afterRunDue(kind, outDir, summary) && !options.signal?.aborted) {
    const entry = manifest.points.find((p) => p.folder === path.basename(path.resolve(outDir)));
    if (!entry) throw new Error(`${outDir}: not a point of the study in ${studyDir}`);
    const result = await kind!.afterRun!.run({ label: entry.label, tags: entry.tags, config }, outDir, manifest.spec);
    writeJsonAtomic(path.join(outDir, kind!.afterRun!.file), { ...result, stepsDone: summary.stepsDone });
  }
  return summary;
}
