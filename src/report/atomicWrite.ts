/**
 * Atomic file writes: write a sibling temporary file, then rename it over the target. A rename
 * within one directory is atomic on POSIX file systems, so a reader (a report builder, a LaTeX
 * run watching the file) never sees a truncated figure, and a crash leaves the old file intact.
 */
import fs from 'node:fs';

export function writeFileAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
