// Direct 2-D convolution (NHWC, filter [fh, fw, ci, co]) and both its gradients, for the small
// channel counts of the Zhang nets (16–64), where im2col + sgemm is slow: the GEMM has only
// 16–32 columns (OpenBLAS reaches ~12 GFLOP/s on it) and the patch matrix is fh·fw times the
// input. Here each image is copied once into a zero-bordered buffer (no bounds checks in the
// inner loops) and the channel loops run over tiles of 16 lanes held in registers:
//   forward      y[p, o]            = Σ_{kh,kw,i} xpad[p·s + k·d, i] · w[kh, kw, i, o]
//                (4 neighbouring output pixels × 16 output channels accumulated at once)
//   input grad   dxpad[p·s + k·d, i] += Σ_o dy[p, o] · w[kh, kw, i, o]     (scatter, 16 input channels)
//   filter grad  dw[kh, kw, i, o]   = Σ_{n,p} xpad[p·s + k·d, i] · dy[p, o] (4 input channels × 16 outputs)
// Sums run in float32 in a different order than the stock kernels: results agree to float32
// rounding (test/backend-native-conv.test.ts compares both with a float64 reference).
//
// Input gradient at stride 1 is itself a convolution (of dy with the filter flipped in space and
// transposed in channels, padded by (f − 1)·d − pad), so it runs the forward kernel. At stride s > 1
// (dilation 1) the input pixels split into s×s phases (r mod s, c mod s); each phase receives only
// the taps kh ≡ r + pad (mod s), and over one phase that is again a stride-1 convolution of dy with
// a sub-filter (see phaseInputGradient), so it also runs the forward kernel instead of a scatter.
//
// The file is compiled for AVX2 + FMA on x86-64 (a #pragma over this file's own functions only; every
// function here has internal linkage except the three entry points, and no library template is
// instantiated under the pragma, so no AVX2 code can leak into other translation units through
// COMDAT folding). conv.cc calls these only when directConvSupported() says the CPU has both.
#include "kernels.h"
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#define IBL_X86 1
#endif

namespace ibl {
bool directConvSupported() {
#ifdef IBL_X86
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return true;
#endif
}
}  // namespace ibl

namespace {
// A float buffer (not a std::vector: a library template instantiated under the AVX2 pragma below
// could be the copy the linker keeps for every translation unit).
class Floats {
 public:
  explicit Floats(size_t n, bool zero = false) : data_(new float[n > 0 ? n : 1]), size_(n) {
    if (zero) std::memset(data_, 0, sizeof(float) * n);
  }
  ~Floats() { delete[] data_; }
  Floats(const Floats&) = delete;
  Floats& operator=(const Floats&) = delete;
  float* data() { return data_; }
  size_t size() const { return size_; }
  float& operator[](size_t i) { return data_[i]; }

 private:
  float* data_;
  size_t size_;
};

// Images split into contiguous parts, one per thread (the calling thread runs part 0). Threads
// are started per call (~50 µs) rather than kept spinning: a spinning worker competes with the
// JS thread (README "The `native` backend"). Both cores only for calls of ≥ 2·10⁷ flops;
// IBL_NATIVE_BLAS_THREADS caps the count as it caps BLAS's. The split depends only on the
// geometry and the thread cap, so results are reproducible run to run on one machine.
using RangeFn = void (*)(void* context, int n0, int n1, int part);

int threadsFor(double flops, int batch) {
  if (flops < 2e7 || batch < 2) return 1;
  int n = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* cap = std::getenv("IBL_NATIVE_BLAS_THREADS")) {
    const int c = std::atoi(cap);
    if (c > 0 && c < n) n = c;
  }
  if (n > 2) n = 2;
  if (n > batch) n = batch;
  return n < 1 ? 1 : n;
}

void parallelImages(int batch, int parts, RangeFn fn, void* context) {
  if (parts <= 1) { fn(context, 0, batch, 0); return; }
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (int part = 1; part < parts; part++) {
    const int n0 = static_cast<int>(static_cast<long long>(batch) * part / parts);
    const int n1 = static_cast<int>(static_cast<long long>(batch) * (part + 1) / parts);
    // No thread to be had (resource limits): that part runs here instead of failing the call.
    try {
      workers.emplace_back(fn, context, n0, n1, part);
    } catch (...) {
      fn(context, n0, n1, part);
    }
  }
  fn(context, 0, static_cast<int>(static_cast<long long>(batch) / parts), 0);
  for (auto& w : workers) w.join();
}
}  // namespace

#if defined(IBL_X86) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(IBL_X86)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace {
using ibl::ConvGeometry;

constexpr int L = 16;  // lanes of one channel tile
constexpr int PX = 4;  // output pixels per forward register block
constexpr int IB = 4;  // input channels per filter-gradient register block

inline int roundUp(int v, int m) { return (v + m - 1) / m * m; }
inline int imin(int a, int b) { return a < b ? a : b; }

// The rows/columns of the zero-bordered input that any output reads: [-pad, extent - pad).
struct Padded {
  int h, w;
};
Padded paddedSize(const ConvGeometry& g) {
  return {(g.outH - 1) * g.strideH + (g.filterH - 1) * g.dilationH + 1,
          (g.outW - 1) * g.strideW + (g.filterW - 1) * g.dilationW + 1};
}

// xp[r][c][0..cs) (channel stride cs ≥ inC, extra channels zero) ← x with a zero border.
void padImage(const ConvGeometry& g, Padded p, const float* x, float* xp, int cs) {
  std::memset(xp, 0, sizeof(float) * static_cast<size_t>(p.h) * p.w * cs);
  for (int r = 0; r < g.inH; r++) {
    const int pr = r + g.padTop;
    if (pr < 0 || pr >= p.h) continue;
    for (int c = 0; c < g.inW; c++) {
      const int pc = c + g.padLeft;
      if (pc < 0 || pc >= p.w) continue;
      const float* src = x + (static_cast<size_t>(r) * g.inW + c) * g.inC;
      float* dst = xp + (static_cast<size_t>(pr) * p.w + pc) * cs;
      for (int i = 0; i < g.inC; i++) dst[i] = src[i];
    }
  }
}

// 8 float lanes (one AVX2 register); the 16-lane tiles are two of them. Vector extensions rather
// than hoping the auto-vectoriser keeps the accumulators in registers (it did not: 2.5 GFLOP/s).
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
inline v8 load8(const float* p) { return *reinterpret_cast<const v8u*>(p); }
inline void store8(float* p, v8 v) { *reinterpret_cast<v8u*>(p) = v; }
inline v8 splat8(float s) { return v8{s, s, s, s, s, s, s, s}; }
// a + b·c with one rounding (fused multiply-add): the sums here are in their own order anyway, so
// fusing changes nothing beyond float32 rounding, and it halves the arithmetic.
#ifdef IBL_X86
inline v8 madd(v8 a, v8 b, v8 c) { return __builtin_ia32_vfmaddps256(b, c, a); }
#else
inline v8 madd(v8 a, v8 b, v8 c) { return a + b * c; }
#endif

// Forward, one block of J output pixels × one 16-channel output tile. The J pixels are
// consecutive in the output (row-major), possibly across a row end: pixel j reads the padded input
// from float offset at[j] (its window's top-left corner), so a 7×7 map runs as 12 blocks of 4 and
// one of 1 rather than 7 rows of 4 + 1 + 1 + 1 (single-pixel blocks reload the filter per FMA pair).
template <int J>
inline void forwardBlock(const ConvGeometry& g, Padded p, const float* xp, const float* wt, const size_t* at, float* acc) {
  v8 a0[J], a1[J];
  for (int j = 0; j < J; j++) { a0[j] = splat8(0.0f); a1[j] = splat8(0.0f); }
  const int ci = g.inC;
  for (int kh = 0; kh < g.filterH; kh++) {
    for (int kw = 0; kw < g.filterW; kw++) {
      const size_t tap = (static_cast<size_t>(kh * g.dilationH) * p.w + kw * g.dilationW) * ci;
      const float* wk = wt + static_cast<size_t>(kh * g.filterW + kw) * ci * L;
      const float* px[J];
      for (int j = 0; j < J; j++) px[j] = xp + at[j] + tap;
      for (int i = 0; i < ci; i++) {
        const v8 w0 = load8(wk + i * L), w1 = load8(wk + i * L + 8);
        for (int j = 0; j < J; j++) {
          const v8 xv = splat8(px[j][i]);
          a0[j] = madd(a0[j], xv, w0);
          a1[j] = madd(a1[j], xv, w1);
        }
      }
    }
  }
  for (int j = 0; j < J; j++) { store8(acc + j * L, a0[j]); store8(acc + j * L + 8, a1[j]); }
}

// Filter gradient of one (kh, kw) and a block of B input channels × one 16-channel output tile,
// summed over one image's output pixels.
template <int B>
inline void filterBlock(const ConvGeometry& g, Padded p, const float* xp, const float* dyp, int coP, int kh, int kw,
                        int i0, int t, float* dwp) {
  v8 a0[B], a1[B];
  for (int b = 0; b < B; b++) { a0[b] = splat8(0.0f); a1[b] = splat8(0.0f); }
  const int ci = g.inC;
  const size_t step = static_cast<size_t>(g.strideW) * ci;
  for (int oy = 0; oy < g.outH; oy++) {
    const float* row = xp + (static_cast<size_t>(oy * g.strideH + kh * g.dilationH) * p.w + kw * g.dilationW) * ci + i0;
    const float* d = dyp + static_cast<size_t>(oy) * g.outW * coP + t * L;
    for (int ox = 0; ox < g.outW; ox++) {
      const float* xv = row + ox * step;
      const v8 d0 = load8(d + static_cast<size_t>(ox) * coP), d1 = load8(d + static_cast<size_t>(ox) * coP + 8);
      for (int b = 0; b < B; b++) {
        const v8 sv = splat8(xv[b]);
        a0[b] = madd(a0[b], sv, d0);
        a1[b] = madd(a1[b], sv, d1);
      }
    }
  }
  float* dst = dwp + (static_cast<size_t>(kh * g.filterW + kw) * ci + i0) * coP + t * L;
  for (int b = 0; b < B; b++) {
    store8(dst + b * coP, load8(dst + b * coP) + a0[b]);
    store8(dst + b * coP + 8, load8(dst + b * coP + 8) + a1[b]);
  }
}

double flopsOf(const ConvGeometry& g) {
  return 2.0 * g.batch * g.outH * g.outW * g.filterH * g.filterW * static_cast<double>(g.inC) * g.outC;
}

struct ForwardJob {
  const ConvGeometry& g;
  const float* x;
  const float* wt;
  float* y;
};

void forwardRange(void* context, int n0, int n1, int) {
  const ForwardJob& job = *static_cast<const ForwardJob*>(context);
  const ConvGeometry& g = job.g;
  const Padded p = paddedSize(g);
  const int ci = g.inC, co = g.outC, tiles = roundUp(co, L) / L, taps = g.filterH * g.filterW;
  Floats xp(static_cast<size_t>(p.h) * p.w * ci);
  float acc[PX * L];
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * ci, outSize = static_cast<size_t>(g.outH) * g.outW * co;
  const int pixels = g.outH * g.outW;
  for (int n = n0; n < n1; n++) {
    padImage(g, p, job.x + n * inSize, xp.data(), ci);
    float* yn = job.y + n * outSize;
    for (int q = 0; q < pixels; q += PX) {
      const int j = imin(PX, pixels - q);
      size_t at[PX];
      for (int jj = 0; jj < j; jj++) {
        const int oy = (q + jj) / g.outW, ox = (q + jj) % g.outW;
        at[jj] = (static_cast<size_t>(oy * g.strideH) * p.w + static_cast<size_t>(ox) * g.strideW) * ci;
      }
      for (int t = 0; t < tiles; t++) {
        const float* wtt = job.wt + static_cast<size_t>(t) * taps * ci * L;
        switch (j) {
          case 4: forwardBlock<4>(g, p, xp.data(), wtt, at, acc); break;
          case 3: forwardBlock<3>(g, p, xp.data(), wtt, at, acc); break;
          case 2: forwardBlock<2>(g, p, xp.data(), wtt, at, acc); break;
          default: forwardBlock<1>(g, p, xp.data(), wtt, at, acc); break;
        }
        const int width = imin(L, co - t * L);
        for (int jj = 0; jj < j; jj++) {
          float* dst = yn + (static_cast<size_t>(q) + jj) * co + t * L;
          for (int o = 0; o < width; o++) dst[o] = acc[jj * L + o];
        }
      }
    }
  }
}

struct FilterJob {
  const ConvGeometry& g;
  const float* x;
  const float* dy;
  float* partials;  // [parts][taps·ci·coP], each zero-filled
  size_t partialSize;
};

void filterRange(void* context, int n0, int n1, int part) {
  const FilterJob& job = *static_cast<const FilterJob*>(context);
  const ConvGeometry& g = job.g;
  const Padded p = paddedSize(g);
  const int ci = g.inC, co = g.outC, coP = roundUp(co, L), tiles = coP / L;
  float* dwp = job.partials + part * job.partialSize;
  Floats xp(static_cast<size_t>(p.h) * p.w * ci);
  Floats dyp(static_cast<size_t>(g.outH) * g.outW * coP, true);
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * ci, outSize = static_cast<size_t>(g.outH) * g.outW * co;
  const size_t pixels = static_cast<size_t>(g.outH) * g.outW;
  for (int n = n0; n < n1; n++) {
    padImage(g, p, job.x + n * inSize, xp.data(), ci);
    const float* dyn = job.dy + n * outSize;
    const float* src = dyn;
    if (coP != co) {
      for (size_t q = 0; q < pixels; q++) for (int o = 0; o < co; o++) dyp[q * coP + o] = dyn[q * co + o];
      src = dyp.data();
    }
    for (int kh = 0; kh < g.filterH; kh++) {
      for (int kw = 0; kw < g.filterW; kw++) {
        for (int t = 0; t < tiles; t++) {
          int i0 = 0;
          for (; i0 + IB <= ci; i0 += IB) filterBlock<IB>(g, p, xp.data(), src, coP, kh, kw, i0, t, dwp);
          for (; i0 < ci; i0++) filterBlock<1>(g, p, xp.data(), src, coP, kh, kw, i0, t, dwp);
        }
      }
    }
  }
}

// Tiles wt[t][kh][kw][i][16] of a filter w[kh][kw][i][co], zero past co (the forward kernel's layout).
void tileFilter(const float* w, int taps, int ci, int co, float* wt) {
  const int tiles = roundUp(co, L) / L;
  std::memset(wt, 0, sizeof(float) * static_cast<size_t>(tiles) * taps * ci * L);
  for (int t = 0; t < tiles; t++)
    for (int k = 0; k < taps; k++)
      for (int i = 0; i < ci; i++)
        for (int o = 0; o < L && t * L + o < co; o++)
          wt[((static_cast<size_t>(t) * taps + k) * ci + i) * L + o] = w[(static_cast<size_t>(k) * ci + i) * co + t * L + o];
}

// One phase (ph, pw) of the input gradient at stride s (dilation 1). Input rows r = ph + s·a
// (a < rows) receive from taps kh = k0 + s·j (j < nj, k0 = (ph + padTop) mod s), through
// dy row oy = (r + padTop − kh)/s = a + c0 − j, c0 = (ph + padTop − k0)/s. With j' = nj − 1 − j:
//   dx[ph + s·a, pw + s·b, i] = Σ_{j', l', o} dy[a + j' − pt′, b + l' − pl′, o] · w′[j', l', o, i]
//   w′[j', l', o, i] = w[k0 + s·(nj − 1 − j'), q0 + s·(nw − 1 − l'), i, o],  pt′ = nj − 1 − c0,
// a stride-1 convolution of dy (zero outside it, as the forward kernel pads) into a rows × cols
// buffer, interleaved into dx afterwards. A phase with no taps (nj or nw = 0) gets zeros.
struct Phase {
  ConvGeometry g;   // the stride-1 convolution (batch = the whole call's)
  int ph, pw;
  bool empty;
  float* wt;        // forward-kernel tiles of w′
  float* out;       // [batch][rows][cols][inC]
};

struct PhaseTaps { int k0, n, c0, count; };
PhaseTaps phaseTaps(int phase, int pad, int stride, int filter, int inExtent) {
  PhaseTaps t;
  t.k0 = (phase + pad) % stride;
  t.n = t.k0 < filter ? (filter - 1 - t.k0) / stride + 1 : 0;
  t.c0 = (phase + pad - t.k0) / stride;
  t.count = phase < inExtent ? (inExtent - phase + stride - 1) / stride : 0;
  return t;
}

struct PhaseJob {
  const ConvGeometry& g;
  const float* dy;
  Phase* phases;
  int count;
  float* dx;
};

void phaseRange(void* context, int n0, int n1, int part) {
  const PhaseJob& job = *static_cast<const PhaseJob*>(context);
  const ConvGeometry& g = job.g;
  const size_t inSize = static_cast<size_t>(g.inH) * g.inW * g.inC;
  for (int q = 0; q < job.count; q++) {
    Phase& ph = job.phases[q];
    if (!ph.empty) {
      ForwardJob forward{ph.g, job.dy, ph.wt, ph.out};
      forwardRange(&forward, n0, n1, part);
    }
    const size_t phaseSize = static_cast<size_t>(ph.g.outH) * ph.g.outW * g.inC;
    for (int n = n0; n < n1; n++) {
      const float* src = ph.out + n * phaseSize;
      float* dxn = job.dx + n * inSize;
      for (int a = 0; a < ph.g.outH; a++) {
        for (int b = 0; b < ph.g.outW; b++) {
          float* dst = dxn + (static_cast<size_t>(ph.ph + g.strideH * a) * g.inW + ph.pw + g.strideW * b) * g.inC;
          if (ph.empty) {
            for (int i = 0; i < g.inC; i++) dst[i] = 0.0f;
          } else {
            const float* from = src + (static_cast<size_t>(a) * ph.g.outW + b) * g.inC;
            for (int i = 0; i < g.inC; i++) dst[i] = from[i];
          }
        }
      }
    }
  }
}

void phaseInputGradient(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int phaseCount = g.strideH * g.strideW;
  Phase* phases = new Phase[phaseCount];
  size_t tileFloats = 0, outFloats = 0;
  for (int ph = 0; ph < g.strideH; ph++) {
    for (int pw = 0; pw < g.strideW; pw++) {
      const PhaseTaps r = phaseTaps(ph, g.padTop, g.strideH, g.filterH, g.inH);
      const PhaseTaps c = phaseTaps(pw, g.padLeft, g.strideW, g.filterW, g.inW);
      Phase& p = phases[ph * g.strideW + pw];
      p.ph = ph;
      p.pw = pw;
      p.empty = r.n == 0 || c.n == 0;
      p.g = {g.batch, g.outH, g.outW, g.outC, r.count, c.count, g.inC, r.n, c.n, 1, 1, 1, 1, r.n - 1 - r.c0, c.n - 1 - c.c0};
      if (!p.empty) {
        tileFloats += static_cast<size_t>(roundUp(g.inC, L)) * r.n * c.n * g.outC;
        outFloats += static_cast<size_t>(g.batch) * r.count * c.count * g.inC;
      }
    }
  }
  Floats tiles(tileFloats), outs(outFloats);
  Floats sub(static_cast<size_t>(g.filterH) * g.filterW * g.inC * g.outC);
  size_t tileAt = 0, outAt = 0;
  for (int q = 0; q < phaseCount; q++) {
    Phase& p = phases[q];
    p.wt = p.out = nullptr;
    if (p.empty) continue;
    const PhaseTaps r = phaseTaps(p.ph, g.padTop, g.strideH, g.filterH, g.inH);
    const PhaseTaps c = phaseTaps(p.pw, g.padLeft, g.strideW, g.filterW, g.inW);
    for (int j = 0; j < r.n; j++)
      for (int l = 0; l < c.n; l++) {
        const int kh = r.k0 + g.strideH * (r.n - 1 - j), kw = c.k0 + g.strideW * (c.n - 1 - l);
        for (int o = 0; o < g.outC; o++)
          for (int i = 0; i < g.inC; i++)
            sub[((static_cast<size_t>(j) * c.n + l) * g.outC + o) * g.inC + i] =
                w[((static_cast<size_t>(kh) * g.filterW + kw) * g.inC + i) * g.outC + o];
      }
    p.wt = tiles.data() + tileAt;
    tileFilter(sub.data(), r.n * c.n, g.outC, g.inC, p.wt);
    tileAt += static_cast<size_t>(roundUp(g.inC, L)) * r.n * c.n * g.outC;
    p.out = outs.data() + outAt;
    outAt += static_cast<size_t>(g.batch) * r.count * c.count * g.inC;
  }
  PhaseJob job{g, dy, phases, phaseCount, dx};
  parallelImages(g.batch, threadsFor(flopsOf(g), g.batch), phaseRange, &job);
  delete[] phases;
}
}  // namespace

namespace ibl {

void directConv2d(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int ci = g.inC, co = g.outC, tiles = roundUp(co, L) / L, taps = g.filterH * g.filterW;
  Floats wt(static_cast<size_t>(tiles) * taps * ci * L);
  tileFilter(w, taps, ci, co, wt.data());
  ForwardJob job{g, x, wt.data(), y};
  parallelImages(g.batch, threadsFor(flopsOf(g), g.batch), forwardRange, &job);
}

void directConv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (g.strideH == 1 && g.strideW == 1) {
    // dx[r, c, i] = Σ_{kh,kw,o} dy[r + pt − kh·d, c + pl − kw·d, o] · w[kh, kw, i, o]
    //            = conv(dy, w′)[r, c, i],  w′[kh′, kw′, o, i] = w[fh−1−kh′, fw−1−kw′, i, o],
    // padded by pt′ = (fh − 1)·dh − pt (and likewise for columns).
    const ConvGeometry t = {g.batch, g.outH, g.outW, g.outC, g.inH, g.inW, g.inC, g.filterH, g.filterW, 1, 1,
                            g.dilationH, g.dilationW, (g.filterH - 1) * g.dilationH - g.padTop,
                            (g.filterW - 1) * g.dilationW - g.padLeft};
    const int taps = g.filterH * g.filterW;
    Floats flipped(static_cast<size_t>(taps) * g.inC * g.outC);
    for (int kh = 0; kh < g.filterH; kh++)
      for (int kw = 0; kw < g.filterW; kw++)
        for (int i = 0; i < g.inC; i++)
          for (int o = 0; o < g.outC; o++)
            flipped[((static_cast<size_t>(g.filterH - 1 - kh) * g.filterW + (g.filterW - 1 - kw)) * g.outC + o) * g.inC + i] =
                w[((static_cast<size_t>(kh) * g.filterW + kw) * g.inC + i) * g.outC + o];
    directConv2d(t, dy, flipped.data(), dx);
    return;
  }
  // Strided: by phases. TF.js has no dilated conv gradients, and conv.cc sends a strided and
  // dilated input gradient to im2col.
  phaseInputGradient(g, dy, w, dx);
}

void directConv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int ci = g.inC, co = g.outC, coP = roundUp(co, L), taps = g.filterH * g.filterW;
  // One accumulator dwp[kh][kw][i][coP] per thread, summed in part order, then cropped into dw.
  const int parts = threadsFor(flopsOf(g), g.batch);
  const size_t partialSize = static_cast<size_t>(taps) * ci * coP;
  Floats partials(partialSize * parts, true);
  FilterJob job{g, x, dy, partials.data(), partialSize};
  parallelImages(g.batch, parts, filterRange, &job);
  for (int part = 1; part < parts; part++)
    for (size_t j = 0; j < partialSize; j++) partials[j] += partials[part * partialSize + j];
  for (int k = 0; k < taps; k++)
    for (int i = 0; i < ci; i++)
      for (int o = 0; o < co; o++) dw[(static_cast<size_t>(k) * ci + i) * co + o] = partials[(static_cast<size_t>(k) * ci + i) * coP + o];
}

}  // namespace ibl

#if defined(IBL_X86) && defined(__clang__)
#pragma clang attribute pop
#elif defined(IBL_X86)
#pragma GCC pop_options
#endif
