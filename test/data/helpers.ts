import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temp directory, removed after the test file finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ibl-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Typed = Float32Array | Int32Array | Uint8Array | Float64Array;

/**
 * Byte-wise equality of two typed arrays of the same type. Much faster than vitest's toEqual on
 * arrays of 10^5+ elements; reported as a boolean so a failure is a plain expected/received.
 */
export function sameArray(a: Typed, b: Typed): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
