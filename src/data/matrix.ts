/**
 * Conversion from the plain-array problems (synthetic generators, JSON files) to the typed
 * `Dataset` the rest of the toolkit consumes.
 */
import type { Dataset } from './dataset.ts';

export interface MatrixToDatasetOptions {
  name: string;
  /**
   * 'regression': y goes to `targets` (and `y` is zeros, numClasses 0).
   * 'classification': labels ±1 map to classes 0 (−1) and 1 (+1); otherwise y must hold
   * integers 0..K−1 and numClasses = max(y) + 1 (or `numClasses` if given).
   */
  task: 'regression' | 'classification';
  numClasses?: number;
  /** Provenance source (e.g. the JSON path or generator call). */
  source?: string;
}

export function matrixToDataset(data: { X: number[][]; y: number[] }, opts: MatrixToDatasetOptions): Dataset {
  const n = data.X.length;
  if (data.y.length !== n) throw new Error(`${opts.name}: X has ${n} rows, y has ${data.y.length}`);
  const p = n > 0 ? data.X[0].length : 0;
  const x = new Float32Array(n * p);
  data.X.forEach((row, i) => {
    if (row.length !== p) throw new Error(`${opts.name}: row ${i} has ${row.length} features, row 0 has ${p}`);
    x.set(row, i * p);
  });
  const base = {
    name: opts.name,
    x,
    n,
    featureShape: [p],
    provenance: { source: opts.source ?? opts.name, steps: [] },
  };
  if (opts.task === 'regression') {
    return { ...base, y: new Int32Array(n), numClasses: 0, targets: Float32Array.from(data.y) };
  }
  const pm = data.y.every((v) => v === 1 || v === -1);
  const y = Int32Array.from(data.y, (v) => (pm ? (v + 1) / 2 : v));
  const numClasses = opts.numClasses ?? (pm ? 2 : Math.max(0, ...data.y) + 1);
  data.y.forEach((v, i) => {
    if (!pm && !(Number.isInteger(v) && v >= 0 && v < numClasses)) {
      throw new Error(`${opts.name}: y row ${i} = ${v} is not ±1 or a class index in [0, ${numClasses})`);
    }
  });
  return { ...base, y, numClasses };
}
