/**
 * Correct AvgPoolGrad and MaxPoolGrad kernels in plain JS (NHWC), plus the window arithmetic
 * that the second-order gradient of MaxPoolGrad shares with them.
 *
 * AvgPoolGrad — why: TF.js's forward AvgPool (cpu loop, wasm/XNNPACK) divides each window's sum
 * by the number of *in-bounds* pixels, but the cpu and wasm AvgPoolGrad kernels divide by the
 * full window size fh·fw. With 'same' or explicit padding the border gradients are therefore
 * too small (3×3 'same' on 4×4: corner 0.4444 instead of 1/4 + 1/6 + 1/6 + 1/9 = 0.6944).
 * The forward map is y[w] = (1/|w|) Σ_{i ∈ w} x[i] (|w| the in-bounds count), so its adjoint is
 *   dx[i] = Σ_{windows w ∋ i} dy[w] / |w|,
 * which is what `avgPoolGradValues` computes.
 *
 * MaxPoolGrad — why: the wasm kernel initialises its running maximum at 0 (windows whose maximum
 * is ≤ 0 send their gradient to the wrong pixel or drop it) and breaks ties toward the *last*
 * maximum, while cpu routes to the first. For y[w] = max_{i∈w} x[i] the (sub)gradient used here
 * routes dy[w] to the window's first arg-max in row-major scan order over in-bounds pixels:
 *   dx[i] = Σ_{w : firstArgMax(w) = i} dy[w],
 * identical to the cpu kernel and to the derivative almost everywhere (no ties).
 */
import * as tf from '@tensorflow/tfjs';
import { outputFromValues, readValues } from './kernelCalls.ts';

export interface PoolGeometry {
  batch: number; inHeight: number; inWidth: number; channels: number;
  outHeight: number; outWidth: number; strideHeight: number; strideWidth: number;
  filterHeight: number; filterWidth: number; padTop: number; padLeft: number;
}

export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function poolGeometry(xShape: number[], attrs: PoolAttrs): PoolGeometry {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  return {
    batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, channels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Calls `visit(outBase, r0, r1, c0, c1, inBatchBase)` for every output pixel with its in-bounds window. */
function forEachWindow(
  g: PoolGeometry,
  visit: (outBase: number, r0: number, r1: number, c0: number, c1: number, inBatchBase: number) => void,
): void {
  for (let n = 0; n < g.batch; n++) {
    const inBatchBase = n * g.inHeight * g.inWidth * g.channels;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const rowStart = oy * g.strideHeight - g.padTop;
      const r0 = Math.max(rowStart, 0);
      const r1 = Math.min(rowStart + g.filterHeight, g.inHeight);
      for (let ox = 0; ox < g.outWidth; ox++) {
        const colStart = ox * g.strideWidth - g.padLeft;
        const c0 = Math.max(colStart, 0);
        const c1 = Math.min(colStart + g.filterWidth, g.inWidth);
        visit(((n * g.outHeight + oy) * g.outWidth + ox) * g.channels, r0, r1, c0, c1, inBatchBase);
      }
    }
  }
}

/** dx of average pooling with the in-bounds divisor (see file comment). */
export function avgPoolGradValues(dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels);
  const C = g.channels;
  forEachWindow(g, (outBase, r0, r1, c0, c1, inBatchBase) => {
    const count = (r1 - r0) * (c1 - c0);
    if (count <= 0) return;
    const inv = 1 / count;
    for (let r = r0; r < r1; r++) {
      for (let c = c0; c < c1; c++) {
        const inBase = inBatchBase + (r * g.inWidth + c) * C;
        for (let ch = 0; ch < C; ch++) dx[inBase + ch] += dy[outBase + ch] * inv;
      }
    }
  });
  return dx;
}

/**
 * For every output element (NHWC order) the flat input index of its window's first arg-max in
 * row-major scan order over in-bounds pixels (-1 for an empty window).
 */
export function firstArgMaxIndices(x: ArrayLike<number>, g: PoolGeometry): Int32Array {
  const C = g.channels;
  const out = new Int32Array(g.batch * g.outHeight * g.outWidth * C).fill(-1);
  const best = new Float64Array(C);
  forEachWindow(g, (outBase, r0, r1, c0, c1, inBatchBase) => {
    best.fill(-Infinity);
    for (let r = r0; r < r1; r++) {
      for (let c = c0; c < c1; c++) {
        const inBase = inBatchBase + (r * g.inWidth + c) * C;
        for (let ch = 0; ch < C; ch++) {
          const v = x[inBase + ch];
          // Strict '>' keeps the first maximum; the first pixel is taken even when it is -Infinity.
          if (v > best[ch] || out[outBase + ch] < 0) {
            best[ch] = v;
            out[outBase + ch] = inBase + ch;
          }
        }
      }
    }
  });
  return out;
}

/** dx of max pooling, routing each window's dy to its first arg-max. */
export function maxPoolGradValues(dy: ArrayLike<number>, x: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels);
  const argMax = firstArgMaxIndices(x, g);
  for (let k = 0; k < argMax.length; k++) if (argMax[k] >= 0) dx[argMax[k]] += dy[k];
  return dx;
}

export function avgPoolGradKernelConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'AvgPoolGrad',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const g = poolGeometry(input.shape, attrs as unknown as PoolAttrs);
      return outputFromValues(backend, input.shape, 'float32', avgPoolGradValues(readValues(backend, dy), g));
    },
  };
}

export function maxPoolGradKernelConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'MaxPoolGrad',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const g = poolGeometry(input.shape, attrs as unknown as PoolAttrs);
      const dx = maxPoolGradValues(readValues(backend, dy), readValues(backend, input), g);
      return outputFromValues(backend, input.shape, 'float32', dx);
    },
  };
}
