// N-API entry points of the `native` backend's addon. Each function takes the cpu backend's
// typed arrays (zero copy), checks their types and lengths, and calls a kernel in this folder.
// A wrong argument is a bug in src/backend/native/ and throws a JS TypeError/RangeError rather
// than touching memory out of bounds.
#include <napi.h>
#include "kernels.h"
#include "batchNorm.h"
#include "activationGrad.h"

namespace {

struct Args {
  const Napi::CallbackInfo& info;
  bool failed = false;
  explicit Args(const Napi::CallbackInfo& i) : info(i) {}

  void fail(const char* what, size_t i) {
    if (failed) return;
    failed = true;
    std::string msg = std::string("ibl_native: argument ") + std::to_string(i) + ": " + what;
    Napi::TypeError::New(info.Env(), msg).ThrowAsJavaScriptException();
  }
  float* f32(size_t i, size_t minLength) {
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      fail("expected a Float32Array", i);
      return nullptr;
    }
    auto a = info[i].As<Napi::Float32Array>();
    if (a.ElementLength() < minLength) fail("Float32Array too short", i);
    return a.Data();
  }
  uint8_t* u8(size_t i, size_t minLength) {
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      fail("expected a Uint8Array", i);
      return nullptr;
    }
    auto a = info[i].As<Napi::Uint8Array>();
    if (a.ElementLength() < minLength) fail("Uint8Array too short", i);
    return a.Data();
  }
  const int32_t* i32(size_t i, size_t* length) {
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      fail("expected an Int32Array", i);
      return nullptr;
    }
    auto a = info[i].As<Napi::Int32Array>();
    *length = a.ElementLength();
    return a.Data();
  }
  double num(size_t i) {
    if (!info[i].IsNumber()) { fail("expected a number", i); return 0; }
    return info[i].As<Napi::Number>().DoubleValue();
  }
  int64_t count(size_t i) {
    double v = num(i);
    if (!(v >= 0)) fail("expected a non-negative count", i);
    return static_cast<int64_t>(v);
  }
  bool flag(size_t i) {
    if (!info[i].IsBoolean()) { fail("expected a boolean", i); return false; }
    return info[i].As<Napi::Boolean>().Value();
  }
  size_t lengthOf(size_t i) { return info[i].As<Napi::TypedArray>().ElementLength(); }
};

// batchMatMul(a, b, out, m, n, k, transA, transB, aOffsets, bOffsets)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  Args g(info);
  const int64_t m = g.count(3), n = g.count(4), k = g.count(5);
  const bool ta = g.flag(6), tb = g.flag(7);
  size_t batchA = 0, batchB = 0;
  const int32_t* ao = g.i32(8, &batchA);
  const int32_t* bo = g.i32(9, &batchB);
  if (g.failed) return info.Env().Undefined();
  if (batchA != batchB) { g.fail("offset tables differ in length", 9); return info.Env().Undefined(); }
  size_t maxA = 0, maxB = 0;
  for (size_t i = 0; i < batchA; i++) {
    if (ao[i] < 0 || bo[i] < 0) { g.fail("negative offset", 8); return info.Env().Undefined(); }
    maxA = std::max(maxA, static_cast<size_t>(ao[i]));
    maxB = std::max(maxB, static_cast<size_t>(bo[i]));
  }
  const size_t aNeed = batchA ? maxA + m * k : 0, bNeed = batchA ? maxB + k * n : 0;
  const float* a = g.f32(0, aNeed);
  const float* b = g.f32(1, bNeed);
  float* c = g.f32(2, batchA * m * n);
  if (g.failed) return info.Env().Undefined();
  ibl::batchMatMul(a, b, c, m, n, k, ta, tb, ao, bo, static_cast<int>(batchA));
  return info.Env().Undefined();
}

// binary(op, a, b, out, shape, aStrides, bStrides)  — out is Float32Array or Uint8Array (comparisons)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args g(info);
  const int op = static_cast<int>(g.count(0));
  size_t rank = 0, ra = 0, rb = 0;
  const int32_t* shape = g.i32(4, &rank);
  const int32_t* as = g.i32(5, &ra);
  const int32_t* bs = g.i32(6, &rb);
  if (g.failed) return info.Env().Undefined();
  if (ra != rank || rb != rank || rank > 8) { g.fail("shape/stride tables must have equal length ≤ 8", 4); return info.Env().Undefined(); }
  size_t total = 1, aNeed = 1, bNeed = 1;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] < 0 || as[d] < 0 || bs[d] < 0) { g.fail("negative size or stride", 4); return info.Env().Undefined(); }
    total *= shape[d];
    if (shape[d] > 0) { aNeed += static_cast<size_t>(as[d]) * (shape[d] - 1); bNeed += static_cast<size_t>(bs[d]) * (shape[d] - 1); }
  }
  if (total == 0) return info.Env().Undefined();
  const float* a = g.f32(1, aNeed);
  const float* b = g.f32(2, bNeed);
  const bool boolOut = op >= ibl::kEqual;
  void* out = boolOut ? static_cast<void*>(g.u8(3, total)) : static_cast<void*>(g.f32(3, total));
  if (g.failed) return info.Env().Undefined();
  ibl::binary(op, a, b, out, boolOut, shape, as, bs, static_cast<int>(rank));
  return info.Env().Undefined();
}

// stridedCopy(x, out, shape, strides)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  Args g(info);
  size_t rank = 0, rs = 0;
  const int32_t* shape = g.i32(2, &rank);
  const int32_t* strides = g.i32(3, &rs);
  if (g.failed) return info.Env().Undefined();
  if (rs != rank || rank > 8) { g.fail("shape/stride tables must have equal length ≤ 8", 2); return info.Env().Undefined(); }
  size_t total = 1, need = 1;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] < 0 || strides[d] < 0) { g.fail("negative size or stride", 2); return info.Env().Undefined(); }
    total *= shape[d];
    if (shape[d] > 0) need += static_cast<size_t>(strides[d]) * (shape[d] - 1);
  }
  if (total == 0) return info.Env().Undefined();
  const float* x = g.f32(0, need);
  float* out = g.f32(1, total);
  if (g.failed) return info.Env().Undefined();
  ibl::stridedCopy(x, out, shape, strides, static_cast<int>(rank));
  return info.Env().Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args g(info);
  const int op = static_cast<int>(g.count(0));
  const double alpha = g.num(3);
  if (g.failed) return info.Env().Undefined();
  const size_t n = g.lengthOf(2);
  const float* x = g.f32(1, n);
  float* out = g.f32(2, n);
  if (g.failed) return info.Env().Undefined();
  ibl::unary(op, x, out, n, static_cast<float>(alpha));
  return info.Env().Undefined();
}

// select(cond, t, e, out)
Napi::Value Select(const Napi::CallbackInfo& info) {
  Args g(info);
  float* out = g.f32(3, 0);
  if (g.failed) return info.Env().Undefined();
  const size_t n = g.lengthOf(3);
  const uint8_t* c = g.u8(0, n);
  const float* t = g.f32(1, n);
  const float* e = g.f32(2, n);
  if (g.failed) return info.Env().Undefined();
  ibl::select(c, t, e, out, n);
  return info.Env().Undefined();
}

// addN([x0, x1, ...], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Args g(info);
  float* out = g.f32(1, 0);
  if (g.failed) return info.Env().Undefined();
  if (!info[0].IsArray()) { g.fail("expected an array of Float32Arrays", 0); return info.Env().Undefined(); }
  const size_t n = g.lengthOf(1);
  auto list = info[0].As<Napi::Array>();
  std::vector<const float*> xs;
  for (uint32_t j = 0; j < list.Length(); j++) {
    Napi::Value v = list.Get(j);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        v.As<Napi::Float32Array>().ElementLength() < n) {
      g.fail("array element is not a long enough Float32Array", 0);
      return info.Env().Undefined();
    }
    xs.push_back(v.As<Napi::Float32Array>().Data());
  }
  if (xs.empty()) { g.fail("empty list", 0); return info.Env().Undefined(); }
  ibl::addN(xs.data(), static_cast<int>(xs.size()), out, n);
  return info.Env().Undefined();
}

// axpy(x, y, alpha, out): out = x + alpha·y
Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args g(info);
  const double alpha = g.num(2);
  float* out = g.f32(3, 0);
  if (g.failed) return info.Env().Undefined();
  const size_t n = g.lengthOf(3);
  const float* x = g.f32(0, n);
  const float* y = g.f32(1, n);
  if (g.failed) return info.Env().Undefined();
  ibl::axpy(x, y, static_cast<float>(alpha), out, n);
  return info.Env().Undefined();
}

// reduce(op, x, out, outer, r, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args g(info);
  const int op = static_cast<int>(g.count(0));
  const int64_t outer = g.count(3), r = g.count(4), inner = g.count(5);
  if (g.failed) return info.Env().Undefined();
  const float* x = g.f32(1, outer * r * inner);
  float* out = g.f32(2, outer * inner);
  if (g.failed) return info.Env().Undefined();
  ibl::reduce(op, x, out, outer, r, inner);
  return info.Env().Undefined();
}

bool readInts(Args& g, size_t i, int* dst, size_t want) {
  size_t len = 0;
  const int32_t* v = g.i32(i, &len);
  if (g.failed) return false;
  if (len != want) { g.fail("wrong geometry length", i); return false; }
  for (size_t j = 0; j < want; j++) dst[j] = v[j];
  return true;
}

bool readConvGeometry(Args& g, size_t i, ibl::ConvGeometry* geo) {
  int v[15];
  if (!readInts(g, i, v, 15)) return false;
  *geo = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  for (int j = 0; j < 13; j++) if (v[j] < 0 || (j >= 9 && v[j] < 1)) { g.fail("invalid conv geometry", i); return false; }
  return true;
}

size_t convIn(const ibl::ConvGeometry& c) { return static_cast<size_t>(c.batch) * c.inH * c.inW * c.inC; }
size_t convOut(const ibl::ConvGeometry& c) { return static_cast<size_t>(c.batch) * c.outH * c.outW * c.outC; }
size_t convFilter(const ibl::ConvGeometry& c) { return static_cast<size_t>(c.filterH) * c.filterW * c.inC * c.outC; }

// conv2d(geometry, x, w, y) / conv2dBackpropInput(geometry, dy, w, dx) / conv2dBackpropFilter(geometry, x, dy, dw)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Args g(info);
  ibl::ConvGeometry c;
  if (!readConvGeometry(g, 0, &c)) return info.Env().Undefined();
  const float* x = g.f32(1, convIn(c));
  const float* w = g.f32(2, convFilter(c));
  float* y = g.f32(3, convOut(c));
  if (g.failed) return info.Env().Undefined();
  ibl::conv2d(c, x, w, y);
  return info.Env().Undefined();
}
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  Args g(info);
  ibl::ConvGeometry c;
  if (!readConvGeometry(g, 0, &c)) return info.Env().Undefined();
  const float* dy = g.f32(1, convOut(c));
  const float* w = g.f32(2, convFilter(c));
  float* dx = g.f32(3, convIn(c));
  if (g.failed) return info.Env().Undefined();
  ibl::conv2dBackpropInput(c, dy, w, dx);
  return info.Env().Undefined();
}
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  Args g(info);
  ibl::ConvGeometry c;
  if (!readConvGeometry(g, 0, &c)) return info.Env().Undefined();
  const float* x = g.f32(1, convIn(c));
  const float* dy = g.f32(2, convOut(c));
  float* dw = g.f32(3, convFilter(c));
  if (g.failed) return info.Env().Undefined();
  ibl::conv2dBackpropFilter(c, x, dy, dw);
  return info.Env().Undefined();
}

bool readPoolGeometry(Args& g, size_t i, ibl::PoolGeometry* geo) {
  int v[12];
  if (!readInts(g, i, v, 12)) return false;
  *geo = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  for (int j = 0; j < 12; j++) if (v[j] < 0 || ((j == 8 || j == 9) && v[j] < 1)) { g.fail("invalid pool geometry", i); return false; }
  return true;
}
size_t poolIn(const ibl::PoolGeometry& p) { return static_cast<size_t>(p.batch) * p.inH * p.inW * p.channels; }
size_t poolOut(const ibl::PoolGeometry& p) { return static_cast<size_t>(p.batch) * p.outH * p.outW * p.channels; }

// pool(kind, geometry, x, y): kind 0 max, 1 avg
Napi::Value Pool(const Napi::CallbackInfo& info) {
  Args g(info);
  const int kind = static_cast<int>(g.count(0));
  ibl::PoolGeometry p;
  if (!readPoolGeometry(g, 1, &p)) return info.Env().Undefined();
  const float* x = g.f32(2, poolIn(p));
  float* y = g.f32(3, poolOut(p));
  if (g.failed) return info.Env().Undefined();
  if (kind == 0) ibl::maxPool(p, x, y); else ibl::avgPool(p, x, y);
  return info.Env().Undefined();
}
// maxPoolGrad(geometry, dy, x, dx) / avgPoolGrad(geometry, dy, dx)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  Args g(info);
  ibl::PoolGeometry p;
  if (!readPoolGeometry(g, 0, &p)) return info.Env().Undefined();
  const float* dy = g.f32(1, poolOut(p));
  const float* x = g.f32(2, poolIn(p));
  float* dx = g.f32(3, poolIn(p));
  if (g.failed) return info.Env().Undefined();
  ibl::maxPoolGrad(p, dy, x, dx);
  return info.Env().Undefined();
}
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  Args g(info);
  ibl::PoolGeometry p;
  if (!readPoolGeometry(g, 0, &p)) return info.Env().Undefined();
  const float* dy = g.f32(1, poolOut(p));
  float* dx = g.f32(2, poolIn(p));
  if (g.failed) return info.Env().Undefined();
  ibl::avgPoolGrad(p, dy, dx);
  return info.Env().Undefined();
}

// setBlasThreads(maxThreads (0 = all), matMulMinFlopsForAllThreads, convMinFlopsForAllThreads, splitMatMul)
Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  Args g(info);
  const int64_t t = g.count(0);
  const double matMul = g.num(1);
  const double conv = g.num(2);
  const bool split = g.flag(3);
  if (g.failed) return info.Env().Undefined();
  ibl::setBlasThreadLimit(static_cast<int>(t), matMul, conv, split);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("stridedCopy", Napi::Function::New(env, StridedCopy));
  exports.Set("select", Napi::Function::New(env, Select));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("axpy", Napi::Function::New(env, Axpy));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  exports.Set("blas", Napi::String::New(env, ibl::blasInfo()));
  ibl::registerBatchNorm(env, exports);
  ibl::registerActivationGrad(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ibl_native, Init)
