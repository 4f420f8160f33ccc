// Policy arithmetic: the integer cumulative table used for sampling, entropy and top-k.
#include "augment/policy.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace aws {

int cutout_side(int cutout32, int h, int w) {
  if (cutout32 <= 0) return 0;
  return int(std::lround(double(cutout32) * std::sqrt(double(h) * double(w)) / 32.0));
}

std::vector<uint64_t> make_cdf(const std::vector<double>& probs) {
  AWS_ASSERT(!probs.empty(), "make_cdf: empty distribution");
  double total = 0;
  for (double p : probs) total += p;
  AWS_ASSERT(total > 0, "make_cdf: distribution sums to zero");
  std::vector<uint64_t> cdf(probs.size());
  const double scale = 4294967296.0 / total;
  double acc = 0;
  for (size_t k = 0; k < probs.size(); ++k) {
    acc += probs[k];
    double v = std::nearbyint(acc * scale);
    cdf[k] = uint64_t(std::min(v, 4294967296.0));
  }
  // The last non-empty entry closes the table, so every 32-bit draw lands somewhere.
  size_t last = probs.size() - 1;
  while (last > 0 && probs[last] == 0) --last;
  for (size_t k = last; k < probs.size(); ++k) cdf[k] = 4294967296ull;
  return cdf;
}

double policy_entropy(const std::vector<double>& probs) {
  double h = 0;
  for (double p : probs)
    if (p > 0) h -= p * std::log(p);
  return h;
}

std::vector<std::pair<int, double>> policy_top(const std::vector<double>& probs, int k) {
  std::vector<std::pair<int, double>> v;
  v.reserve(probs.size());
  for (size_t i = 0; i < probs.size(); ++i) v.emplace_back(int(i), probs[i]);
  k = std::clamp(k, 0, int(v.size()));
  std::partial_sort(v.begin(), v.begin() + k, v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  v.resize(size_t(k));
  return v;
}

}  // namespace aws
