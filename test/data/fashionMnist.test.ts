import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from '../../src/data/fashionMnist.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { tempDir } from './helpers.ts';
import { join } from 'node:path';
import { writeIdx } from '../../src/data/idx.ts';

describe('loadFashionMnist', () => {
  it.skipIf(!existsSync(FASHION_MNIST_DEFAULT_DIR))('loads 60,000 / 10,000 images of shape [28, 28, 1]', () => {
    const { train, test } = loadFashionMnist();
    expect(train.n).toBe(60000);
    expect(test.n).toBe(10000);
    expect(train.featureShape).toEqual([28, 28, 1]);
    expect(test.featureShape).toEqual([28, 28, 1]);
    expect(train.x.length).toBe(60000 * 784);
    expect(train.numClasses).toBe(10);
    const perClass = new Array(10).fill(0);
    train.y.forEach((c) => perClass[c]++);
    expect(perClass).toEqual(new Array(10).fill(6000)); // Fashion-MNIST is exactly balanced
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, train.x[i]);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('a missing directory says how to obtain the data', () => {
    expect(() => loadFashionMnist({ dir: '/nonexistent/fmnist' })).toThrow(
      /\/nonexistent\/fmnist\/train-images-idx3-ubyte\[\.gz\]: file not found.*apt-get install dataset-fashion-mnist/,
    );
  });
});

describe('loadMnist', () => {
  it('a missing file names it and says nothing is downloaded', () => {
    expect(() => loadMnist({ dir: '/nonexistent/mnist' })).toThrow(
      /\/nonexistent\/mnist\/train-images-idx3-ubyte\[\.gz\]: file not found.*nothing is downloaded/,
    );
  });

  it('reads a folder mixing raw and gzipped files', () => {
    const dir = tempDir('mnist');
    const img = (n: number) => ({ dtype: 'uint8' as const, dims: [n, 28, 28], data: new Uint8Array(n * 784).fill(255) });
    const lbl = (n: number) => ({ dtype: 'uint8' as const, dims: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
    writeIdx(join(dir, 'train-images-idx3-ubyte.gz'), img(5), { gzip: true });
    writeIdx(join(dir, 'train-labels-idx1-ubyte'), lbl(5));
    writeIdx(join(dir, 't10k-images-idx3-ubyte'), img(3));
    writeIdx(join(dir, 't10k-labels-idx1-ubyte.gz'), lbl(3), { gzip: true });
    const { train, test } = loadMnist({ dir });
    expect(train.n).toBe(5);
    expect(test.n).toBe(3);
    expect(train.featureShape).toEqual([28, 28, 1]);
    expect(train.x[100]).toBe(1);
    expect(Array.from(test.y)).toEqual([0, 1, 2]);
  });
});
