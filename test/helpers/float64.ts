/**
 * Independent float64 references for second-order checks: plain JS doubles, no TF.js.
 *
 * `hessianVectorProductFloat64` uses the mixed second difference
 *   (Hv)_i ≈ [f(θ+hv+ke_i) − f(θ+hv−ke_i) − f(θ−hv+ke_i) + f(θ−hv−ke_i)] / (4hk),
 * whose truncation error is O(h² + k²) and whose round-off is O(ε_64 |f| / hk): with h = k = 1e-4
 * both are ~1e-8 relative — far below the 1e-4 tolerance the float32 results are held to.
 */
export type Float64Function = (theta: Float64Array) => number;

export function hessianVectorProductFloat64(f: Float64Function, theta: ArrayLike<number>, v: ArrayLike<number>, h = 1e-4, k = 1e-4): Float64Array {
  const n = theta.length;
  const out = new Float64Array(n);
  const point = new Float64Array(n);
  const evalAt = (sv: number, i: number, sk: number) => {
    for (let j = 0; j < n; j++) point[j] = theta[j] + sv * h * v[j];
    point[i] += sk * k;
    return f(point);
  };
  for (let i = 0; i < n; i++) {
    out[i] = (evalAt(1, i, 1) - evalAt(1, i, -1) - evalAt(-1, i, 1) + evalAt(-1, i, -1)) / (4 * h * k);
  }
  return out;
}

export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/** y = A x for row-major A (m × n). */
export function matVec(a: ArrayLike<number>, x: ArrayLike<number>, m: number, n: number): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function logSumExp64(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.exp(z[i] - m);
  return m + Math.log(s);
}

/** Seeded values in [-scale, scale] without TF.js (mulberry32). */
export function seededValues(n: number, seed: number, scale = 1): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = scale * (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1);
  }
  return out;
}
