/**
 * Conv and pooling fixes for TF.js 4.22, installed by `setupBackend` after the engine fixes.
 *
 * Kernel fixes are per backend and only applied where a probe shows the stock kernel missing or
 * wrong on the *active* backend (each probe runs the stock kernel on a tiny case and compares
 * it with the plain-JS definition):
 *   Conv2DBackpropFilter — missing on wasm; on cpu present but a slow JS loop (seconds per
 *     MNIST-sized layer), replaced there too for speed (scripts/bench-conv.ts): convFilterKernel.ts.
 *   Conv2DBackpropInput — correct but slow on wasm (a generic loop, while Conv2D runs on
 *     XNNPACK): replaced for speed by a stride-1 Conv2D of the dilated dy with the flipped
 *     filter (scripts/bench-conv.ts): convInputKernel.ts. Checked after registration.
 *   AvgPoolGrad — divides by the full window instead of the in-bounds count ('same'/explicit
 *     padding) on cpu and wasm: poolKernels.ts.
 *   MaxPoolGrad — wasm drops/misroutes windows whose maximum is ≤ 0 and routes ties to the last
 *     maximum: poolKernels.ts (first arg-max, as on cpu).
 *   OneHot — wasm writes int32 bits into float32 outputs: oneHotKernel.ts.
 * Gradient configs (second order) are global and backend-independent: convSecondOrder.ts.
 *
 * Idempotent: a backend is probed and patched once; later calls return the recorded fixes.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterViaConv2D } from './convFilterKernel.ts';
import { conv2DBackpropInputViaConv2D } from './convInputKernel.ts';
import { avgPoolGradKernelConfig, avgPoolGradValues, maxPoolGradKernelConfig, maxPoolGradValues, poolGeometry } from './poolKernels.ts';
import { oneHotKernelConfig, oneHotValues } from './oneHotKernel.ts';
import { registerConvSecondOrderGradients, secondOrderConvKernelNames } from './convSecondOrder.ts';
import { replaceKernel } from './kernelCalls.ts';

export interface AppliedFix {
  /** Short name, e.g. "wasm: MaxPoolGrad kernel (first arg-max)". */
  name: string;
  /** What the probe saw (the stock kernel's wrong values) or why the fix applies. */
  evidence: string;
}

/** Backends on which the stock Conv2DBackpropFilter exists but the replacement is much faster. */
const replaceFilterKernelForSpeed = new Set(['cpu']);
/** Backends on which the stock Conv2DBackpropInput is correct but much slower than the replacement. */
const replaceInputKernelForSpeed = new Set(['wasm']);

const appliedByBackend = new Map<string, AppliedFix[]>();
let gradientFixes: AppliedFix[] | null = null;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

const fmt = (v: ArrayLike<number>, limit = 16) =>
  `[${Array.from(v, (x) => Number(x.toPrecision(4))).slice(0, limit).join(', ')}${v.length > limit ? ', …' : ''}]`;

/** Runs a kernel by name on the active backend; returns its values or the error message. */
function runStock(name: string, inputs: Record<string, tf.Tensor>, attrs: object): Float32Array | Int32Array | string {
  try {
    return tf.tidy(() => {
      const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
      return out.dataSync() as Float32Array | Int32Array;
    });
  } catch (error) {
    return `threw: ${(error as Error).message.split('\n')[0]}`;
  }
}

function probe(label: string, got: Float32Array | Int32Array | string, want: ArrayLike<number>): string | null {
  if (typeof got === 'string') return `${label}: stock kernel ${got}`;
  return maxAbsDiff(got, want) > 1e-5 ? `${label}: stock kernel gave ${fmt(got, 8)}, expected ${fmt(want, 8)}` : null;
}

function probeAvgPoolGrad(): string | null {
  const attrs = { filterSize: [3, 3], strides: [1, 1], pad: 'same' };
  const shape = [1, 4, 4, 1];
  const dy = new Float32Array(16).fill(1);
  const want = avgPoolGradValues(dy, poolGeometry(shape, attrs as never));
  const got = tf.tidy(() => runStock('AvgPoolGrad', { dy: tf.tensor4d(dy, shape as never), input: tf.zeros(shape) }, attrs));
  return probe("3×3 'same' avgPool gradient on 4×4", got, want);
}

function probeMaxPoolGrad(): string | null {
  // Windows: all negative with a tie (-1, -1), all negative with a triple tie (-2), positive, positive tie (3, 3).
  const x = [-3, -1, -2, -5, -1, -4, -2, -2, 1, 1, 0.5, 0, 2, 0, 3, 3];
  const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
  const shape = [1, 4, 4, 1];
  const dy = [1, 2, 3, 4];
  const want = maxPoolGradValues(dy, x, poolGeometry(shape, attrs as never));
  const got = tf.tidy(() => {
    const input = tf.tensor4d(x, shape as never);
    const output = tf.maxPool(input, 2, 2, 'valid');
    return runStock('MaxPoolGrad', { dy: tf.tensor4d(dy, [1, 2, 2, 1]), input, output }, attrs);
  });
  return probe('2×2 maxPool gradient with negative windows and ties', got, want);
}

function probeOneHot(): string | null {
  const want = oneHotValues([0, 2, 1], 3, 0.75, 0.25, 'float32');
  const got = tf.tidy(() => runStock('OneHot', { indices: tf.tensor1d([0, 2, 1], 'int32') },
    { dtype: 'float32', depth: 3, onValue: 0.75, offValue: 0.25 }));
  return probe("oneHot([0, 2, 1], 3, 0.75, 0.25, 'float32')", got, want);
}

/** Direct-sum Conv2DBackpropFilter (NHWC) for the post-registration check. */
function filterGradDirect(x: number[], xs: number[], dy: number[], ds: number[], fh: number, fw: number, s: number, top: number, left: number): Float64Array {
  const [N, H, W, Ci] = xs;
  const [, Ho, Wo, Co] = ds;
  const out = new Float64Array(fh * fw * Ci * Co);
  for (let kh = 0; kh < fh; kh++) for (let kw = 0; kw < fw; kw++) for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) {
    let sum = 0;
    for (let n = 0; n < N; n++) for (let y = 0; y < Ho; y++) for (let xx = 0; xx < Wo; xx++) {
      const r = y * s + kh - top;
      const c = xx * s + kw - left;
      if (r < 0 || r >= H || c < 0 || c >= W) continue;
      sum += x[((n * H + r) * W + c) * Ci + ci] * dy[((n * Ho + y) * Wo + xx) * Co + co];
    }
    out[((kh * fw + kw) * Ci + ci) * Co + co] = sum;
  }
  return out;
}

/** After registering the replacement, check it on a stride-2 'same' case (odd size: asymmetric padding). */
function checkFilterKernel(): void {
  const xs = [2, 5, 5, 2];
  const ds = [2, 3, 3, 3];
  const x = Array.from({ length: 100 }, (_, i) => Math.sin(i + 1));
  const dy = Array.from({ length: 54 }, (_, i) => Math.cos(2 * i + 1));
  const got = tf.tidy(() => runStock('Conv2DBackpropFilter', { x: tf.tensor4d(x, xs as never), dy: tf.tensor4d(dy, ds as never) },
    { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 2, 3] }));
  // 'same', stride 2, 5 → 3: total padding max((3 − 1)·2 + 3 − 5, 0) = 2, top = left = 1.
  const want = filterGradDirect(x, xs, dy, ds, 3, 3, 2, 1, 1);
  if (typeof got === 'string' || maxAbsDiff(got, want) > 1e-4) {
    throw new Error(`Conv2DBackpropFilter replacement is wrong on '${tf.getBackend()}': ` +
      `${typeof got === 'string' ? got : `got ${fmt(got, 6)}, expected ${fmt(want, 6)}`}`);
  }
}

/** Direct-sum Conv2DBackpropInput (NHWC) for the post-registration check. */
function inputGradDirect(xs: number[], w: number[], ws: number[], dy: number[], ds: number[], s: number, top: number, left: number): Float64Array {
  const [N, H, W, Ci] = xs;
  const [fh, fw, , Co] = ws;
  const [, Ho, Wo] = ds;
  const out = new Float64Array(N * H * W * Ci);
  for (let n = 0; n < N; n++) for (let y = 0; y < Ho; y++) for (let xx = 0; xx < Wo; xx++) for (let kh = 0; kh < fh; kh++) for (let kw = 0; kw < fw; kw++) {
    const r = y * s + kh - top;
    const c = xx * s + kw - left;
    if (r < 0 || r >= H || c < 0 || c >= W) continue;
    for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) {
      out[((n * H + r) * W + c) * Ci + ci] += dy[((n * Ho + y) * Wo + xx) * Co + co] * w[((kh * fw + kw) * Ci + ci) * Co + co];
    }
  }
  return out;
}

/** After registering the replacement, check it on stride-2 'same' (odd size) and 'valid' (even size, an ignored row). */
function checkInputKernel(): void {
  const ws = [3, 3, 2, 3];
  const w = Array.from({ length: 54 }, (_, i) => Math.sin(3 * i + 1));
  // 'same', stride 2, 5 → 3: top = left = 1. 'valid', stride 2, 6 → 2: the last row/column is unused.
  for (const [xs, ds, pad, top] of [[[2, 5, 5, 2], [2, 3, 3, 3], 'same', 1], [[2, 6, 6, 2], [2, 2, 2, 3], 'valid', 0]] as const) {
    const dy = Array.from({ length: ds.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(2 * i + 1));
    const got = tf.tidy(() => runStock('Conv2DBackpropInput', { dy: tf.tensor4d(dy, ds as never), filter: tf.tensor4d(w, ws as never) },
      { strides: [2, 2], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: xs }));
    const want = inputGradDirect([...xs], w, ws, dy, [...ds], 2, top, top);
    if (typeof got === 'string' || maxAbsDiff(got, want) > 1e-4) {
      throw new Error(`Conv2DBackpropInput replacement is wrong on '${tf.getBackend()}' (${pad}): ` +
        `${typeof got === 'string' ? got : `got ${fmt(got, 6)}, expected ${fmt(want, 6)}`}`);
    }
  }
}

function fixActiveBackend(backendName: string): AppliedFix[] {
  const fixes: AppliedFix[] = [];
  const stockFilter = tf.getKernel('Conv2DBackpropFilter', backendName);
  if (!stockFilter || replaceFilterKernelForSpeed.has(backendName)) {
    replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: conv2DBackpropFilterViaConv2D(backendName) });
    checkFilterKernel();
    fixes.push(stockFilter
      ? { name: `${backendName}: Conv2DBackpropFilter kernel replaced (Conv2D of transposed tensors, speed)`,
        evidence: 'stock kernel is a JS loop; see scripts/bench-conv.ts' }
      : { name: `${backendName}: Conv2DBackpropFilter kernel added (Conv2D of transposed tensors)`,
        evidence: 'no Conv2DBackpropFilter kernel registered for this backend' });
  }
  const stockInput = tf.getKernel('Conv2DBackpropInput', backendName);
  if (stockInput && replaceInputKernelForSpeed.has(backendName)) {
    replaceKernel({ kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: conv2DBackpropInputViaConv2D(backendName, stockInput.kernelFunc) });
    checkInputKernel();
    fixes.push({ name: `${backendName}: Conv2DBackpropInput kernel replaced (Conv2D of dilated dy and flipped filter, speed)`,
      evidence: 'stock kernel is a generic loop, Conv2D is XNNPACK; see scripts/bench-conv.ts' });
  }
  const avg = probeAvgPoolGrad();
  if (avg) {
    replaceKernel(avgPoolGradKernelConfig(backendName));
    fixes.push({ name: `${backendName}: AvgPoolGrad kernel (in-bounds divisor)`, evidence: avg });
  }
  const max = probeMaxPoolGrad();
  if (max) {
    replaceKernel(maxPoolGradKernelConfig(backendName));
    fixes.push({ name: `${backendName}: MaxPoolGrad kernel (first arg-max)`, evidence: max });
  }
  const oneHot = probeOneHot();
  if (oneHot) {
    replaceKernel(oneHotKernelConfig(backendName));
    fixes.push({ name: `${backendName}: OneHot kernel (dtype-correct)`, evidence: oneHot });
  }
  return fixes;
}

/**
 * Probe and fix the active backend's conv/pool kernels (once per backend) and register the
 * second-order gradient configs (once per process). Returns every fix in force for the active
 * backend, kernel fixes first.
 */
export function registerConvAndPoolFixes(): AppliedFix[] {
  const backendName = tf.getBackend();
  let kernelFixes = appliedByBackend.get(backendName);
  if (!kernelFixes) {
    kernelFixes = fixActiveBackend(backendName);
    appliedByBackend.set(backendName, kernelFixes);
  }
  if (!gradientFixes) {
    const registered = new Set(registerConvSecondOrderGradients());
    gradientFixes = secondOrderConvKernelNames.filter((k) => registered.has(k)).map((k) => ({
      name: `gradient: ${k} (second order)`,
      evidence: 'TF.js 4.22 registers no gradient for this backward kernel',
    }));
  }
  return [...kernelFixes, ...gradientFixes];
}
