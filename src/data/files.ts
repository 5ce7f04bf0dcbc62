/**
 * Locating dataset files that may or may not be gzipped (`name` or `name.gz`), so users can
 * point a loader at either the distributed archives or their unpacked contents.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `dir/base` if it is a file, else `dir/base.gz` if that is, else null. */
export function findDataFile(dir: string, base: string): string | null {
  for (const candidate of [join(dir, base), join(dir, base + '.gz')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Like findDataFile, but throws `howToObtain` prefixed with the missing path. */
export function requireDataFile(dir: string, base: string, howToObtain: string): string {
  const found = findDataFile(dir, base);
  if (found === null) {
    throw new Error(`${join(dir, base)}[.gz]: file not found${existsSync(dir) ? '' : ' (directory does not exist)'}. ${howToObtain}`);
  }
  return found;
}
