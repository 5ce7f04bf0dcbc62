/**
 * The ibl-checkpoint/1 bytes, read and written here without the library: params.bin (and
 * optimizer.bin) hold little-endian float32 values, each tensor row-major at the byte offset
 * model.json (training-state.json) gives it, tensors packed back to back in order. A round trip
 * alone cannot see a writer and reader that agree on the wrong byte order.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/index.ts';
import { createMlp } from '../../src/models/mlp.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.ts';
import { createRng } from '../../src/util/rng.ts';

beforeAll(async () => { await setupBackend(); });

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-bytes-'));

function littleEndianFloats(bytes: Buffer, offset: number, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => view.getFloat32(offset + 4 * i, true));
}

describe('params.bin and optimizer.bin are little-endian float32 at the recorded offsets', () => {
  it('the writer: every tensor\'s bytes at its offset are its values, tensors back to back', () => {
    const model = createMlp({ widths: [5, 4, 3], bias: true });
    const params = model.init(createRng(7));
    // Biases start at 0; give every tensor values whose byte order matters.
    const values = params.map((p, k) => Float32Array.from(p.dataSync(), (v, i) => v + (k + 1) * 0.37 + i * 1e-3));
    const shaped = values.map((v, k) => tf.tensor(v, params[k].shape));
    const velocity = values.map((v, k) => tf.tensor(v.map((x) => -2 * x), params[k].shape));
    const dir = path.join(tempDir(), 'ckpt');
    saveCheckpoint(dir, model, shaped, { step: 3, optimizerState: { velocity } });

    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(meta.format).toBe('ibl-checkpoint/1');
    const bytes = fs.readFileSync(path.join(dir, 'params.bin'));
    let expectedOffset = 0;
    meta.tensors.forEach((entry: { name: string; shape: number[]; offset: number }, k: number) => {
      expect(entry.name).toBe(model.paramSpecs[k].name);
      expect(entry.shape).toEqual(params[k].shape);
      expect(entry.offset).toBe(expectedOffset);
      expect(littleEndianFloats(bytes, entry.offset, values[k].length)).toEqual(Array.from(values[k]));
      expectedOffset += values[k].length * 4;
    });
    expect(bytes.byteLength).toBe(expectedOffset);

    const state = JSON.parse(fs.readFileSync(path.join(dir, 'training-state.json'), 'utf8'));
    expect(state.step).toBe(3);
    const optimizerBytes = fs.readFileSync(path.join(dir, 'optimizer.bin'));
    expect(state.optimizer).toHaveLength(values.length);
    state.optimizer.forEach((entry: { slot: string; index: number; shape: number[]; offset: number }, k: number) => {
      expect(entry).toMatchObject({ slot: 'velocity', index: k, shape: params[k].shape });
      expect(littleEndianFloats(optimizerBytes, entry.offset, values[k].length)).toEqual(Array.from(values[k], (x) => Math.fround(-2 * x)));
    });
    tf.dispose([...params, ...shaped, ...velocity]);
  });

  it('the reader: a checkpoint written byte by byte here loads with exactly these values', () => {
    // widths [2, 3, 1], no bias: dense0/kernel [2,3] at 0, dense1/kernel [3,1] at 24.
    const kernel0 = [1.5, -2.25, 3.125, 1e-3, -7, 65504];
    const kernel1 = [0.1, -0.2, 1e-30];
    const momentum = [9, 8, 7, 6, 5, 4, 3, 2, 1];
    const dir = tempDir();
    const pack = (numbers: number[]) => {
      const buffer = Buffer.alloc(numbers.length * 4);
      numbers.forEach((x, i) => buffer.writeFloatLE(x, 4 * i));
      return buffer;
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'ibl-checkpoint/1',
      architecture: { kind: 'mlp', widths: [2, 3, 1], activation: 'relu', bias: false },
      tensors: [{ name: 'dense0/kernel', shape: [2, 3], offset: 0 }, { name: 'dense1/kernel', shape: [3, 1], offset: 24 }],
    }));
    fs.writeFileSync(path.join(dir, 'params.bin'), pack([...kernel0, ...kernel1]));
    fs.writeFileSync(path.join(dir, 'optimizer.bin'), pack(momentum));
    fs.writeFileSync(path.join(dir, 'training-state.json'), JSON.stringify({
      step: 12,
      optimizer: [{ slot: 'velocity', index: 0, shape: [2, 3], offset: 0 }, { slot: 'velocity', index: 1, shape: [3, 1], offset: 24 }],
    }));
    const loaded = loadCheckpoint(dir);
    expect(loaded.params.map((t) => t.shape)).toEqual([[2, 3], [3, 1]]);
    expect(Array.from(loaded.params[0].dataSync())).toEqual(kernel0.map(Math.fround));
    expect(Array.from(loaded.params[1].dataSync())).toEqual(kernel1.map(Math.fround));
    expect(loaded.training!.step).toBe(12);
    expect(Array.from(loaded.training!.optimizerState.velocity[0].dataSync())).toEqual(momentum.slice(0, 6));
    expect(Array.from(loaded.training!.optimizerState.velocity[1].dataSync())).toEqual(momentum.slice(6));
    // The forward pass the README documents: logits = relu(x W₀) W₁, here for x = (1, 1).
    const logit = [0, 1, 2].reduce((s, j) => s + Math.max(0, Math.fround(kernel0[j]) + Math.fround(kernel0[3 + j])) * Math.fround(kernel1[j]), 0);
    const got = loaded.model.apply(loaded.params, tf.tensor2d([[1, 1]])).dataSync()[0];
    expect(Math.abs(got - logit)).toBeLessThan(1e-5 * Math.abs(logit));
  });
});
