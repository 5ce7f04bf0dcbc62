/**
 * loadCheckpoint's checks on a hand-written ibl-checkpoint/1 folder (mlp [2, 3, 1], no bias:
 * dense0/kernel [2,3], dense1/kernel [3,1]); each corruption is named in the error. The
 * malformed cases not covered in probe-cli.test.ts, plus layouts that are valid but unusual.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupBackend } from '../../src/backend/index.ts';
import { loadCheckpoint } from '../../src/train/checkpoint.ts';

beforeAll(async () => { await setupBackend(); });

const kernel0 = [1, 2, 3, 4, 5, 6];
const kernel1 = [-1, -2, -3];

function pack(numbers: number[]): Buffer {
  const buffer = Buffer.alloc(numbers.length * 4);
  numbers.forEach((x, i) => buffer.writeFloatLE(x, 4 * i));
  return buffer;
}

function checkpoint(edit: (meta: any) => void = () => {}, params: Buffer = pack([...kernel0, ...kernel1])): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-ckval-'));
  const meta: any = {
    format: 'ibl-checkpoint/1',
    architecture: { kind: 'mlp', widths: [2, 3, 1], activation: 'relu', bias: false },
    tensors: [{ name: 'dense0/kernel', shape: [2, 3], offset: 0 }, { name: 'dense1/kernel', shape: [3, 1], offset: 24 }],
  };
  edit(meta);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta));
  fs.writeFileSync(path.join(dir, 'params.bin'), params);
  return dir;
}

describe('loadCheckpoint names what is wrong', () => {
  it('model.json: not JSON, no architecture, no tensors list, a non-object entry', () => {
    const dir = checkpoint();
    fs.writeFileSync(path.join(dir, 'model.json'), '{"format": ');
    expect(() => loadCheckpoint(dir)).toThrow(/model\.json: not valid JSON/);
    expect(() => loadCheckpoint(checkpoint((m) => { delete m.architecture; }))).toThrow(/model\.json: missing 'architecture'/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.architecture = 'mlp'; }))).toThrow(/model\.json: missing 'architecture'/);
    expect(() => loadCheckpoint(checkpoint((m) => { delete m.tensors; }))).toThrow(/model\.json: missing 'tensors' list/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[1] = null; }))).toThrow(/tensors\[1\] must be an object \{name, shape, offset\}/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[0].name = 7; }))).toThrow(/tensors\[0\] must be an object/);
  });

  it('shapes: negative or fractional sizes; a tensor count or name that disagrees with the architecture', () => {
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[0].shape = [2, -3]; }))).toThrow(/tensor 'dense0\/kernel' has shape \[2,-3\], expected a list of non-negative integers/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[1].shape = [3, 0.5]; }))).toThrow(/tensor 'dense1\/kernel' has shape \[3,0\.5\]/);
    // 0 is a valid (non-negative) dimension: [2, 0] is refused for disagreeing with the architecture, not as malformed.
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[0].shape = [2, 0]; }))).toThrow(/tensor 'dense0\/kernel' has shape \[2,0\], the architecture needs \[2,3\]/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors.pop(); }))).toThrow(/architecture 'mlp' has 2 tensors, the tensors list has 1/);
    expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[1].name = 'dense1/bias'; }))).toThrow(/tensor 1 is named 'dense1\/bias', expected 'dense1\/kernel'/);
  });

  it('offsets: negative, fractional or not a multiple of 4', () => {
    for (const offset of [-4, 2.5, 26, '24']) {
      expect(() => loadCheckpoint(checkpoint((m) => { m.tensors[1].offset = offset; })), String(offset))
        .toThrow(new RegExp(`tensor 'dense1/kernel' has invalid offset ${offset} \\(a non-negative multiple of 4\\)`));
    }
  });

  it('a training state whose optimizer.bin is missing or too short', () => {
    const dir = checkpoint();
    const state = { step: 5, optimizer: [{ slot: 'velocity', index: 0, shape: [2, 3], offset: 0 }, { slot: 'velocity', index: 1, shape: [3, 1], offset: 24 }] };
    fs.writeFileSync(path.join(dir, 'training-state.json'), JSON.stringify(state));
    expect(() => loadCheckpoint(dir)).toThrow(/optimizer\.bin: missing \(training-state\.json refers to it\)/);
    fs.writeFileSync(path.join(dir, 'optimizer.bin'), pack([1, 2, 3, 4, 5, 6, 7]));
    expect(() => loadCheckpoint(dir)).toThrow(/optimizer\.bin: tensor 'velocity\/1' with shape \[3,1\] needs bytes 24\.\.36 but the file has 28/);
  });
});

describe('valid layouts', () => {
  it('tensors stored in reverse order (offsets need not follow the tensor list) load with their own values', () => {
    const dir = checkpoint((m) => { m.tensors[0].offset = 12; m.tensors[1].offset = 0; }, pack([...kernel1, ...kernel0]));
    const loaded = loadCheckpoint(dir);
    expect(Array.from(loaded.params[0].dataSync())).toEqual(kernel0);
    expect(Array.from(loaded.params[1].dataSync())).toEqual(kernel1);
    expect(loaded.training).toBeUndefined();
  });

  it('optimizer slots and indices are restored by name, in any file order', () => {
    const dir = checkpoint();
    fs.writeFileSync(path.join(dir, 'optimizer.bin'), pack([10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28]));
    fs.writeFileSync(path.join(dir, 'training-state.json'), JSON.stringify({
      step: 9,
      optimizer: [
        { slot: 'v', index: 1, shape: [3, 1], offset: 60 }, { slot: 'm', index: 0, shape: [2, 3], offset: 0 },
        { slot: 'm', index: 1, shape: [3, 1], offset: 24 }, { slot: 'v', index: 0, shape: [2, 3], offset: 36 },
      ],
      extra: { note: 'kept' },
    }));
    const loaded = loadCheckpoint(dir);
    const values = (slot: string, i: number) => Array.from(loaded.training!.optimizerState[slot][i].dataSync());
    expect(loaded.training!.step).toBe(9);
    expect(loaded.training!.extra).toEqual({ note: 'kept' });
    expect(values('m', 0)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(values('m', 1)).toEqual([16, 17, 18]);
    expect(values('v', 0)).toEqual([20, 21, 22, 23, 24, 25]);
    expect(values('v', 1)).toEqual([26, 27, 28]);
  });
});
