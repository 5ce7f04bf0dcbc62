import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch } from '../../src/data/cifar10.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('cifar');

/** A record whose pixel at (row, col) in channel c has value (row*7 + col*3 + c*50 + seed) % 256. */
function record(label: number, seed: number): Uint8Array {
  const r = new Uint8Array(CIFAR10_RECORD_BYTES);
  r[0] = label;
  for (let c = 0; c < 3; c++)
    for (let row = 0; row < 32; row++)
      for (let col = 0; col < 32; col++) r[1 + c * 1024 + row * 32 + col] = (row * 7 + col * 3 + c * 50 + seed) % 256;
  return r;
}
const expectedPixel = (row: number, col: number, c: number, seed: number) => ((row * 7 + col * 3 + c * 50 + seed) % 256) / 255;

function batch(...recs: Uint8Array[]): Uint8Array {
  const b = new Uint8Array(recs.length * CIFAR10_RECORD_BYTES);
  recs.forEach((r, i) => b.set(r, i * CIFAR10_RECORD_BYTES));
  return b;
}

describe('parseCifar10Batch', () => {
  it('parses a 2-record batch to HWC pixels and labels', () => {
    const path = join(dir, 'two.bin');
    writeFileSync(path, batch(record(3, 0), record(9, 11)));
    const b = parseCifar10Batch(readFileSync(path), path);
    expect(b.n).toBe(2);
    expect(Array.from(b.y)).toEqual([3, 9]);
    expect(b.x.length).toBe(2 * 32 * 32 * 3);
    for (const [i, seed] of [[0, 0], [1, 11]] as const)
      for (const [row, col] of [[0, 0], [0, 1], [5, 17], [31, 31]])
        for (let c = 0; c < 3; c++)
          expect(b.x[i * 3072 + (row * 32 + col) * 3 + c]).toBeCloseTo(expectedPixel(row, col, c, seed), 6);
  });

  it('rejects a truncated file, an empty file and a bad label, naming the file', () => {
    const good = batch(record(1, 0), record(2, 0));
    expect(() => parseCifar10Batch(good.subarray(0, good.length - 1), 'trunc.bin')).toThrow(
      /trunc\.bin: size 6145 bytes is not a multiple of the 3073-byte CIFAR-10 record/,
    );
    expect(() => parseCifar10Batch(new Uint8Array(100), 'wrong.bin')).toThrow(/wrong\.bin: size 100 bytes is not a multiple/);
    expect(() => parseCifar10Batch(new Uint8Array(0), 'empty.bin')).toThrow(/empty\.bin: CIFAR-10 batch file is empty/);
    expect(() => parseCifar10Batch(batch(record(1, 0), record(10, 0)), 'lbl.bin')).toThrow(/lbl\.bin: record 1 has label 10/);
  });
});

describe('loadCifar10', () => {
  const root = join(dir, 'unpacked');
  const batches = join(root, 'cifar-10-batches-bin');
  mkdirSync(batches, { recursive: true });
  for (let i = 1; i <= 5; i++) writeFileSync(join(batches, `data_batch_${i}.bin`), batch(record(i, i), record(0, 100 + i)));
  writeFileSync(join(batches, 'test_batch.bin'), batch(record(7, 42)));

  it('concatenates the five train batches and finds the nested folder', () => {
    const { train, test } = loadCifar10({ dir: root });
    expect(train.n).toBe(10);
    expect(train.featureShape).toEqual([32, 32, 3]);
    expect(Array.from(train.y)).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    expect(train.x[9 * 3072 + (4 * 32 + 6) * 3 + 2]).toBeCloseTo(expectedPixel(4, 6, 2, 105), 6);
    expect(test.n).toBe(1);
    expect(test.y[0]).toBe(7);
    expect(test.classNames?.[7]).toBe('horse');
  });

  it('names a missing or wrong-sized batch file', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    expect(() => loadCifar10({ dir: bad })).toThrow(/data_batch_1\.bin: file not found.*cifar-10-binary\.tar\.gz/);
    for (let i = 1; i <= 5; i++) writeFileSync(join(bad, `data_batch_${i}.bin`), batch(record(0, 0)));
    writeFileSync(join(bad, 'data_batch_3.bin'), new Uint8Array(5000));
    writeFileSync(join(bad, 'test_batch.bin'), batch(record(0, 0)));
    expect(() => loadCifar10({ dir: bad })).toThrow(/bad\/data_batch_3\.bin: size 5000 bytes is not a multiple/);
  });
});
