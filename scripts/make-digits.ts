/**
 * Regenerates the embedded digits data (data/digits-*-idx*-ubyte.gz) from the copy of the UCI
 * "Optical Recognition of Handwritten Digits" test set shipped by Debian's python3-sklearn.
 *
 *   npx tsx scripts/make-digits.ts [path/to/digits.csv.gz]
 *
 * Input: 1,797 CSV rows, each 64 pixel counts 0..16 (an 8×8 image, row-major) then the label.
 * Output: an IDX uint8 image file with dims [1797, 8, 8] where pixel = round(v · 255 / 16), so
 * that the generic IDX loader's 1/255 scaling gives v/16 up to rounding (max error 1/510), and
 * an IDX uint8 label file with dims [1797]. Row order is kept. Writing is deterministic (gzip
 * header mtime is zero), so rerunning reproduces the committed files byte for byte.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { writeIdx } from '../src/data/idx.ts';

const DEFAULT_SRC = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';
const src = process.argv[2] ?? DEFAULT_SRC;
const outDir = fileURLToPath(new URL('../data/', import.meta.url));

const text = gunzipSync(readFileSync(src)).toString('utf8');
const rows = text.split('\n').filter((l) => l.trim() !== '');
if (rows.length !== 1797) throw new Error(`${src}: expected 1797 rows, found ${rows.length}`);

const pixels = new Uint8Array(rows.length * 64);
const labels = new Uint8Array(rows.length);
rows.forEach((line, r) => {
  const vals = line.split(',').map(Number);
  if (vals.length !== 65) throw new Error(`${src}: row ${r + 1} has ${vals.length} fields, expected 65`);
  for (let j = 0; j < 64; j++) {
    const v = vals[j];
    if (!Number.isInteger(v) || v < 0 || v > 16) throw new Error(`${src}: row ${r + 1} pixel ${j} = ${v} not in 0..16`);
    pixels[r * 64 + j] = Math.round((v * 255) / 16);
  }
  const label = vals[64];
  if (!Number.isInteger(label) || label < 0 || label > 9) throw new Error(`${src}: row ${r + 1} label ${label} not in 0..9`);
  labels[r] = label;
});

writeIdx(outDir + 'digits-images-idx3-ubyte.gz', { dtype: 'uint8', dims: [rows.length, 8, 8], data: pixels }, { gzip: true });
writeIdx(outDir + 'digits-labels-idx1-ubyte.gz', { dtype: 'uint8', dims: [rows.length], data: labels }, { gzip: true });
const counts = Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
console.log(`wrote ${rows.length} digits to ${outDir} (class counts ${counts.join(' ')})`);
