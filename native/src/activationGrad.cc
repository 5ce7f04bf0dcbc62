// The ReLU gradient dy·step(x) in one pass (TF.js runs it as Step then Multiply: two passes and
// two fresh buffers). step(x) is the cpu kernel's: NaN for NaN x, 1 for x > 0, else 0; the
// product is one float32 multiplication, so the result is bit-identical to Multiply(dy, Step(x))
// (including −0 for negative dy at x ≤ 0 and NaN for an infinite dy there).
#include "activationGrad.h"
#include <cstddef>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

void reluGrad(const float* dy, const float* x, float* out, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    const __m128 nan = _mm_cmpunord_ps(v, v);
    const __m128 step = _mm_or_ps(_mm_and_ps(nan, v), _mm_andnot_ps(nan, _mm_and_ps(_mm_cmpgt_ps(v, zero), one)));
    _mm_storeu_ps(out + i, _mm_mul_ps(_mm_loadu_ps(dy + i), step));
  }
#endif
  for (; i < n; i++) {
    const float step = x[i] != x[i] ? x[i] : (x[i] > 0 ? 1.0f : 0.0f);
    out[i] = dy[i] * step;
  }
}

float* floats(const Napi::CallbackInfo& info, size_t i, size_t minLength, bool* failed) {
  if (*failed) return nullptr;
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      v.As<Napi::Float32Array>().ElementLength() < minLength) {
    *failed = true;
    Napi::TypeError::New(info.Env(), "ibl_native reluGrad: argument " + std::to_string(i) + ": expected a Float32Array of at least the length of x")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return v.As<Napi::Float32Array>().Data();
}

// reluGrad(dy, x, out): all of x's length.
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  bool failed = false;
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(info.Env(), "ibl_native reluGrad: argument 1: expected a Float32Array").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const size_t n = info[1].As<Napi::Float32Array>().ElementLength();
  const float* dy = floats(info, 0, n, &failed);
  const float* x = floats(info, 1, n, &failed);
  float* out = floats(info, 2, n, &failed);
  if (!failed) reluGrad(dy, x, out, n);
  return info.Env().Undefined();
}

}  // namespace

namespace ibl {
void registerActivationGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
}
}  // namespace ibl
