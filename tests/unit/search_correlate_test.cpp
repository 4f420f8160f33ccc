// Correlation statistics of the proxy study against hand-computed values, and the sampled policies.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "search/correlate.h"

using namespace aws;

TEST_CASE("correlate: Pearson and Spearman on hand-computed cases") {
  // x = 1..5, y = 2,4,5,4,5: Pearson = 6 / sqrt(10 · 6) = 0.7745966692
  CHECK(pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}) == doctest::Approx(6.0 / std::sqrt(60.0)).epsilon(1e-12));
  CHECK(pearson({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  // Spearman of a monotone but non-linear relation is 1.
  CHECK(spearman({1, 2, 3, 4}, {1, 8, 27, 64}) == doctest::Approx(1.0));
  // Ties get average ranks: y ranks (1, 2.5, 2.5, 4) vs x ranks 1..4 → 4.5 / sqrt(5 · 4.5)
  CHECK(spearman({1, 2, 3, 4}, {0, 5, 5, 9}) == doctest::Approx(4.5 / std::sqrt(5.0 * 4.5)).epsilon(1e-12));
  CHECK(pearson({1, 1, 1}, {1, 2, 3}) == 0.0);  // undefined → 0
}

TEST_CASE("correlate: sampled policies are sparse, seeded, and span harmful to benign") {
  for (int n : {0, 7, 15}) {
    INFO("policy " << n);
    double share = -1;
    Policy p = correlate_policy(n, 16, 3, &share);
    CHECK(p.probs.size() == size_t(kPairs));
    int nonzero = 0;
    for (double v : p.probs) nonzero += v > 0;
    CHECK(nonzero == 8);
    CHECK(std::accumulate(p.probs.begin(), p.probs.end(), 0.0) == doctest::Approx(1.0));
    CHECK(share == doctest::Approx(std::lround(8.0 * n / 15) / 8.0));
    CHECK(correlate_policy(n, 16, 3).probs == p.probs);
  }
  CHECK(correlate_policy(5, 16, 3).probs != correlate_policy(5, 16, 4).probs);
}
