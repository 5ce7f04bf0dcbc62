// Matrix products through the CBLAS interface of whatever BLAS the build linked (OpenBLAS on
// Debian, via pkg-config). The prototypes are declared here rather than taken from cblas.h, whose
// location differs between BLAS packages; the enum values are fixed by the CBLAS standard.
#include "kernels.h"
#include <dlfcn.h>
#include <algorithm>

extern "C" void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);

namespace {
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

// openblas_set_num_threads / openblas_get_num_threads exist only in OpenBLAS: looked up at run
// time so that any CBLAS links (then the thread policy is the library's own).
using SetThreads = void (*)(int);
using GetThreads = int (*)();
SetThreads setThreadsFn() {
  static SetThreads fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return fn;
}
int maxThreads() {
  static int n = [] {
    auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    return get ? get() : 1;
  }();
  return n;
}
int threadLimit = 0;              // 0: all the library's threads
double minFlopsForAllThreads = 3e8;
int currentThreads = -1;
}  // namespace

namespace ibl {

void setBlasThreadLimit(int threads, double minFlops) {
  threadLimit = threads;
  minFlopsForAllThreads = minFlops;
}

void setThreadsFor(double flops) {
  SetThreads set = setThreadsFn();
  if (!set) return;
  int all = threadLimit > 0 ? std::min(threadLimit, maxThreads()) : maxThreads();
  int want = flops >= minFlopsForAllThreads ? all : 1;
  if (want != currentThreads) {
    set(want);
    currentThreads = want;
  }
}

const char* blasInfo() {
  return setThreadsFn() ? "OpenBLAS (cblas_sgemm; thread count set per call)" : "CBLAS (cblas_sgemm; library's own threading)";
}

void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(kRowMajor, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, m, n, k, alpha, a,
              std::max(lda, 1), b, std::max(ldb, 1), beta, c, std::max(ldc, 1));
}

void batchMatMul(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB,
                 const int32_t* aOffsets, const int32_t* bOffsets, int batch) {
  if (m == 0 || n == 0) return;
  const size_t mn = static_cast<size_t>(m) * n;
  if (k == 0) {
    std::fill(c, c + mn * batch, 0.0f);
    return;
  }
  setThreadsFor(2.0 * m * n * k);
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  for (int i = 0; i < batch; i++) {
    sgemm(transA, transB, m, n, k, 1.0f, a + aOffsets[i], lda, b + bOffsets[i], ldb, 0.0f, c + mn * i, n);
  }
}

}  // namespace ibl
