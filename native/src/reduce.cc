// Reductions over the middle axis of [outer, r, inner]. Sums accumulate in double, in index
// order, like the cpu kernel (a JS number accumulator), so results match it to float32 rounding.
#include "kernels.h"
#include <cmath>
#include <limits>
#include <vector>

namespace ibl {

void reduce(int op, const float* x, float* out, size_t outer, size_t r, size_t inner) {
  std::vector<double> acc(inner);
  for (size_t o = 0; o < outer; o++) {
    const float* base = x + o * r * inner;
    float* dst = out + o * inner;
    if (op == kSum || op == kMean) {
      // Mean: the cpu kernel divides every element by r in float32, then sums.
      const float rf = static_cast<float>(r);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t j = 0; j < r; j++) {
        const float* row = base + j * inner;
        if (op == kMean) {
          for (size_t i = 0; i < inner; i++) acc[i] += row[i] / rf;
        } else {
          for (size_t i = 0; i < inner; i++) acc[i] += row[i];
        }
      }
      for (size_t i = 0; i < inner; i++) dst[i] = static_cast<float>(acc[i]);
    } else {
      const bool isMax = op == kMaxR;
      // cpu: the first element starts the running value; NaN is taken and kept (isNaN || v > m).
      if (r == 0) {
        for (size_t i = 0; i < inner; i++) dst[i] = isMax ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
        continue;
      }
      for (size_t i = 0; i < inner; i++) dst[i] = base[i];
      for (size_t j = 1; j < r; j++) {
        const float* row = base + j * inner;
        for (size_t i = 0; i < inner; i++) {
          const float v = row[i];
          const float m = dst[i];
          if (isMax ? (v != v || v > m) : (v != v || v < m)) dst[i] = v;
        }
      }
    }
  }
}

}  // namespace ibl
