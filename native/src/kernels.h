// Kernels of the `native` TF.js backend: plain loops and BLAS calls on float32 buffers owned by
// the cpu backend (no copies). Every function here is called synchronously from JS; none keeps a
// pointer after it returns.
#pragma once
#include <cstdint>
#include <cstddef>

namespace ibl {

// --- gemm.cc: C = op(A)·op(B), row-major, with a per-batch offset table (batch broadcasting).
void batchMatMul(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB,
                 const int32_t* aOffsets, const int32_t* bOffsets, int batch);
// Row-major sgemm with beta (used by conv): C = alpha·op(A)·op(B) + beta·C.
void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc);
// Threads the BLAS may use for a product of this size (1 for small products: a spinning BLAS
// worker competes with the JS thread; see README "Native backend"), with one threshold per caller.
enum GemmKind { kMatMulGemm = 0, kConvGemm = 1 };
void setThreadsFor(double flops, GemmKind kind);
void setBlasThreadLimit(int threads, double matMulMinFlops, double convMinFlops, bool splitMatMul);
void useOneBlasThread();
const char* blasInfo();

// --- elementwise.cc
enum BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kSquaredDiff, kEqual, kNotEqual, kGreater, kGreaterEqual,
                kLess, kLessEqual };
// out[i] = a[.] op b[.] over `rank` (collapsed) dims with per-dim strides (0 = broadcast).
void binary(int op, const float* a, const float* b, void* out, bool boolOut, const int32_t* shape,
            const int32_t* aStrides, const int32_t* bStrides, int rank);
enum UnaryOp { kRelu, kExp, kLog, kNeg, kSquare, kSqrt, kStep, kAbs, kRsqrt, kSigmoid, kTanh, kReciprocal, kRelu6 };
void unary(int op, const float* x, float* out, size_t n, float alpha);
void select(const uint8_t* cond, const float* t, const float* e, float* out, size_t n);
void addN(const float* const* xs, int count, float* out, size_t n);
// out = x + alpha·y, rounded like the two float32 ops alpha·y then x + (…).
void axpy(const float* x, const float* y, float alpha, float* out, size_t n);

// out (contiguous, `rank` dims of `shape`) = x read with per-dim element strides: Transpose.
void stridedCopy(const float* x, float* out, const int32_t* shape, const int32_t* strides, int rank);

// --- reduce.cc: x viewed as [outer, r, inner], reduced over r.
enum ReduceOp { kSum, kMaxR, kMinR, kMean };
void reduce(int op, const float* x, float* out, size_t outer, size_t r, size_t inner);

// --- conv.cc (NHWC, filter [fh, fw, ci, co])
struct ConvGeometry {
  int batch, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
};
void conv2d(const ConvGeometry& g, const float* x, const float* w, float* y);
void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw);
// --- directConv.cc: the same three without im2col, for few channels (conv.cc chooses).
bool directConvSupported();
void directConv2d(const ConvGeometry& g, const float* x, const float* w, float* y);
void directConv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void directConv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw);

// --- pool.cc (NHWC): in-bounds windows; avg divides by the in-bounds count.
struct PoolGeometry {
  int batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft;
};
void maxPool(const PoolGeometry& g, const float* x, float* y);
void avgPool(const PoolGeometry& g, const float* x, float* y);
void maxPoolGrad(const PoolGeometry& g, const float* dy, const float* x, float* dx);
void avgPoolGrad(const PoolGeometry& g, const float* dy, float* dx);

}  // namespace ibl
