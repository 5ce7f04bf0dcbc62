/**
 * The files one figure leaves in its folder: the image, its data as CSV (same base name) and its
 * line in the folder's README.md index. The image is written last-but-one so that a figure file
 * never exists without the CSV that explains it.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { recordFigureInIndex } from './figureIndex.ts';

export function csvPathFor(figurePath: string): string {
  return path.join(path.dirname(figurePath), `${path.basename(figurePath, path.extname(figurePath))}.csv`);
}

export function writeFigureFiles(figurePath: string, image: Buffer, csv: string, caption: string): void {
  if (!caption.trim()) throw new Error(`figure ${figurePath}: a caption is required (what it shows, from which runs)`);
  writeFileAtomic(csvPathFor(figurePath), csv);
  writeFileAtomic(figurePath, image);
  recordFigureInIndex(figurePath, caption);
}
