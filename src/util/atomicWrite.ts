/**
 * Atomic file writes: write to a temporary file in the same directory, fsync, then rename over
 * the target. A reader (or a resumed run) sees either the old file or the new one, never half.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * On failure (read-only folder, full disk) the error names the target and the temporary file is
 * removed, so nothing half-written is left behind and the previous file, if any, is untouched.
 */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const temporary = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const fd = fs.openSync(temporary, 'w');
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const e = error as NodeJS.ErrnoException;
    throw new Error(`cannot write ${target}: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`, { cause: error });
  }
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Replace a whole directory atomically enough for resumption: build it under a temporary name,
 * then swap. If the process dies between the two renames, `dir.old-*` still holds the previous
 * complete version and `dir` is absent; `recoverDirectory` restores it.
 */
export function replaceDirectoryAtomic(target: string, build: (temporaryDir: string) => void): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.mkdirSync(temporary);
  build(temporary);
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(temporary, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Restore `dir` from a leftover `dir.old-*` if a swap was interrupted. */
export function recoverDirectory(target: string): void {
  if (fs.existsSync(target)) return;
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const base = path.basename(target);
  const leftover = fs.readdirSync(parent).find((f) => f.startsWith(`${base}.old-`));
  if (leftover) fs.renameSync(path.join(parent, leftover), target);
}
