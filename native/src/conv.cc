// 2-D convolution (NHWC, filter [fh, fw, ci, co]) and both its gradients as im2col + sgemm:
//   forward        Y[n]  = P(X[n]) · W            P: [outH·outW, fh·fw·ci] patch matrix
//   filter grad    dW    = Σ_n P(X[n])ᵀ · dY[n]
//   input grad     dX[n] = col2im(dY[n] · Wᵀ)      (scatter-add of the patch gradients)
// One image at a time, so the patch matrix stays small (outH·outW·fh·fw·ci floats).
#include "kernels.h"
#include <algorithm>
#include <cstring>
#include <vector>

namespace {
using ibl::ConvGeometry;

size_t patchCols(const ConvGeometry& g) { return static_cast<size_t>(g.filterH) * g.filterW * g.inC; }
size_t patchRows(const ConvGeometry& g) { return static_cast<size_t>(g.outH) * g.outW; }

bool isPointwise(const ConvGeometry& g) {
  return g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.outH == g.inH && g.outW == g.inW;
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
          if (r < 0 || r >= g.inH || c < 0 || c >= g.inW) {
            std::memset(dst, 0, ci * sizeof(float));
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
  setThreadsFor(2.0 * rows * cols * g.outC * g.batch);
  if (isPointwise(g)) {
    sgemm(false, false, static_cast<int>(rows * g.batch), g.outC, g.inC, 1.0f, x, g.inC, w, g.outC, 0.0f, y, g.outC);
    return;
  }
  std::vector<float> patches(rows * cols);
  for (int n = 0; n < g.batch; n++) {
    im2col(g, x + n * inSize, patches.data());
    sgemm(false, false, static_cast<int>(rows), g.outC, static_cast<int>(cols), 1.0f, patches.data(), static_cast<int>(cols),
          w, g.outC, 0.0f, y + n * outSize, g.outC);
  }
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const size_t rows = patchRows(g), cols = patchCols(g);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC, outSize = rows * g.outC;
  std::fill(dw, dw + cols * g.outC, 0.0f);
  if (rows == 0 || cols == 0 || g.outC == 0 || g.batch == 0) return;
  setThreadsFor(2.0 * rows * cols * g.outC * g.batch);
  if (isPointwise(g)) {
    sgemm(true, false, g.inC, g.outC, static_cast<int>(rows * g.batch), 1.0f, x, g.inC, dy, g.outC, 0.0f, dw, g.outC);
    return;
  }
  std::vector<float> patches(rows * cols);
  for (int n = 0; n < g.batch; n++) {
    im2col(g, x + n * inSize, patches.data());
    sgemm(true, false, static_cast<int>(cols), g.outC, static_cast<int>(rows), 1.0f, patches.data(), static_cast<int>(cols),
          dy + n * outSize, g.outC, 1.0f, dw, g.outC);
  }
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const size_t rows = patchRows(g), cols = patchCols(g);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC, outSize = rows * g.outC;
  std::fill(dx, dx + inSize * g.batch, 0.0f);
  if (rows == 0 || cols == 0 || g.outC == 0 || g.batch == 0) return;
  setThreadsFor(2.0 * rows * cols * g.outC * g.batch);
  if (isPointwise(g)) {
    sgemm(false, true, static_cast<int>(rows * g.batch), g.inC, g.outC, 1.0f, dy, g.outC, w, g.outC, 0.0f, dx, g.inC);
    return;
  }
  std::vector<float> patches(rows * cols);
  for (int n = 0; n < g.batch; n++) {
    sgemm(false, true, static_cast<int>(rows), static_cast<int>(cols), g.outC, 1.0f, dy + n * outSize, g.outC, w, g.outC,
          0.0f, patches.data(), static_cast<int>(cols));
    col2imAdd(g, patches.data(), dx + n * inSize);
  }
}

}  // namespace ibl
