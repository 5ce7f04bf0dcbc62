/**
 * Reader and writer for the IDX format used by MNIST, Fashion-MNIST and friends.
 *
 * Layout (all multi-byte integers big-endian):
 *
 *   bytes 0–1   0x00 0x00
 *   byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3     number of dimensions D
 *   4·D bytes   dims[0..D-1], each an unsigned 32-bit integer
 *   then        prod(dims) elements of the given type, big-endian, row-major (last dim fastest)
 *
 * A file may be gzip-compressed (as distributed); that is detected from the gzip magic bytes
 * 0x1f 0x8b, not from the file name, so a renamed file still loads. Every structural problem
 * (bad magic, unknown type, truncated header, too few or too many data bytes) is reported with
 * the file name and the reason, because a silently misread dataset wastes a whole experiment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Dataset } from './dataset.ts';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

const TYPE_CODES: Record<IdxDtype, number> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};
const BYTES: Record<IdxDtype, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };
const DTYPE_OF_CODE = new Map<number, IdxDtype>(
  (Object.entries(TYPE_CODES) as [IdxDtype, number][]).map(([k, v]) => [v, k]),
);

/** True if `buf` starts with the gzip magic bytes 0x1f 0x8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function hex(n: number, width: number): string {
  return '0x' + n.toString(16).padStart(width, '0');
}

/**
 * Parses an IDX buffer (gzipped or raw). `name` (usually the file path) prefixes every error
 * message. The returned `data` is a fresh array in host byte order, not a view of `buffer`.
 */
export function parseIdx(buffer: Uint8Array, name: string): IdxArray {
  let buf = buffer;
  if (isGzip(buf)) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new Error(`${name}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) {
    throw new Error(`${name}: truncated header: ${buf.length} bytes, an IDX header needs at least 4`);
  }
  if (buf[0] !== 0 || buf[1] !== 0) {
    const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
    throw new Error(
      `${name}: bad magic number ${hex(magic, 8)}: an IDX file starts with 0x0000TTDD ` +
        `(two zero bytes, type code, number of dims)`,
    );
  }
  const dtype = DTYPE_OF_CODE.get(buf[2]);
  if (dtype === undefined) {
    throw new Error(
      `${name}: unknown IDX type code ${hex(buf[2], 2)} (expected one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e)`,
    );
  }
  const ndim = buf[3];
  if (ndim === 0) throw new Error(`${name}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) {
    throw new Error(
      `${name}: truncated header: ${ndim} dims need ${headerBytes} header bytes, file has ${buf.length}`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * BYTES[dtype];
  const found = buf.length - headerBytes;
  if (found !== expected) {
    const why = found < expected ? 'data is truncated' : 'file has trailing bytes';
    throw new Error(
      `${name}: ${why}: expected ${expected} data bytes for dims [${dims.join(',')}] of ${dtype}, found ${found}`,
    );
  }
  return { dtype, dims, data: decode(view, headerBytes, count, dtype) };
}

function decode(view: DataView, off: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + off, view.byteOffset + off + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + off, view.byteOffset + off + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}

/** Reads an IDX file (gzipped or raw). Errors name `path`. */
export function readIdx(path: string): IdxArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot read IDX file (${err.code ?? err.message})`);
  }
  return parseIdx(buf, path);
}

/** Serialises to IDX bytes (big-endian). Throws if `data.length` disagrees with `dims`. */
export function encodeIdx(idx: IdxArray): Uint8Array {
  const { dtype, dims, data } = idx;
  if (dims.length === 0 || dims.length > 255) throw new Error(`encodeIdx: need 1..255 dims, got ${dims.length}`);
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new Error(`encodeIdx: bad dimension ${d}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`encodeIdx: dims [${dims.join(',')}] imply ${count} elements, data has ${data.length}`);
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * BYTES[dtype]);
  const view = new DataView(out.buffer);
  out[2] = TYPE_CODES[dtype];
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const o = header + i * BYTES[dtype];
    switch (dtype) {
      case 'uint8': view.setUint8(o, v); break;
      case 'int8': view.setInt8(o, v); break;
      case 'int16': view.setInt16(o, v, false); break;
      case 'int32': view.setInt32(o, v, false); break;
      case 'float32': view.setFloat32(o, v, false); break;
      case 'float64': view.setFloat64(o, v, false); break;
    }
  }
  return out;
}

/**
 * Writes an IDX file; with `gzip: true` the bytes are gzip-compressed (level 9, and with a
 * zeroed mtime in the gzip header, so the same array always gives the same file bytes).
 */
export function writeIdx(path: string, idx: IdxArray, opts: { gzip?: boolean } = {}): void {
  const raw = encodeIdx(idx);
  writeFileSync(path, opts.gzip ? gzipSync(raw, { level: 9 }) : raw);
}

export interface IdxClassificationOptions {
  name: string;
  numClasses: number;
  classNames?: string[];
}

/**
 * Loads an (images, labels) pair of IDX files as a classification Dataset.
 *
 * Images must be uint8 with dims [n, …]; pixels are scaled by 1/255 into [0, 1] so that every
 * image loader in this toolkit (MNIST, Fashion-MNIST, digits, CIFAR-10) shares one input scale.
 * featureShape is dims[1:], plus a trailing channel of 1 for 3-D files ([n, h, w] → [h, w, 1]),
 * giving the HWC layout used throughout. Labels must be a 1-D integer file with n entries,
 * each in [0, numClasses).
 */
export function loadIdxClassification(
  imagesPath: string,
  labelsPath: string,
  opts: IdxClassificationOptions,
): Dataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dtype !== 'uint8') {
    throw new Error(`${imagesPath}: image pixels must be uint8 (0..255), file holds ${images.dtype}`);
  }
  if (images.dims.length < 2) {
    throw new Error(`${imagesPath}: an image file needs at least 2 dims [n, …], got [${images.dims.join(',')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new Error(`${labelsPath}: a label file must be 1-D, got dims [${labels.dims.join(',')}]`);
  }
  if (labels.dtype === 'float32' || labels.dtype === 'float64') {
    throw new Error(`${labelsPath}: labels must be integers, file holds ${labels.dtype}`);
  }
  const n = images.dims[0];
  if (labels.dims[0] !== n) {
    throw new Error(
      `label count ${labels.dims[0]} in ${labelsPath} does not match image count ${n} in ${imagesPath}`,
    );
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if (c < 0 || c >= opts.numClasses) {
      throw new Error(`${labelsPath}: label ${c} at index ${i} is outside [0, ${opts.numClasses})`);
    }
    y[i] = c;
  }
  const px = images.data;
  const x = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) x[i] = px[i] / 255;
  const featureShape = images.dims.slice(1);
  if (images.dims.length === 3) featureShape.push(1);
  return {
    name: opts.name,
    x,
    y,
    n,
    featureShape,
    numClasses: opts.numClasses,
    ...(opts.classNames ? { classNames: opts.classNames } : {}),
    provenance: { source: `${imagesPath} + ${labelsPath}`, steps: [] },
  };
}
