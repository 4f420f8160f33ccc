// Normalization statistics (see normalize.h): exact integer sums of v and v², one pass.
#include "engine/data/normalize.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace aws {

Normalization compute_normalization(const Dataset& d, const std::vector<int32_t>& indices) {
  AWS_ASSERT(d.c >= 1 && d.c <= 3, "compute_normalization: 1 to 3 channels");
  AWS_ASSERT(d.images.size() == size_t(d.n) * d.image_bytes(), "compute_normalization: the pixels are not resident");
  if (indices.empty()) throw UserError(d.name + ": normalization over an empty set of images");
  const int c = d.c;
  const int64_t px = int64_t(d.h) * d.w;
  const int64_t m = int64_t(indices.size());
  for (int32_t i : indices)
    if (i < 0 || i >= d.n)
      throw UserError(d.name + ": index " + std::to_string(i) + " outside the dataset's " +
                      std::to_string(d.n) + " images");
  // Per channel, m·h·w < 2^40 keeps Σv and Σv² within uint64 (255² · 2^40 < 2^56).
  AWS_ASSERT(m * px < (int64_t(1) << 40), "compute_normalization: too many pixels");
  uint64_t sum[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
#pragma omp parallel
  {
    uint64_t ls[3] = {0, 0, 0}, lq[3] = {0, 0, 0};
#pragma omp for schedule(static)
    for (int64_t j = 0; j < m; ++j) {
      const uint8_t* p = d.image(indices[size_t(j)]);
      for (int64_t q = 0; q < px; ++q)
        for (int ch = 0; ch < c; ++ch) {
          uint64_t v = p[q * c + ch];
          ls[ch] += v;
          lq[ch] += v * v;
        }
    }
#pragma omp critical
    for (int ch = 0; ch < c; ++ch) {
      sum[ch] += ls[ch];
      sq[ch] += lq[ch];
    }
  }
  Normalization nz;
  const uint64_t count = uint64_t(m) * uint64_t(px);
  for (int ch = 0; ch < c; ++ch) {
    // var·count² = count·Σv² − (Σv)², exact in 128 bits (≤ 2^40 · 2^56).
    unsigned __int128 num = (unsigned __int128)count * sq[ch] - (unsigned __int128)sum[ch] * sum[ch];
    double var = double(num) / (double(count) * double(count));
    nz.mean[ch] = float(double(sum[ch]) / double(count) / 255.0);
    nz.std[ch] = float(std::sqrt(var) / 255.0);
  }
  return nz;
}

}  // namespace aws
