// Batch normalisation in training mode over x viewed as [rows, channels] (NHWC: every axis but
// the channel one is a row), as src/models/layers.ts `normalise` composes it from TF ops:
//   μ = mean(x), σ² = mean((x − μ)²) (population), r = 1/√(σ² + ε), y = (x − μ)·(γ·r) + β
// and its gradient for an upstream dy (x̂ = (x − μ)·r, N = rows):
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·r·(dy − dβ/N − x̂·dγ/N).
// Per-channel sums are accumulated in double; μ, σ², r and the per-channel factor are rounded to
// float32 and the elementwise steps are float32 in the composition's order, so y agrees with the
// composition to float32 rounding. Only first order: the gradient's own derivatives come from
// TF ops (src/backend/native/batchNorm.ts), so this kernel is never on a recorded tape.
#include "batchNorm.h"
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <string>
#include <vector>

namespace {

// Rows split into contiguous parts, one per thread (the caller runs part 0), for tensors of at
// least 2¹⁸ elements; at most 2 threads, capped by IBL_NATIVE_BLAS_THREADS like the conv and
// BLAS threads. Partial sums are combined in part order, so a result depends only on the shape
// and the thread cap.
int partsFor(size_t rows, size_t c) {
  if (rows < 2 || rows * c < (size_t(1) << 18)) return 1;
  int n = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* cap = std::getenv("IBL_NATIVE_BLAS_THREADS")) {
    const int v = std::atoi(cap);
    if (v > 0 && v < n) n = v;
  }
  return n >= 2 ? 2 : 1;
}

template <typename Fn>
void forParts(size_t rows, int parts, Fn fn) {
  if (parts <= 1) { fn(size_t(0), rows, 0); return; }
  std::vector<std::thread> workers;
  for (int part = 1; part < parts; part++) {
    // No thread to be had (resource limits): that part runs here instead of failing the call.
    try {
      workers.emplace_back(fn, rows * part / parts, rows * (part + 1) / parts, part);
    } catch (...) {
      fn(rows * part / parts, rows * (part + 1) / parts, part);
    }
  }
  fn(size_t(0), rows / parts, 0);
  for (auto& w : workers) w.join();
}

// Per-channel moments in one pass, about a shift K (the first row): s₁ = Σ(x − K), s₂ = Σ(x − K)²
// in double, μ = K + s₁/N, σ² = s₂/N − (s₁/N)² — the shift keeps the subtraction from cancelling
// when |μ| ≫ σ. With dy given, the same pass sums dy and dy·(x − K) for the gradient.
struct Moments {
  std::vector<float> mean, r;
  std::vector<double> sumDy, sumDyCentred;  // Σ dy, Σ dy·(x − μ)
};

Moments moments(const float* x, const float* dy, size_t rows, size_t c, float epsilon) {
  std::vector<float> shift(c, 0.0f);
  if (rows > 0) for (size_t k = 0; k < c; k++) shift[k] = x[k];
  const float* K = shift.data();
  const int parts = partsFor(rows, c);
  // sums[part][0..4c): s₁, s₂, Σ dy, Σ dy·(x − K); parts 16 doubles apart (no shared cache line).
  const size_t stride = 4 * c + 16;
  std::vector<double> sums(static_cast<size_t>(parts) * stride, 0.0);
  forParts(rows, parts, [&](size_t r0, size_t r1, int part) {
    double* s1 = sums.data() + static_cast<size_t>(part) * stride;
    double *s2 = s1 + c, *d1 = s1 + 2 * c, *d2 = s1 + 3 * c;
    for (size_t i = r0; i < r1; i++) {
      const float* p = x + i * c;
      if (dy) {
        const float* d = dy + i * c;
        for (size_t k = 0; k < c; k++) {
          const double u = static_cast<double>(p[k]) - K[k];
          s1[k] += u;
          s2[k] += u * u;
          d1[k] += d[k];
          d2[k] += d[k] * u;
        }
      } else {
        for (size_t k = 0; k < c; k++) {
          const double u = static_cast<double>(p[k]) - K[k];
          s1[k] += u;
          s2[k] += u * u;
        }
      }
    }
  });
  for (int part = 1; part < parts; part++)
    for (size_t j = 0; j < 4 * c; j++) sums[j] += sums[static_cast<size_t>(part) * stride + j];
  const double *s1 = sums.data(), *s2 = s1 + c, *d1 = s1 + 2 * c, *d2 = s1 + 3 * c;
  Moments m{std::vector<float>(c), std::vector<float>(c), std::vector<double>(c), std::vector<double>(c)};
  const double n = rows > 0 ? static_cast<double>(rows) : 1.0;
  for (size_t k = 0; k < c; k++) {
    const double meanShift = s1[k] / n;
    m.mean[k] = static_cast<float>(K[k] + meanShift);
    const double variance = s2[k] / n - meanShift * meanShift;
    m.r[k] = 1.0f / std::sqrt(static_cast<float>(variance > 0 ? variance : 0.0) + epsilon);
    m.sumDy[k] = d1[k];
    // Σ dy·(x − μ) = Σ dy·(x − K) − (μ − K)·Σ dy
    m.sumDyCentred[k] = d2[k] - meanShift * d1[k];
  }
  return m;
}

void forward(const float* x, const float* gamma, const float* beta, float* y, size_t rows, size_t c, float epsilon) {
  const Moments m = moments(x, nullptr, rows, c, epsilon);
  std::vector<float> scale(c);
  for (size_t k = 0; k < c; k++) scale[k] = gamma[k] * m.r[k];
  forParts(rows, partsFor(rows, c), [&](size_t r0, size_t r1, int) {
    for (size_t i = r0; i < r1; i++) {
      const float* p = x + i * c;
      float* q = y + i * c;
      for (size_t k = 0; k < c; k++) q[k] = (p[k] - m.mean[k]) * scale[k] + beta[k];
    }
  });
}

void backward(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta, size_t rows,
              size_t c, float epsilon) {
  const Moments m = moments(x, dy, rows, c, epsilon);
  // dx = a·dy + b·(x − μ) + e with a = γr, b = −γr²·dγ/N, e = −γr·dβ/N.
  std::vector<float> a(c), b(c), e(c);
  const double n = rows > 0 ? static_cast<double>(rows) : 1.0;
  for (size_t k = 0; k < c; k++) {
    const double r = m.r[k], gr = static_cast<double>(gamma[k]) * r;
    const double dg = m.sumDyCentred[k] * r;
    dbeta[k] = static_cast<float>(m.sumDy[k]);
    dgamma[k] = static_cast<float>(dg);
    a[k] = static_cast<float>(gr);
    b[k] = static_cast<float>(-gr * r * dg / n);
    e[k] = static_cast<float>(-gr * m.sumDy[k] / n);
  }
  forParts(rows, partsFor(rows, c), [&](size_t r0, size_t r1, int) {
    for (size_t i = r0; i < r1; i++) {
      const float* d = dy + i * c;
      const float* p = x + i * c;
      float* q = dx + i * c;
      for (size_t k = 0; k < c; k++) q[k] = a[k] * d[k] + b[k] * (p[k] - m.mean[k]) + e[k];
    }
  });
}

// Argument checks: a wrong argument is a bug in src/backend/native/ and throws a TypeError.
struct Checked {
  Napi::Env env;
  bool failed = false;
  float* f32(const Napi::Value& v, size_t minLength, const char* name) {
    if (failed) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      fail(std::string(name) + ": expected a Float32Array");
      return nullptr;
    }
    auto a = v.As<Napi::Float32Array>();
    if (a.ElementLength() < minLength) { fail(std::string(name) + ": Float32Array too short"); return nullptr; }
    return a.Data();
  }
  double num(const Napi::Value& v, const char* name) {
    if (failed) return 0;
    if (!v.IsNumber() || !(v.As<Napi::Number>().DoubleValue() >= 0)) { fail(std::string(name) + ": expected a non-negative number"); return 0; }
    return v.As<Napi::Number>().DoubleValue();
  }
  void fail(const std::string& what) {
    failed = true;
    Napi::TypeError::New(env, "ibl_native batchNorm: " + what).ThrowAsJavaScriptException();
  }
};

// batchNorm(x, gamma, beta, y, rows, channels, epsilon)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Checked g{info.Env()};
  const size_t rows = static_cast<size_t>(g.num(info[4], "rows")), c = static_cast<size_t>(g.num(info[5], "channels"));
  const float epsilon = static_cast<float>(g.num(info[6], "epsilon"));
  const float* x = g.f32(info[0], rows * c, "x");
  const float* gamma = g.f32(info[1], c, "gamma");
  const float* beta = g.f32(info[2], c, "beta");
  float* y = g.f32(info[3], rows * c, "y");
  if (!g.failed) forward(x, gamma, beta, y, rows, c, epsilon);
  return info.Env().Undefined();
}

// batchNormGrad(dy, x, gamma, dx, dgamma, dbeta, rows, channels, epsilon)
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  Checked g{info.Env()};
  const size_t rows = static_cast<size_t>(g.num(info[6], "rows")), c = static_cast<size_t>(g.num(info[7], "channels"));
  const float epsilon = static_cast<float>(g.num(info[8], "epsilon"));
  const float* dy = g.f32(info[0], rows * c, "dy");
  const float* x = g.f32(info[1], rows * c, "x");
  const float* gamma = g.f32(info[2], c, "gamma");
  float* dx = g.f32(info[3], rows * c, "dx");
  float* dgamma = g.f32(info[4], c, "dgamma");
  float* dbeta = g.f32(info[5], c, "dbeta");
  if (!g.failed) backward(dy, x, gamma, dx, dgamma, dbeta, rows, c, epsilon);
  return info.Env().Undefined();
}

}  // namespace

namespace ibl {
void registerBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
}
}  // namespace ibl
