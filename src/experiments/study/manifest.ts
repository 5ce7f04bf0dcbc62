/**
 * The study folder's manifest, `<study>/study.json`, written at plan time: the kind, title and
 * spec the registry rebuilds the study from, and every point with its folder and resolved config.
 * `ibl report DIR` and the Slurm tasks read it; the run folders it names hold the results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../runConfig.ts';
import type { StudyTagValue } from './types.ts';

export const studyManifestFile = 'study.json';
export const studyManifestFormat = 'ibl-study/1';

export interface ManifestPoint {
  label: string;
  tags: Record<string, StudyTagValue>;
  /** Run folder name inside the study folder: `<label>-<identity hash>`. */
  folder: string;
  config: RunConfig;
}

export interface StudyManifest {
  format: typeof studyManifestFormat;
  kind: string;
  title: string;
  spec?: unknown;
  points: ManifestPoint[];
}

export function readStudyManifest(dir: string): StudyManifest {
  const file = path.join(dir, studyManifestFile);
  if (!fs.existsSync(file)) throw new Error(`${dir}: no ${studyManifestFile} (not a study folder, or planned by an older version)`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as StudyManifest;
  if (manifest.format !== studyManifestFormat) throw new Error(`${file}: format '${String(manifest.format)}', expected '${studyManifestFormat}'`);
  return manifest;
}
