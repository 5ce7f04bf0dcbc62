/**
 * Conv2DBackpropFilter as a Conv2D over transposed tensors.
 *
 * Why: the wasm backend of TF.js 4.22 has no Conv2DBackpropFilter kernel at all (so a conv net
 * cannot be trained, or its Hessian probed, on wasm), and the cpu backend's kernel is a plain
 * seven-deep JS loop that takes seconds on MNIST-sized layers. The filter gradient is itself a
 * convolution, so it can run on each backend's (fast) Conv2D kernel.
 *
 * The maths (NHWC, stride s, dilation d = 1 in TF.js's Conv2D gradient, top/left padding p):
 *
 *   dW[kh, kw, ci, co] = Σ_{n, y, x} xpad[n, y·s_h + kh·d_h, x·s_w + kw·d_w, ci] · dy[n, y, x, co]
 *
 * Read (ci) as a batch index, (kh, kw) as output pixels, (y, x) as filter taps and n as the
 * contracted channel: this is conv2d(xᵀ, dyᵀ) with
 *   xᵀ[ci, h, w, n]   = x[n, h, w, ci]     (batch ↔ channel swapped; NCHW: x[n, ci, h, w])
 *   dyᵀ[y, x, n, co]  = dy[n, y, x, co]    (used as the filter; NCHW: dy[n, co, y, x])
 *   strides = (d_h, d_w), dilations = (s_h, s_w): the conv's stride becomes the inner dilation;
 *   padding explicit: top/left as in the forward conv (so 'same' keeps its asymmetric split);
 *   bottom/right chosen so that the inner output is exactly filterHeight × filterWidth — the
 *   forward conv may ignore trailing rows/columns (e.g. 'valid', stride 2, even remainder),
 *   in which case the inner input is cropped instead of padded.
 * The result [ci, kh, kw, co] is transposed to the filter layout [kh, kw, ci, co].
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, disposeInfo, type ConvGradAttrs } from './kernelCalls.ts';

interface FilterGradAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

/** Returns the kernel function for `backendName` (it calls that backend's Transpose/Slice/Conv2D). */
export function conv2DBackpropFilterViaConv2D(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as FilterGradAttrs;
    const channelsLast = dataFormat !== 'NCHW';
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false,
      channelsLast ? 'channelsLast' : 'channelsFirst');
    const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth,
      dilationHeight, dilationWidth } = info;
    const { top, left } = info.padInfo;
    const dyHeight = channelsLast ? dy.shape[1] : dy.shape[2];
    const dyWidth = channelsLast ? dy.shape[2] : dy.shape[3];
    if (dyHeight !== outHeight || dyWidth !== outWidth) {
      throw new Error(`Conv2DBackpropFilter: dy is ${dyHeight}×${dyWidth}, the conv output is ${outHeight}×${outWidth}`);
    }
    const call = (name: string, ins: Record<string, tf.TensorInfo>, at: object) => callKernel(name, backendName, backend, ins, at);
    const temporaries: tf.TensorInfo[] = [];
    try {
      let xT = call('Transpose', { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] });
      temporaries.push(xT);
      const dyT = call('Transpose', { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] });
      temporaries.push(dyT);
      // Extent of input rows the inner conv must see for exactly filterHeight outputs.
      const spanH = (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1;
      const spanW = (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1;
      const bottom = spanH - (inHeight + top);
      const right = spanW - (inWidth + left);
      if (bottom < 0 || right < 0) {
        const size = [xT.shape[0], inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), xT.shape[3]];
        xT = call('Slice', { x: xT }, { begin: [0, 0, 0, 0], size });
        temporaries.push(xT);
      }
      const explicit = [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]];
      const inner = call('Conv2D', { x: xT, filter: dyT }, {
        strides: [dilationHeight, dilationWidth], pad: explicit, dataFormat: 'NHWC',
        dilations: [strideHeight, strideWidth], dimRoundingMode: undefined,
      });
      temporaries.push(inner);
      if (inner.shape[1] !== filterHeight || inner.shape[2] !== filterWidth) {
        throw new Error(`Conv2DBackpropFilter: inner conv gave ${inner.shape}, expected [*, ${filterHeight}, ${filterWidth}, *]`);
      }
      return call('Transpose', { x: inner }, { perm: [1, 2, 0, 3] });
    } finally {
      for (const t of temporaries) disposeInfo(backend, t);
    }
  };
}
