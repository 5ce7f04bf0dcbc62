// Max and average pooling (NHWC) and their gradients, with the semantics of the toolkit's fixed
// kernels (src/backend/poolKernels.ts): windows are clipped to the input; average pooling divides
// by the in-bounds count in both directions; max pooling routes the gradient to the window's
// first arg-max in row-major scan order.
#include "kernels.h"
#include <algorithm>
#include <limits>
#include <vector>

namespace {
using ibl::PoolGeometry;

struct Window { int r0, r1, c0, c1; };
inline Window window(const PoolGeometry& g, int oy, int ox) {
  const int r = oy * g.strideH - g.padTop, c = ox * g.strideW - g.padLeft;
  return {std::max(r, 0), std::min(r + g.filterH, g.inH), std::max(c, 0), std::min(c + g.filterW, g.inW)};
}
}  // namespace

namespace ibl {

void maxPool(const PoolGeometry& g, const float* x, float* y) {
  const int C = g.channels;
  for (int n = 0; n < g.batch; n++) {
    const float* xn = x + static_cast<size_t>(n) * g.inH * g.inW * C;
    for (int oy = 0; oy < g.outH; oy++) for (int ox = 0; ox < g.outW; ox++) {
      const Window w = window(g, oy, ox);
      float* out = y + ((static_cast<size_t>(n) * g.outH + oy) * g.outW + ox) * C;
      std::fill(out, out + C, -std::numeric_limits<float>::infinity());
      for (int r = w.r0; r < w.r1; r++) for (int c = w.c0; c < w.c1; c++) {
        const float* px = xn + (static_cast<size_t>(r) * g.inW + c) * C;
        // A select, not a branch, so it vectorises (maxps is exactly a > b ? a : b).
        for (int d = 0; d < C; d++) out[d] = px[d] > out[d] ? px[d] : out[d];
      }
    }
  }
}

void avgPool(const PoolGeometry& g, const float* x, float* y) {
  const int C = g.channels;
  std::vector<double> acc(C);
  for (int n = 0; n < g.batch; n++) {
    const float* xn = x + static_cast<size_t>(n) * g.inH * g.inW * C;
    for (int oy = 0; oy < g.outH; oy++) for (int ox = 0; ox < g.outW; ox++) {
      const Window w = window(g, oy, ox);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int r = w.r0; r < w.r1; r++) for (int c = w.c0; c < w.c1; c++) {
        const float* px = xn + (static_cast<size_t>(r) * g.inW + c) * C;
        for (int d = 0; d < C; d++) acc[d] += px[d];
      }
      const double count = static_cast<double>(w.r1 - w.r0) * (w.c1 - w.c0);
      float* out = y + ((static_cast<size_t>(n) * g.outH + oy) * g.outW + ox) * C;
      for (int d = 0; d < C; d++) out[d] = static_cast<float>(acc[d] / count);
    }
  }
}

// Windows that tile the input without overlap or padding (the models' 2×2 stride-2 'valid'
// pooling): every input pixel is in at most one window, so dx is written once — dy at the
// window's first arg-max, 0 elsewhere — with no zero-fill pass and no scatter.
static void maxPoolGradTiled(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  const int C = g.channels, fh = g.filterH, fw = g.filterW, taps = fh * fw;
  const size_t inImage = static_cast<size_t>(g.inH) * g.inW * C;
  // Per channel: the running maximum and the window position (0 … taps−1) of its first
  // occurrence; both 32-bit and updated by selects, so the channel loops vectorise.
  std::vector<float> bestStore(C);
  std::vector<int32_t> whichStore(C);
  float* __restrict best = bestStore.data();
  int32_t* __restrict which = whichStore.data();
  const int coveredH = g.outH * fh, coveredW = g.outW * fw;
  for (int n = 0; n < g.batch; n++) {
    const float* __restrict xn = x + n * inImage;
    float* __restrict dxn = dx + n * inImage;
    for (int oy = 0; oy < g.outH; oy++) {
      for (int ox = 0; ox < g.outW; ox++) {
        const int r0 = oy * fh, c0 = ox * fw;
        const float* __restrict p0 = xn + (static_cast<size_t>(r0) * g.inW + c0) * C;
        for (int d = 0; d < C; d++) { best[d] = p0[d]; which[d] = 0; }
        for (int t = 1; t < taps; t++) {
          const float* __restrict px = xn + (static_cast<size_t>(r0 + t / fw) * g.inW + c0 + t % fw) * C;
          // Masks rather than ?: on both arrays (GCC does not if-convert that pair: 3× slower).
          for (int d = 0; d < C; d++) {
            const int32_t greater = -static_cast<int32_t>(px[d] > best[d]);
            best[d] = px[d] > best[d] ? px[d] : best[d];
            which[d] = (which[d] & ~greater) | (t & greater);
          }
        }
        const uint32_t* __restrict gOut = reinterpret_cast<const uint32_t*>(dy) + ((static_cast<size_t>(n) * g.outH + oy) * g.outW + ox) * C;
        for (int t = 0; t < taps; t++) {
          uint32_t* __restrict q = reinterpret_cast<uint32_t*>(dxn) + (static_cast<size_t>(r0 + t / fw) * g.inW + c0 + t % fw) * C;
          for (int d = 0; d < C; d++) q[d] = gOut[d] & static_cast<uint32_t>(-static_cast<int32_t>(which[d] == t));
        }
      }
    }
    // Rows and columns past the last window ('valid' pooling of an odd size) get no gradient.
    for (int r = 0; r < g.inH; r++) {
      const int cStart = r < coveredH ? coveredW : 0;
      std::fill(dxn + (static_cast<size_t>(r) * g.inW + cStart) * C, dxn + (static_cast<size_t>(r) + 1) * g.inW * C, 0.0f);
    }
  }
}

void maxPoolGrad(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  const int C = g.channels;
  const size_t inImage = static_cast<size_t>(g.inH) * g.inW * C;
  if (g.strideH == g.filterH && g.strideW == g.filterW && g.padTop == 0 && g.padLeft == 0 && g.filterH > 0 &&
      g.filterW > 0 && g.outH * g.filterH <= g.inH && g.outW * g.filterW <= g.inW) {
    maxPoolGradTiled(g, dy, x, dx);
    return;
  }
  std::fill(dx, dx + inImage * g.batch, 0.0f);
  // Per window: the first pixel starts every channel's running maximum, later pixels replace it
  // only when strictly greater (first arg-max; NaN never wins). Channels are the inner loop and
  // the update is a select, so it vectorises.
  std::vector<float> best(C);
  std::vector<int32_t> arg(C);
  for (int n = 0; n < g.batch; n++) {
    const float* xn = x + n * inImage;
    float* dxn = dx + n * inImage;
    for (int oy = 0; oy < g.outH; oy++) for (int ox = 0; ox < g.outW; ox++) {
      const Window w = window(g, oy, ox);
      if (w.r1 <= w.r0 || w.c1 <= w.c0) continue;
      const int32_t first = (w.r0 * g.inW + w.c0) * C;
      for (int d = 0; d < C; d++) { best[d] = xn[first + d]; arg[d] = first + d; }
      for (int r = w.r0; r < w.r1; r++) for (int c = w.c0; c < w.c1; c++) {
        const int32_t base = (r * g.inW + c) * C;
        const float* px = xn + base;
        float* b = best.data();
        int32_t* a = arg.data();
        for (int d = 0; d < C; d++) {
          const bool greater = px[d] > b[d];
          b[d] = greater ? px[d] : b[d];
          a[d] = greater ? base + d : a[d];
        }
      }
      const float* gOut = dy + ((static_cast<size_t>(n) * g.outH + oy) * g.outW + ox) * C;
      for (int d = 0; d < C; d++) dxn[arg[d]] += gOut[d];
    }
  }
}

void avgPoolGrad(const PoolGeometry& g, const float* dy, float* dx) {
  const int C = g.channels;
  const size_t inImage = static_cast<size_t>(g.inH) * g.inW * C;
  std::fill(dx, dx + inImage * g.batch, 0.0f);
  for (int n = 0; n < g.batch; n++) {
    float* dxn = dx + n * inImage;
    for (int oy = 0; oy < g.outH; oy++) for (int ox = 0; ox < g.outW; ox++) {
      const Window w = window(g, oy, ox);
      const float count = static_cast<float>((w.r1 - w.r0) * (w.c1 - w.c0));
      const float* g_out = dy + ((static_cast<size_t>(n) * g.outH + oy) * g.outW + ox) * C;
      for (int r = w.r0; r < w.r1; r++) for (int c = w.c0; c < w.c1; c++) {
        float* px = dxn + (static_cast<size_t>(r) * g.inW + c) * C;
        for (int d = 0; d < C; d++) px[d] += g_out[d] / count;
      }
    }
  }
}

}  // namespace ibl
