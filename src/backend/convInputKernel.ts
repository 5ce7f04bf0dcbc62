/**
 * Conv2DBackpropInput (the input gradient of conv2d, i.e. conv2dTranspose) as a stride-1 Conv2D.
 *
 * Why: the wasm backend's own Conv2DBackpropInput is a slow generic loop (54 ms of a 138 ms
 * cnn-small training step on batch 100 of 28×28 images, 490 ms of a 1.07 s resnet-cnn step),
 * while its Conv2D runs on XNNPACK. The input gradient is itself a correlation, so it can run
 * on the fast kernel.
 *
 * The maths (NHWC, dilation 1 — TF.js's conv2d gradient requires it — stride s, top/left
 * padding p of the forward conv, filter W[kh, kw, ci, co], forward output Ho × Wo):
 *
 *   y[n, oy, ox, co] = Σ_{kh, kw, ci} x[n, oy·s_h + kh − p_t, ox·s_w + kw − p_l, ci] · W[kh, kw, ci, co]
 *   dx[n, i, j, ci]  = Σ_{oy, ox, kh, kw, co : oy·s_h + kh − p_t = i, ox·s_w + kw − p_l = j} dy[n, oy, ox, co] · W[kh, kw, ci, co]
 *
 * Let D be dy dilated by the stride (D[n, oy·s_h, ox·s_w, co] = dy[n, oy, ox, co], zeros
 * between, Ho·s_h × Wo·s_w including s − 1 trailing zeros) and W̃[k', l', co, ci] =
 * W[fh − 1 − k', fw − 1 − l', ci, co] (spatially flipped, in/out channels swapped). With
 * kh = fh − 1 − k':
 *
 *   dx[n, i, j, ci] = Σ_{k', l', co} D[n, i + p_t − (fh − 1) + k', j + p_l − (fw − 1) + l', co] · W̃[k', l', co, ci]
 *
 * i.e. conv2d(D, W̃) with stride 1 and explicit padding top fh − 1 − p_t, bottom
 * H + p_t − Ho·s_h (and likewise for columns), whose output is exactly H × W. A negative
 * padding (only possible with large explicit padding) crops D instead.
 *
 * The dilation is a PadV2 of dy viewed as [N·Ho, 1, Wo, 1, C] to [N·Ho, s_h, Wo, s_w, C],
 * reshaped to [N, Ho·s_h, Wo·s_w, C]. NCHW falls back to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, disposeInfo, type ConvGradAttrs } from './kernelCalls.ts';

interface InputGradAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * Returns the kernel function for `backendName` (it calls that backend's Reverse, Transpose,
 * Reshape, PadV2, Slice and Conv2D); `stock` handles what the formulation does not (NCHW).
 */
export function conv2DBackpropInputViaConv2D(backendName: string, stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as InputGradAttrs;
    if (dataFormat === 'NCHW') {
      if (!stock) throw new Error('Conv2DBackpropInput: NCHW is not supported by the replacement kernel');
      return stock(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const { top, left } = info.padInfo;
    if (dy.shape[1] !== outHeight || dy.shape[2] !== outWidth || dy.shape[3] !== outChannels) {
      throw new Error(`Conv2DBackpropInput: dy is [${dy.shape}], the conv output is [${batchSize}, ${outHeight}, ${outWidth}, ${outChannels}]`);
    }
    const call = (name: string, ins: Record<string, tf.TensorInfo>, at: object) => callKernel(name, backendName, backend, ins, at);
    const temporaries: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => { temporaries.push(t); return t; };
    try {
      const flipped = keep(call('Reverse', { x: filter }, { dims: [0, 1] }));
      const filterT = keep(call('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
      let d: tf.TensorInfo = dy;
      if (strideHeight > 1 || strideWidth > 1) {
        const view = keep(call('Reshape', { x: dy }, { shape: [batchSize * outHeight, 1, outWidth, 1, outChannels] }));
        const padded = keep(call('PadV2', { x: view }, {
          paddings: [[0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0,
        }));
        d = keep(call('Reshape', { x: padded }, { shape: [batchSize, outHeight * strideHeight, outWidth * strideWidth, outChannels] }));
      }
      const dH = outHeight * strideHeight;
      const dW = outWidth * strideWidth;
      const padTop = filterHeight - 1 - top;
      const padLeft = filterWidth - 1 - left;
      const padBottom = inHeight + top - dH;
      const padRight = inWidth + left - dW;
      if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
        const begin = [0, Math.max(-padTop, 0), Math.max(-padLeft, 0), 0];
        const size = [batchSize, dH - begin[1] + Math.min(padBottom, 0), dW - begin[2] + Math.min(padRight, 0), outChannels];
        d = keep(call('Slice', { x: d }, { begin, size }));
      }
      const explicit = [[0, 0], [Math.max(padTop, 0), Math.max(padBottom, 0)], [Math.max(padLeft, 0), Math.max(padRight, 0)], [0, 0]];
      const dx = call('Conv2D', { x: d, filter: filterT }, {
        strides: [1, 1], pad: explicit, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
      });
      if (dx.shape[1] !== inHeight || dx.shape[2] !== inWidth || dx.shape[3] !== inChannels) {
        disposeInfo(backend, dx);
        throw new Error(`Conv2DBackpropInput: inner conv gave [${dx.shape}], expected [${inputShape}]`);
      }
      return dx;
    } finally {
      for (const t of temporaries) disposeInfo(backend, t);
    }
  };
}
