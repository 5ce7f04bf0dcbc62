// Elementwise kernels. Results must equal the cpu backend's to float32 rounding: transcendental
// functions are evaluated in double (as JS's Math.* does) and rounded once; NaN handling follows
// the cpu kernels (Relu passes NaN and maps −0 to +0, Step maps NaN to NaN, Maximum/Minimum propagate NaN).
#include "kernels.h"
#include <algorithm>
#include <cmath>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {
using namespace ibl;

template <typename Out, typename F>
void binaryLoop(F f, const float* a, const float* b, Out* out, const int32_t* shape, const int32_t* as,
                const int32_t* bs, int rank) {
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int inner = shape[rank - 1];
  const int sa = as[rank - 1], sb = bs[rank - 1];
  size_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  if (inner == 0 || outer == 0) return;
  int32_t index[8] = {0};
  size_t aOff = 0, bOff = 0;
  Out* o = out;
  for (size_t r = 0; r < outer; r++) {
    const float* pa = a + aOff;
    const float* pb = b + bOff;
    // The three common stride patterns get their own loops so the compiler can vectorise them.
    if (sa == 1 && sb == 1) {
      for (int i = 0; i < inner; i++) o[i] = f(pa[i], pb[i]);
    } else if (sa == 1 && sb == 0) {
      const float vb = pb[0];
      for (int i = 0; i < inner; i++) o[i] = f(pa[i], vb);
    } else if (sa == 0 && sb == 1) {
      const float va = pa[0];
      for (int i = 0; i < inner; i++) o[i] = f(va, pb[i]);
    } else {
      for (int i = 0; i < inner; i++) o[i] = f(pa[static_cast<size_t>(i) * sa], pb[static_cast<size_t>(i) * sb]);
    }
    o += inner;
    // Odometer over the outer dims.
    for (int d = rank - 2; d >= 0; d--) {
      index[d]++;
      aOff += as[d];
      bOff += bs[d];
      if (index[d] < shape[d]) break;
      aOff -= static_cast<size_t>(as[d]) * shape[d];
      bOff -= static_cast<size_t>(bs[d]) * shape[d];
      index[d] = 0;
    }
  }
}

template <typename Out, typename F>
void dispatch(F f, const float* a, const float* b, void* out, const int32_t* shape, const int32_t* as,
              const int32_t* bs, int rank) {
  binaryLoop<Out>(f, a, b, static_cast<Out*>(out), shape, as, bs, rank);
}
}  // namespace

namespace {
// Relu and Step with SSE2: written out because GCC keeps the scalar forms' branches, which
// mispredict on activations of random sign (~10 ns per element instead of ~0.1).
// maxps(0, x) is exactly 0 > x ? 0 : x (NaN → x), and + 0 turns −0 into +0: the cpu kernel's Math.max(0, x).
void reluLoop(const float* x, float* out, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128 zero = _mm_setzero_ps();
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(out + i, _mm_add_ps(_mm_max_ps(zero, _mm_loadu_ps(x + i)), zero));
#endif
  for (; i < n; i++) out[i] = (0.0f > x[i] ? 0.0f : x[i]) + 0.0f;
}
// cpu: isNaN(x) ? NaN : (x > 0 ? 1 : alpha).
void stepLoop(const float* x, float* out, size_t n, float alpha) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f), a = _mm_set1_ps(alpha);
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    const __m128 positive = _mm_cmpgt_ps(v, zero);
    const __m128 nan = _mm_cmpunord_ps(v, v);
    const __m128 r = _mm_or_ps(_mm_and_ps(positive, one), _mm_andnot_ps(positive, a));
    _mm_storeu_ps(out + i, _mm_or_ps(_mm_and_ps(nan, v), _mm_andnot_ps(nan, r)));
  }
#endif
  for (; i < n; i++) out[i] = x[i] != x[i] ? x[i] : (x[i] > 0 ? 1.0f : alpha);
}
}  // namespace

namespace ibl {

void binary(int op, const float* a, const float* b, void* out, bool boolOut, const int32_t* shape,
            const int32_t* as, const int32_t* bs, int rank) {
  if (boolOut) {
    switch (op) {
      case kEqual: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x == y; }, a, b, out, shape, as, bs, rank);
      case kNotEqual: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x != y; }, a, b, out, shape, as, bs, rank);
      case kGreater: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x > y; }, a, b, out, shape, as, bs, rank);
      case kGreaterEqual: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x >= y; }, a, b, out, shape, as, bs, rank);
      case kLess: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x < y; }, a, b, out, shape, as, bs, rank);
      case kLessEqual: return dispatch<uint8_t>([](float x, float y) -> uint8_t { return x <= y; }, a, b, out, shape, as, bs, rank);
      default: return;
    }
  }
  switch (op) {
    case kAdd: return dispatch<float>([](float x, float y) { return x + y; }, a, b, out, shape, as, bs, rank);
    case kSub: return dispatch<float>([](float x, float y) { return x - y; }, a, b, out, shape, as, bs, rank);
    case kMul: return dispatch<float>([](float x, float y) { return x * y; }, a, b, out, shape, as, bs, rank);
    case kDiv: return dispatch<float>([](float x, float y) { return x / y; }, a, b, out, shape, as, bs, rank);
    // cpu: Math.max / Math.min — NaN when either argument is NaN, and +0 > −0.
    case kMax: return dispatch<float>([](float x, float y) { return x > y ? x : (y > x ? y : (x == y ? (std::signbit(x) ? y : x) : std::numeric_limits<float>::quiet_NaN())); }, a, b, out, shape, as, bs, rank);
    case kMin: return dispatch<float>([](float x, float y) { return x < y ? x : (y < x ? y : (x == y ? (std::signbit(x) ? x : y) : std::numeric_limits<float>::quiet_NaN())); }, a, b, out, shape, as, bs, rank);
    // cpu: (a − b)² in double, rounded once.
    case kSquaredDiff: return dispatch<float>([](float x, float y) { double d = static_cast<double>(x) - y; return static_cast<float>(d * d); }, a, b, out, shape, as, bs, rank);
    default: return;
  }
}

void unary(int op, const float* x, float* out, size_t n, float alpha) {
  switch (op) {
    // cpu: Math.max(0, x) (so −0 → +0, NaN → NaN) and Math.min(Math.max(0, x), 6).
    case kRelu: reluLoop(x, out, n); return;
    case kRelu6: for (size_t i = 0; i < n; i++) { const float v = (x[i] < 0.0f ? 0.0f : x[i]) + 0.0f; out[i] = v > 6.0f ? 6.0f : v; } return;
    case kNeg: for (size_t i = 0; i < n; i++) out[i] = -x[i]; return;
    case kAbs: for (size_t i = 0; i < n; i++) out[i] = std::fabs(x[i]); return;
    case kSquare: for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i]; return;
    case kStep: stepLoop(x, out, n, alpha); return;
    case kExp: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::exp(static_cast<double>(x[i]))); return;
    case kLog: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::log(static_cast<double>(x[i]))); return;
    case kSqrt: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::sqrt(static_cast<double>(x[i]))); return;
    case kRsqrt: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(x[i]))); return;
    case kReciprocal: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(1.0 / static_cast<double>(x[i])); return;
    case kSigmoid: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x[i])))); return;
    case kTanh: for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(x[i]))); return;
    default: return;
  }
}

void select(const uint8_t* cond, const float* t, const float* e, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = cond[i] ? t[i] : e[i];
}

void addN(const float* const* xs, int count, float* out, size_t n) {
  // Same order and float32 rounding per step as the cpu kernel (out += x_j in a Float32Array).
  for (size_t i = 0; i < n; i++) out[i] = xs[0][i];
  for (int j = 1; j < count; j++) {
    const float* x = xs[j];
    for (size_t i = 0; i < n; i++) out[i] += x[i];
  }
}

void axpy(const float* x, const float* y, float alpha, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float scaled = alpha * y[i];
    out[i] = x[i] + scaled;
  }
}

void stridedCopy(const float* x, float* out, const int32_t* shape, const int32_t* strides, int rank) {
  if (rank == 0) { out[0] = x[0]; return; }
  // A 2-d transpose (the common case: matMul gradients) goes tile by tile, so that both the
  // strided reads and the contiguous writes stay in cache.
  if (rank == 2 && strides[1] != 1) {
    const int rows = shape[0], cols = shape[1], sr = strides[0], sc = strides[1];
    constexpr int kTile = 32;
    for (int r0 = 0; r0 < rows; r0 += kTile) {
      const int r1 = std::min(rows, r0 + kTile);
      for (int c0 = 0; c0 < cols; c0 += kTile) {
        const int c1 = std::min(cols, c0 + kTile);
        for (int r = r0; r < r1; r++) {
          float* o = out + static_cast<size_t>(r) * cols;
          const float* xr = x + static_cast<size_t>(r) * sr;
          for (int c = c0; c < c1; c++) o[c] = xr[static_cast<size_t>(c) * sc];
        }
      }
    }
    return;
  }
  const int inner = shape[rank - 1];
  const int s = strides[rank - 1];
  size_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  if (inner == 0 || outer == 0) return;
  int32_t index[8] = {0};
  size_t off = 0;
  float* o = out;
  for (size_t r = 0; r < outer; r++) {
    const float* p = x + off;
    if (s == 1) std::copy(p, p + inner, o);
    else for (int i = 0; i < inner; i++) o[i] = p[static_cast<size_t>(i) * s];
    o += inner;
    for (int d = rank - 2; d >= 0; d--) {
      index[d]++;
      off += strides[d];
      if (index[d] < shape[d]) break;
      off -= static_cast<size_t>(strides[d]) * shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace ibl
