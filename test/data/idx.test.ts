import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, loadIdxClassification, parseIdx, readIdx, writeIdx, type IdxArray } from '../../src/data/idx.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('idx');

const samples: IdxArray[] = [
  { dtype: 'uint8', dims: [2, 3, 2], data: Uint8Array.from([0, 1, 2, 127, 128, 255, 3, 4, 5, 6, 7, 8]) },
  { dtype: 'int8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'int16', dims: [2, 2], data: Int16Array.from([-32768, -2, 258, 32767]) },
  { dtype: 'int32', dims: [3], data: Int32Array.from([-2147483648, 16909060, 2147483647]) },
  { dtype: 'float32', dims: [1, 3], data: Float32Array.from([-1.5, 0.1, 3.25e10]) },
  { dtype: 'float64', dims: [2], data: Float64Array.from([Math.PI, -1e-300]) },
];

describe('IDX round trip', () => {
  for (const s of samples) {
    for (const gzip of [false, true]) {
      it(`${s.dtype} ${gzip ? 'gzipped' : 'raw'}`, () => {
        const path = join(dir, `rt-${s.dtype}-${gzip}.idx`); // name gives no hint of gzip
        writeIdx(path, s, { gzip });
        const bytes = readFileSync(path);
        expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
        const back = readIdx(path);
        expect(back.dtype).toBe(s.dtype);
        expect(back.dims).toEqual(s.dims);
        expect(back.data.constructor).toBe(s.data.constructor);
        expect(Array.from(back.data)).toEqual(Array.from(s.data));
      });
    }
  }

  it('writes the big-endian header and data of the spec', () => {
    const bytes = encodeIdx({ dtype: 'int16', dims: [2], data: Int16Array.from([1, -2]) });
    expect(Array.from(bytes)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0, 1, 0xff, 0xfe]);
  });
});

describe('IDX rejection', () => {
  const good = encodeIdx({ dtype: 'uint8', dims: [10, 2, 2], data: new Uint8Array(40) });
  const write = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('bad magic', () => {
    const b = good.slice();
    b[0] = 0x12;
    const p = write('badmagic.idx', b);
    expect(() => readIdx(p)).toThrow(/badmagic\.idx: bad magic number 0x12000803/);
  });

  it('unknown type code', () => {
    const b = good.slice();
    b[2] = 0x0a;
    const p = write('badtype.idx', b);
    expect(() => readIdx(p)).toThrow(/badtype\.idx: unknown IDX type code 0x0a/);
  });

  it('truncated header (fewer than 4 bytes, and dims cut short)', () => {
    const p1 = write('tiny.idx', good.subarray(0, 3));
    expect(() => readIdx(p1)).toThrow(/tiny\.idx: truncated header/);
    const p2 = write('shorthdr.idx', good.subarray(0, 10));
    expect(() => readIdx(p2)).toThrow(/shorthdr\.idx: truncated header: 3 dims need 16 header bytes, file has 10/);
  });

  it('truncated data, also when gzipped', () => {
    const p = write('short.idx', good.subarray(0, good.length - 5));
    expect(() => readIdx(p)).toThrow(/short\.idx: data is truncated: expected 40 data bytes for dims \[10,2,2\] of uint8, found 35/);
    const pg = write('short.gz', gzipSync(good.subarray(0, good.length - 5)));
    expect(() => readIdx(pg)).toThrow(/short\.gz: data is truncated/);
  });

  it('extra bytes', () => {
    const b = new Uint8Array(good.length + 3);
    b.set(good);
    const p = write('long.idx', b);
    expect(() => readIdx(p)).toThrow(/long\.idx: file has trailing bytes: expected 40 data bytes .* found 43/);
  });

  it('truncated gzip stream', () => {
    const gz = gzipSync(good);
    const p = write('cut.gz', gz.subarray(0, gz.length - 10));
    expect(() => readIdx(p)).toThrow(/cut\.gz: gzip data is corrupt or truncated/);
  });

  it('missing file names the path', () => {
    expect(() => readIdx(join(dir, 'nope.idx'))).toThrow(/nope\.idx: cannot read IDX file \(ENOENT\)/);
  });

  it('parseIdx uses the given name', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'buffer-x')).toThrow(/^buffer-x: bad magic/);
  });
});

describe('loadIdxClassification', () => {
  const imgs = join(dir, 'imgs');
  const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
  writeIdx(imgs, { dtype: 'uint8', dims: [3, 2, 2], data: pixels }, { gzip: true });

  it('scales by 1/255 and adds a channel dim', () => {
    const lbl = join(dir, 'lbl-ok');
    writeIdx(lbl, { dtype: 'uint8', dims: [3], data: Uint8Array.from([2, 0, 1]) });
    const ds = loadIdxClassification(imgs, lbl, { name: 't', numClasses: 3 });
    expect(ds.n).toBe(3);
    expect(ds.featureShape).toEqual([2, 2, 1]);
    expect(Array.from(ds.y)).toEqual([2, 0, 1]);
    expect(ds.x.length).toBe(12);
    ds.x.forEach((v, i) => expect(v).toBeCloseTo((i * 20) / 255, 6));
  });

  it('rejects a label/image count mismatch naming both files', () => {
    const lbl = join(dir, 'lbl-short');
    writeIdx(lbl, { dtype: 'uint8', dims: [2], data: Uint8Array.from([0, 1]) });
    expect(() => loadIdxClassification(imgs, lbl, { name: 't', numClasses: 3 })).toThrow(
      /label count 2 in .*lbl-short does not match image count 3 in .*imgs/,
    );
  });

  it('rejects a label >= numClasses naming the file', () => {
    const lbl = join(dir, 'lbl-big');
    writeIdx(lbl, { dtype: 'uint8', dims: [3], data: Uint8Array.from([0, 1, 3]) });
    expect(() => loadIdxClassification(imgs, lbl, { name: 't', numClasses: 3 })).toThrow(
      /lbl-big: label 3 at index 2 is outside \[0, 3\)/,
    );
  });
});
