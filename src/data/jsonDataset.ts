/**
 * Small tabular datasets from JSON: `{ "X": number[][], "y": number[] }` — the same shape the
 * synthetic generators return, so a user can save a problem, edit it, or bring their own.
 * Every problem is reported with the file name and the offending row, because a single ragged
 * row or stray `1e999` (which JSON.parse turns into Infinity) otherwise surfaces much later as
 * a NaN loss.
 */
import { readFileSync } from 'node:fs';

export interface JsonDataset {
  X: number[][];
  y: number[];
}

/** Validates an already-parsed value; `name` prefixes error messages. */
export function validateJsonDataset(value: unknown, name: string): JsonDataset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${name}: expected an object { "X": number[][], "y": number[] }`);
  }
  const { X, y } = value as Record<string, unknown>;
  if (!Array.isArray(X)) throw new Error(`${name}: "X" must be an array of rows`);
  if (!Array.isArray(y)) throw new Error(`${name}: "y" must be an array of numbers`);
  if (X.length === 0) throw new Error(`${name}: "X" has no rows`);
  if (y.length !== X.length) {
    throw new Error(`${name}: length mismatch: "X" has ${X.length} rows but "y" has ${y.length} values`);
  }
  let width = -1;
  X.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row)) throw new Error(`${name}: X row ${i} is not an array`);
    if (width < 0) width = row.length;
    if (row.length !== width) {
      throw new Error(`${name}: ragged rows: X row ${i} has ${row.length} values, row 0 has ${width}`);
    }
    row.forEach((v: unknown, j: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`${name}: X row ${i}, column ${j} is not a finite number (got ${String(v)})`);
      }
    });
  });
  if (width === 0) throw new Error(`${name}: X rows have no features`);
  y.forEach((v: unknown, i: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name}: y row ${i} is not a finite number (got ${String(v)})`);
    }
  });
  return { X: X as number[][], y: y as number[] };
}

/** Reads and validates `{ "X": number[][], "y": number[] }` from `path`. */
export function loadJsonDataset(path: string): JsonDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot read JSON dataset (${err.code ?? err.message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`);
  }
  return validateJsonDataset(value, path);
}
