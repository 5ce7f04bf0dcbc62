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

/*
 * The loops below are written out (no per-window callbacks, no per-window allocations): they
 * run on every training step of a pooling conv net (~1.25M inputs per layer at batch 100).
 * Window bounds along one axis are precomputed once per call.
 */

/** In-bounds [start, end) of every output row (or column) along one axis. */
function windowBounds(outSize: number, stride: number, pad: number, filter: number, inSize: number): Int32Array {
  const b = new Int32Array(2 * outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    b[2 * o] = Math.max(start, 0);
    b[2 * o + 1] = Math.min(start + filter, inSize);
  }
  return b;
}

/** dx of average pooling with the in-bounds divisor (see file comment). */
export function avgPoolGradValues(dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: Ho, outWidth: Wo } = g;
  const dx = new Float32Array(batch * H * W * C);
  const rows = windowBounds(Ho, g.strideHeight, g.padTop, g.filterHeight, H);
  const cols = windowBounds(Wo, g.strideWidth, g.padLeft, g.filterWidth, W);
  for (let n = 0; n < batch; n++) {
    const inBatch = n * H * W * C;
    for (let oy = 0; oy < Ho; oy++) {
      const r0 = rows[2 * oy];
      const r1 = rows[2 * oy + 1];
      for (let ox = 0; ox < Wo; ox++) {
        const c0 = cols[2 * ox];
        const c1 = cols[2 * ox + 1];
        const count = (r1 - r0) * (c1 - c0);
        if (count <= 0) continue;
        const inv = 1 / count;
        const outBase = ((n * Ho + oy) * Wo + ox) * C;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const inBase = inBatch + (r * W + c) * C;
            for (let ch = 0; ch < C; ch++) dx[inBase + ch] += dy[outBase + ch] * inv;
          }
        }
      }
    }
  }
  return dx;
}

/**
 * For every output element (NHWC order) the flat input index of its window's first arg-max in
 * row-major scan order over in-bounds pixels (-1 for an empty window). The first pixel is taken
 * even when it is -Infinity or NaN; later pixels replace it only when strictly greater (so ties
 * keep the first).
 */
export function firstArgMaxIndices(x: ArrayLike<number>, g: PoolGeometry): Int32Array {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: Ho, outWidth: Wo } = g;
  const out = new Int32Array(batch * Ho * Wo * C);
  const rows = windowBounds(Ho, g.strideHeight, g.padTop, g.filterHeight, H);
  const cols = windowBounds(Wo, g.strideWidth, g.padLeft, g.filterWidth, W);
  const best = new Float64Array(C);
  const rowStride = W * C;
  for (let n = 0; n < batch; n++) {
    const inBatch = n * H * W * C;
    for (let oy = 0; oy < Ho; oy++) {
      const r0 = rows[2 * oy];
      const r1 = rows[2 * oy + 1];
      for (let ox = 0; ox < Wo; ox++) {
        const c0 = cols[2 * ox];
        const c1 = cols[2 * ox + 1];
        const outBase = ((n * Ho + oy) * Wo + ox) * C;
        if (r1 <= r0 || c1 <= c0) {
          out.fill(-1, outBase, outBase + C);
          continue;
        }
        const first = inBatch + r0 * rowStride + c0 * C;
        for (let ch = 0; ch < C; ch++) {
          best[ch] = x[first + ch];
          out[outBase + ch] = first + ch;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = inBatch + r * rowStride + c * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                out[outBase + ch] = base + ch;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** dx of max pooling, routing each window's dy to its first arg-max. */
export function maxPoolGradValues(dy: ArrayLike<number>, x: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels);
  const argMax = firstArgMaxIndices(x, g);
  for (let k = 0; k < argMax.length; k++) {
    const i = argMax[k];
    if (i >= 0) dx[i] += dy[k];
  }
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
