// Matrix products through the CBLAS interface of whatever BLAS the build linked (OpenBLAS on
// Debian, via pkg-config). The prototypes are declared here rather than taken from cblas.h, whose
// location differs between BLAS packages; the enum values are fixed by the CBLAS standard.
#include "kernels.h"
#include <dlfcn.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

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
// One threshold per kind of caller (ibl::GemmKind): the MLP's batch-128 products gain from a
// second thread at sizes where the conv kernels' chunked GEMMs lose (README "Native backend").
double minFlopsForAllThreads[2] = {5e7, 3e8};  // set again at registration (nativeBackend.ts)
// Whether a matMul at or above its threshold runs as two single-threaded halves on threads started
// for the call (splitSgemm) rather than on OpenBLAS's own threads, which spin between calls.
bool splitProducts = true;
int currentThreads = -1;
}  // namespace

namespace ibl {

void setBlasThreadLimit(int threads, double matMulMinFlops, double convMinFlops, bool splitMatMul) {
  threadLimit = threads;
  splitProducts = splitMatMul;
  minFlopsForAllThreads[kMatMulGemm] = matMulMinFlops;
  minFlopsForAllThreads[kConvGemm] = convMinFlops;
}

void setThreadsFor(double flops, GemmKind kind) {
  SetThreads set = setThreadsFn();
  if (!set) return;
  int all = threadLimit > 0 ? std::min(threadLimit, maxThreads()) : maxThreads();
  int want = flops >= minFlopsForAllThreads[kind] ? all : 1;
  if (want != currentThreads) {
    set(want);
    currentThreads = want;
  }
}

void useOneBlasThread() {
  SetThreads set = setThreadsFn();
  if (set && currentThreads != 1) {
    set(1);
    currentThreads = 1;
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

// One product split in two halves of C (rows when m ≥ n, else columns), each a single-threaded
// sgemm, the second on a thread started for the call. Unlike OpenBLAS's own threads, nothing spins
// between calls, so the JS thread keeps its core (README "Native backend", threads).
static void splitSgemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                float* c, int ldc) {
  ibl::useOneBlasThread();
  std::thread second;
  if (m >= n) {
    const int m0 = m / 2;
    const float* a1 = transA ? a + m0 : a + static_cast<size_t>(m0) * lda;
    try {
      second = std::thread(ibl::sgemm, transA, transB, m - m0, n, k, 1.0f, a1, lda, b, ldb, 0.0f, c + static_cast<size_t>(m0) * ldc, ldc);
    } catch (...) {
      ibl::sgemm(transA, transB, m - m0, n, k, 1.0f, a1, lda, b, ldb, 0.0f, c + static_cast<size_t>(m0) * ldc, ldc);
    }
    ibl::sgemm(transA, transB, m0, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  } else {
    const int n0 = n / 2;
    const float* b1 = transB ? b + static_cast<size_t>(n0) * ldb : b + n0;
    try {
      second = std::thread(ibl::sgemm, transA, transB, m, n - n0, k, 1.0f, a, lda, b1, ldb, 0.0f, c + n0, ldc);
    } catch (...) {
      ibl::sgemm(transA, transB, m, n - n0, k, 1.0f, a, lda, b1, ldb, 0.0f, c + n0, ldc);
    }
    ibl::sgemm(transA, transB, m, n0, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  }
  if (second.joinable()) second.join();
}

void batchMatMul(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB,
                 const int32_t* aOffsets, const int32_t* bOffsets, int batch) {
  if (m == 0 || n == 0) return;
  const size_t mn = static_cast<size_t>(m) * n;
  if (k == 0) {
    std::fill(c, c + mn * batch, 0.0f);
    return;
  }
  const double flops = 2.0 * m * n * k;
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  const int all = threadLimit > 0 ? std::min(threadLimit, maxThreads()) : maxThreads();
  if (splitProducts && flops >= minFlopsForAllThreads[kMatMulGemm] && all >= 2 && std::max(m, n) >= 2) {
    for (int i = 0; i < batch; i++) splitSgemm(transA, transB, m, n, k, a + aOffsets[i], lda, b + bOffsets[i], ldb, c + mn * i, n);
    return;
  }
  setThreadsFor(flops, kMatMulGemm);
  for (int i = 0; i < batch; i++) {
    sgemm(transA, transB, m, n, k, 1.0f, a + aOffsets[i], lda, b + bOffsets[i], ldb, 0.0f, c + mn * i, n);
  }
}

}  // namespace ibl

