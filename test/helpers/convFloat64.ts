/**
 * Plain-JS float64 conv/pool (NHWC), written from the definitions and independent of TF.js and
 * of src/backend: padding follows TF's documented 'same'/'valid' rules, average pooling divides
 * by the in-bounds count, max pooling routes to the first maximum in row-major window order.
 */

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | number;

export interface Geometry { outH: number; outW: number; top: number; left: number }

/** TF output size and top/left padding for one conv/pool layer. */
export function geometry(inH: number, inW: number, kh: number, kw: number, stride: number, pad: Pad): Geometry {
  if (pad === 'same') {
    const outH = Math.ceil(inH / stride);
    const outW = Math.ceil(inW / stride);
    const totalH = Math.max((outH - 1) * stride + kh - inH, 0);
    const totalW = Math.max((outW - 1) * stride + kw - inW, 0);
    return { outH, outW, top: Math.floor(totalH / 2), left: Math.floor(totalW / 2) };
  }
  if (pad === 'valid') {
    return { outH: Math.ceil((inH - kh + 1) / stride), outW: Math.ceil((inW - kw + 1) / stride), top: 0, left: 0 };
  }
  return { outH: Math.floor((inH + 2 * pad - kh) / stride) + 1, outW: Math.floor((inW + 2 * pad - kw) / stride) + 1, top: pad, left: pad };
}

const at = (s: Shape4, n: number, h: number, w: number, c: number) => ((n * s[1] + h) * s[2] + w) * s[3] + c;

export function conv2d64(x: ArrayLike<number>, xs: Shape4, w: ArrayLike<number>, ws: Shape4, stride: number, pad: Pad): { y: Float64Array; shape: Shape4 } {
  const [N, H, W, Ci] = xs;
  const [kh, kw, , Co] = ws;
  const g = geometry(H, W, kh, kw, stride, pad);
  const shape: Shape4 = [N, g.outH, g.outW, Co];
  const y = new Float64Array(N * g.outH * g.outW * Co);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let co = 0; co < Co; co++) {
    let s = 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const r = oy * stride + i - g.top;
      const c = ox * stride + j - g.left;
      if (r < 0 || r >= H || c < 0 || c >= W) continue;
      for (let ci = 0; ci < Ci; ci++) s += x[at(xs, n, r, c, ci)] * w[((i * kw + j) * Ci + ci) * Co + co];
    }
    y[at(shape, n, oy, ox, co)] = s;
  }
  return { y, shape };
}

/** In-bounds pixel coordinates of one pooling window, in row-major order. */
function windowPixels(H: number, W: number, oy: number, ox: number, k: number, stride: number, g: Geometry): Array<[number, number]> {
  const pixels: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const r = oy * stride + i - g.top;
    const c = ox * stride + j - g.left;
    if (r >= 0 && r < H && c >= 0 && c < W) pixels.push([r, c]);
  }
  return pixels;
}

export interface PoolResult { y: Float64Array; shape: Shape4; /** smallest gap between a window's maximum and its runner-up (max pooling) */ minGap: number }

export function pool64(kind: 'avg' | 'max', x: ArrayLike<number>, xs: Shape4, k: number, stride: number, pad: Pad): PoolResult {
  const [N, H, W, C] = xs;
  const g = geometry(H, W, k, k, stride, pad);
  const shape: Shape4 = [N, g.outH, g.outW, C];
  const y = new Float64Array(N * g.outH * g.outW * C);
  let minGap = Infinity;
  for (let n = 0; n < N; n++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    const pixels = windowPixels(H, W, oy, ox, k, stride, g);
    for (let c = 0; c < C; c++) {
      const values = pixels.map(([r, cc]) => x[at(xs, n, r, cc, c)]);
      if (kind === 'avg') {
        y[at(shape, n, oy, ox, c)] = values.reduce((a, b) => a + b, 0) / values.length;
      } else {
        const sorted = [...values].sort((a, b) => b - a);
        y[at(shape, n, oy, ox, c)] = sorted[0];
        // Exact ties at 0 come from ReLU zeros: their routing is irrelevant (zero ReLU slope there).
        if (sorted.length > 1 && !(sorted[0] === 0 && sorted[1] === 0)) minGap = Math.min(minGap, sorted[0] - sorted[1]);
      }
    }
  }
  return { y, shape, minGap };
}

/** Analytic max-pool gradient: each window's dy goes to its first maximum (row-major). */
export function maxPoolGradFirstMax64(dy: ArrayLike<number>, x: ArrayLike<number>, xs: Shape4, k: number, stride: number, pad: Pad): Float64Array {
  const [N, H, W, C] = xs;
  const g = geometry(H, W, k, k, stride, pad);
  const ys: Shape4 = [N, g.outH, g.outW, C];
  const dx = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    const pixels = windowPixels(H, W, oy, ox, k, stride, g);
    for (let c = 0; c < C; c++) {
      let best = pixels[0];
      for (const p of pixels) if (x[at(xs, n, p[0], p[1], c)] > x[at(xs, n, best[0], best[1], c)]) best = p;
      dx[at(xs, n, best[0], best[1], c)] += dy[at(ys, n, oy, ox, c)];
    }
  }
  return dx;
}

/** Central-difference gradient of a float64 function (exact up to round-off for linear maps). */
export function gradientCentral64(f: (t: Float64Array) => number, theta: ArrayLike<number>, h = 1e-3): Float64Array {
  const point = Float64Array.from(theta);
  const out = new Float64Array(point.length);
  for (let i = 0; i < point.length; i++) {
    const keep = point[i];
    point[i] = keep + h;
    const up = f(point);
    point[i] = keep - h;
    const down = f(point);
    point[i] = keep;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
