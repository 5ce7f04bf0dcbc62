/**
 * CIFAR-10 (Krizhevsky 2009), read from the official *binary* version
 * (cifar-10-binary.tar.gz → data_batch_1.bin … data_batch_5.bin, test_batch.bin).
 *
 * Record format (3,073 bytes, no header): 1 label byte (0..9), then 3,072 pixel bytes as three
 * 1,024-byte planes R, G, B, each a row-major 32×32 image. We convert to HWC — element
 * (row, col, channel) at ((row·32 + col)·3 + channel) — so featureShape is [32, 32, 3] like
 * every other image loader here, and scale by 1/255. Files are validated (non-empty, size a
 * multiple of 3,073, labels ≤ 9) with errors naming the file: a batch truncated by an interrupted
 * copy would otherwise shift every later record by a few bytes and train on garbage.
 * Nothing is downloaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, DatasetSplit } from './dataset.ts';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
export const CIFAR10_RECORD_BYTES = 3073;
const PLANE = 1024;

export interface Cifar10Batch {
  /** n × 32 × 32 × 3, HWC, in [0, 1]. */
  x: Float32Array;
  y: Int32Array;
  n: number;
}

function checkSize(len: number, name: string): number {
  if (len === 0) throw new Error(`${name}: CIFAR-10 batch file is empty`);
  if (len % CIFAR10_RECORD_BYTES !== 0) {
    throw new Error(
      `${name}: size ${len} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record ` +
        `(${Math.floor(len / CIFAR10_RECORD_BYTES)} whole records + ${len % CIFAR10_RECORD_BYTES} bytes; truncated or not a binary batch?)`,
    );
  }
  return len / CIFAR10_RECORD_BYTES;
}

/** Decodes records of `buf` into x/y starting at example `offset` (buf already size-checked). */
function decodeInto(buf: Uint8Array, name: string, x: Float32Array, y: Int32Array, offset: number): void {
  const n = buf.length / CIFAR10_RECORD_BYTES;
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR10_RECORD_BYTES;
    const label = buf[rec];
    if (label > 9) throw new Error(`${name}: record ${i} has label ${label}, CIFAR-10 labels are 0..9`);
    y[offset + i] = label;
    const out = (offset + i) * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      const o = out + 3 * p;
      x[o] = buf[rec + 1 + p] / 255;
      x[o + 1] = buf[rec + 1 + PLANE + p] / 255;
      x[o + 2] = buf[rec + 1 + 2 * PLANE + p] / 255;
    }
  }
}

/** Parses one binary batch; `name` (usually the path) prefixes error messages. */
export function parseCifar10Batch(buffer: Uint8Array, name: string): Cifar10Batch {
  const n = checkSize(buffer.length, name);
  const x = new Float32Array(n * 3 * PLANE);
  const y = new Int32Array(n);
  decodeInto(buffer, name, x, y, 0);
  return { x, y, n };
}

export interface Cifar10Options {
  /**
   * Folder with data_batch_{1..5}.bin and test_batch.bin — or its parent, if that holds the
   * `cifar-10-batches-bin` folder the official archive unpacks to.
   */
  dir: string;
}

const HOW_TO_OBTAIN =
  'CIFAR-10 is not bundled and nothing is downloaded at run time: get the *binary* version ' +
  '(cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), unpack it, and pass the ' +
  'cifar-10-batches-bin folder (or its parent) as { dir }.';

function readBatches(dir: string, files: string[]): { bufs: Uint8Array[]; names: string[] } {
  const names = files.map((f) => join(dir, f));
  for (const p of names) {
    if (!existsSync(p)) throw new Error(`${p}: file not found. ${HOW_TO_OBTAIN}`);
  }
  const bufs = names.map((p) => readFileSync(p));
  bufs.forEach((b, i) => checkSize(b.length, names[i]));
  return { bufs, names };
}

function assemble(dir: string, files: string[], name: string): Dataset {
  const { bufs, names } = readBatches(dir, files);
  const total = bufs.reduce((a, b) => a + b.length / CIFAR10_RECORD_BYTES, 0);
  const x = new Float32Array(total * 3 * PLANE);
  const y = new Int32Array(total);
  let offset = 0;
  bufs.forEach((b, i) => {
    decodeInto(b, names[i], x, y, offset);
    offset += b.length / CIFAR10_RECORD_BYTES;
  });
  return {
    name,
    x,
    y,
    n: total,
    featureShape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    provenance: { source: names.join(' + '), steps: [] },
  };
}

/** CIFAR-10 as featureShape [32, 32, 3] (HWC), pixels in [0, 1]: 50,000 train, 10,000 test. */
export function loadCifar10(opts: Cifar10Options): DatasetSplit {
  const nested = join(opts.dir, 'cifar-10-batches-bin');
  const dir = !existsSync(join(opts.dir, 'test_batch.bin')) && existsSync(nested) ? nested : opts.dir;
  const trainFiles = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
  return {
    train: assemble(dir, trainFiles, 'cifar10-train'),
    test: assemble(dir, ['test_batch.bin'], 'cifar10-test'),
  };
}
