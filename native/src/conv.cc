// 2-D convolution (NHWC, filter [fh, fw, ci, co]) and both its gradients as im2col + sgemm:
//   forward        Y[n]  = P(X[n]) · W            P: [outH·outW, fh·fw·ci] patch matrix
//   filter grad    dW    = Σ_n P(X[n])ᵀ · dY[n]
//   input grad     dX[n] = col2im(dY[n] · Wᵀ)      (scatter-add of the patch gradients)
// A chunk of images at a time: the patch matrix stays below ~8 MB, and the GEMMs are large
// enough (chunk·outH·outW rows) for BLAS threads to pay off.
#include "kernels.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
using ibl::ConvGeometry;

constexpr size_t kPatchFloats = size_t(1) << 21;
constexpr int kDirectMaxChannels = 64;

int imagesPerChunk(const ConvGeometry& g, size_t rows, size_t cols) {
  const size_t per = std::max<size_t>(rows * cols, 1);
  return static_cast<int>(std::max<size_t>(1, std::min<size_t>(g.batch, kPatchFloats / per)));
}

size_t patchCols(const ConvGeometry& g) { return static_cast<size_t>(g.filterH) * g.filterW * g.inC; }
size_t patchRows(const ConvGeometry& g) { return static_cast<size_t>(g.outH) * g.outW; }

bool isPointwise(const ConvGeometry& g) {
  return g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.outH == g.inH && g.outW == g.inW;
}

// Direct convolution (directConv.cc) when both channel counts are small: there the GEMM of
// im2col has too few columns for BLAS to be efficient (measured: README "The `native` backend").
// IBL_NATIVE_CONV=im2col or =direct forces one algorithm (A/B benchmarks, tests of both paths).
// The direct input gradient is a convolution with the flipped filter (at stride s, one per
// phase of the input, directConv.cc), whose output channels are the input's: at least 8 to fill
// the 16-lane tiles half-way. Strided and dilated (TF.js never asks: it has no dilated conv
// gradients) it is not implemented directly.
bool useDirect(const ConvGeometry& g, bool inputGradient = false) {
  const char* force = std::getenv("IBL_NATIVE_CONV");
  if (force && std::strcmp(force, "im2col") == 0) return false;
  if (!ibl::directConvSupported()) return false;
  const bool strided = g.strideH != 1 || g.strideW != 1, dilated = g.dilationH != 1 || g.dilationW != 1;
  if (inputGradient && strided && dilated) return false;
  if (force && std::strcmp(force, "direct") == 0) return true;
  if (inputGradient && g.inC < 8) return false;
  // 1×1 filters (strided shortcuts): the patch matrix is a strided copy and im2col is as fast.
  if (g.filterH * g.filterW == 1) return false;
  return g.inC <= kDirectMaxChannels && g.outC <= kDirectMaxChannels;
}

// The patch matrix (up to 8 MB) is kept between calls: a fresh one each call costs a zero-fill
// and ~2,000 page faults (measured ~2.5 ms per 5 MB on this kind of machine). Kernels are called
// synchronously, so one buffer per calling thread (thread_local: worker_threads) is enough.
float* patchBuffer(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

void im2col(const ConvGeometry& g, const float* x, float* cols) {
  const size_t ci = g.inC;
  float* dst = cols;
  for (int oy = 0; oy < g.outH; oy++) {
    for (int ox = 0; ox < g.outW; ox++) {
      for (int kh = 0; kh < g.filterH; kh++) {
        const int r = oy * g.strideH + kh * g.dilationH - g.padTop;
        for (int kw = 0; kw < g.filterW; kw++) {
          const int c = ox * g.strideW + kw * g.dilationW - g.padLeft;
          // One-channel inputs (the first layer on greyscale images) copy single floats: no memcpy call.
          if (r < 0 || r >= g.inH || c < 0 || c >= g.inW) {
            if (ci == 1) *dst = 0.0f; else std::memset(dst, 0, ci * sizeof(float));
          } else if (ci == 1) {
            *dst = x[static_cast<size_t>(r) * g.inW + c];
          } else {
            std::memcpy(dst, x + (static_cast<size_t>(r) * g.inW + c) * ci, ci * sizeof(float));
          }
          dst += ci;
        }
      }
    }
  }
}

void col2imAdd(const ConvGeometry& g, const float* cols, float* dx) {
  const size_t ci = g.inC;
  const float* src = cols;
  for (int oy = 0; oy < g.outH; oy++) {
    for (int ox = 0; ox < g.outW; ox++) {
      for (int kh = 0; kh < g.filterH; kh++) {
        const int r = oy * g.strideH + kh * g.dilationH - g.padTop;
        for (int kw = 0; kw < g.filterW; kw++) {
          const int c = ox * g.strideW + kw * g.dilationW - g.padLeft;
          if (r >= 0 && r < g.inH && c >= 0 && c < g.inW) {
            float* d = dx + (static_cast<size_t>(r) * g.inW + c) * ci;
            for (size_t i = 0; i < ci; i++) d[i] += src[i];
          }
          src += ci;
        }
      }
    }
  }
}
}  // namespace

namespace ibl {

void conv2d(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const size_t rows = patchRows(g), cols = patchCols(g);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC, outSize = rows * g.outC;
  if (rows == 0 || g.outC == 0) return;
  if (cols == 0) { std::fill(y, y + outSize * g.batch, 0.0f); return; }
  if (!isPointwise(g) && useDirect(g)) { directConv2d(g, x, w, y); return; }
  if (isPointwise(g)) {
    setThreadsFor(2.0 * rows * cols * g.outC * g.batch, kConvGemm);
    sgemm(false, false, static_cast<int>(rows * g.batch), g.outC, g.inC, 1.0f, x, g.inC, w, g.outC, 0.0f, y, g.outC);
    return;
  }
  const int chunk = imagesPerChunk(g, rows, cols);
  // Threads by the size of each GEMM (one chunk), not of the whole call.
  setThreadsFor(2.0 * rows * cols * g.outC * chunk, kConvGemm);
  float* patches = patchBuffer(chunk * rows * cols);
  for (int n0 = 0; n0 < g.batch; n0 += chunk) {
    const int count = std::min(chunk, g.batch - n0);
    for (int j = 0; j < count; j++) im2col(g, x + (n0 + j) * inSize, patches + j * rows * cols);
    sgemm(false, false, static_cast<int>(count * rows), g.outC, static_cast<int>(cols), 1.0f, patches,
          static_cast<int>(cols), w, g.outC, 0.0f, y + n0 * outSize, g.outC);
  }
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const size_t rows = patchRows(g), cols = patchCols(g);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC, outSize = rows * g.outC;
  // The direct kernel writes every element of dw; the GEMM paths accumulate into it (zeroed here).
  if (rows > 0 && cols > 0 && g.outC > 0 && g.batch > 0 && !isPointwise(g) && useDirect(g)) {
    directConv2dBackpropFilter(g, x, dy, dw);
    return;
  }
  std::fill(dw, dw + cols * g.outC, 0.0f);
  if (rows == 0 || cols == 0 || g.outC == 0 || g.batch == 0) return;
  if (isPointwise(g)) {
    setThreadsFor(2.0 * rows * cols * g.outC * g.batch, kConvGemm);
    sgemm(true, false, g.inC, g.outC, static_cast<int>(rows * g.batch), 1.0f, x, g.inC, dy, g.outC, 0.0f, dw, g.outC);
    return;
  }
  const int chunk = imagesPerChunk(g, rows, cols);
  // Threads by the size of each GEMM (one chunk), not of the whole call.
  setThreadsFor(2.0 * rows * cols * g.outC * chunk, kConvGemm);
  float* patches = patchBuffer(chunk * rows * cols);
  for (int n0 = 0; n0 < g.batch; n0 += chunk) {
    const int count = std::min(chunk, g.batch - n0);
    for (int j = 0; j < count; j++) im2col(g, x + (n0 + j) * inSize, patches + j * rows * cols);
    sgemm(true, false, static_cast<int>(cols), g.outC, static_cast<int>(count * rows), 1.0f, patches,
          static_cast<int>(cols), dy + n0 * outSize, g.outC, 1.0f, dw, g.outC);
  }
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const size_t rows = patchRows(g), cols = patchCols(g);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC, outSize = rows * g.outC;
  // The direct kernel writes every element of dx; col2im accumulates into it (zeroed here).
  if (rows > 0 && cols > 0 && g.outC > 0 && g.batch > 0 && !isPointwise(g) && useDirect(g, true)) {
    directConv2dBackpropInput(g, dy, w, dx);
    return;
  }
  std::fill(dx, dx + inSize * g.batch, 0.0f);
  if (rows == 0 || cols == 0 || g.outC == 0 || g.batch == 0) return;
  if (isPointwise(g)) {
    setThreadsFor(2.0 * rows * cols * g.outC * g.batch, kConvGemm);
    sgemm(false, true, static_cast<int>(rows * g.batch), g.inC, g.outC, 1.0f, dy, g.outC, w, g.outC, 0.0f, dx, g.inC);
    return;
  }
  const int chunk = imagesPerChunk(g, rows, cols);
  // Threads by the size of each GEMM (one chunk), not of the whole call.
  setThreadsFor(2.0 * rows * cols * g.outC * chunk, kConvGemm);
  float* patches = patchBuffer(chunk * rows * cols);
  for (int n0 = 0; n0 < g.batch; n0 += chunk) {
    const int count = std::min(chunk, g.batch - n0);
    sgemm(false, true, static_cast<int>(count * rows), static_cast<int>(cols), g.outC, 1.0f, dy + n0 * outSize, g.outC,
          w, g.outC, 0.0f, patches, static_cast<int>(cols));
    for (int j = 0; j < count; j++) col2imAdd(g, patches + j * rows * cols, dx + (n0 + j) * inSize);
  }
}

}  // namespace ibl
