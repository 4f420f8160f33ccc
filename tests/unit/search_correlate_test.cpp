// The proxy study's statistics against hand-computed values, its bootstrap, and the sampled policies.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "search/correlate.h"
#include "search/policy_stats.h"

using namespace aws;

TEST_CASE("correlate: Pearson and Kendall's tau-b on hand-computed cases") {
  // x = 1..5, y = 2,4,5,4,5: Pearson = 6 / sqrt(10 · 6) = 0.7745966692
  CHECK(pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}) == doctest::Approx(6.0 / std::sqrt(60.0)).epsilon(1e-12));
  CHECK(pearson({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  CHECK(pearson({1, 1, 1}, {1, 2, 3}) == 0.0);  // undefined → 0
  // A monotone but non-linear relation has τ = 1; reversed, −1.
  CHECK(kendall_tau_b({1, 2, 3, 4}, {1, 8, 27, 64}) == doctest::Approx(1.0));
  CHECK(kendall_tau_b({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1.0));
  // x = 1..4, y = 1,3,2,4: 5 concordant, 1 discordant of 6 pairs → 4/6.
  CHECK(kendall_tau_b({1, 2, 3, 4}, {1, 3, 2, 4}) == doctest::Approx(4.0 / 6.0).epsilon(1e-12));
  // Ties in y: x = 1..4, y = 0,5,5,9: C = 5, D = 0, ties in y only: 1 → 5 / sqrt(6 · 5) (scipy's tau-b).
  CHECK(kendall_tau_b({1, 2, 3, 4}, {0, 5, 5, 9}) == doctest::Approx(5.0 / std::sqrt(30.0)).epsilon(1e-12));
}

TEST_CASE("correlate: bootstrap intervals bracket the statistic, shrink with n, repeat with the seed") {
  const uint64_t seed = 11;
  INFO("seed " << seed);
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(i + 25.0 * std::sin(i * 1.7));  // a noisy increasing relation
  }
  const auto ci = bootstrap_ci(x, y, pearson, 500, seed);
  const double r = pearson(x, y);
  CHECK(ci.first < r);
  CHECK(r < ci.second);
  CHECK(ci.second - ci.first < 0.5);
  CHECK(bootstrap_ci(x, y, pearson, 500, seed) == ci);
  const std::vector<double> xs(x.begin(), x.begin() + 12), ys(y.begin(), y.begin() + 12);
  const auto small = bootstrap_ci(xs, ys, pearson, 500, seed);
  CHECK(small.second - small.first > ci.second - ci.first);
}

TEST_CASE("correlate: the summary's paired test and noise ceiling") {
  std::vector<double> truth, good, noise, truth2;
  for (int i = 0; i < 30; ++i) {
    truth.push_back(i);
    good.push_back(i + 0.5 * std::cos(i * 2.3));   // nearly the truth's order
    noise.push_back(std::sin(i * 12.9898) * 10);    // unrelated
    if (i < 10) truth2.push_back(i + std::sin(i * 3.1));
  }
  const auto s = correlation_summary({{"GOOD", good}, {"NOISE", noise}}, truth, truth2, 400, 3);
  CHECK(s["GOOD"]["kendall"]["value"].get<double>() > 0.9);
  CHECK(std::abs(s["NOISE"]["kendall"]["value"].get<double>()) < 0.4);
  REQUIRE(s["paired"].size() == 1);
  CHECK(s["paired"][0]["excludes_zero"].get<bool>());
  CHECK(s["paired"][0]["ci95"][0].get<double>() > 0);
  CHECK(s["noise_ceiling"]["policies"].get<size_t>() == 10);
  CHECK(s["noise_ceiling"]["pearson"]["value"].get<double>() == doctest::Approx(
                                                                    pearson({truth.begin(), truth.begin() + 10}, truth2)));
}

TEST_CASE("correlate: sampled policies as the search meets them (θ ~ N(0, s²) and sparse sets), seeded") {
  for (int n = 0; n < 12; ++n) {
    INFO("policy " << n);
    std::string kind;
    const Policy p = correlate_policy(n, 3, &kind);
    REQUIRE(p.probs.size() == size_t(kPairs));
    CHECK(std::accumulate(p.probs.begin(), p.probs.end(), 0.0) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(correlate_policy(n, 3).probs == p.probs);
    CHECK(correlate_policy(n, 4).probs != p.probs);
    int nonzero = 0;
    for (double v : p.probs) nonzero += v > 0;
    const int k = n % 6;
    if (k >= 3) {
      const int m = k == 3 ? 8 : k == 4 ? 32 : 128;
      CHECK(nonzero == m);
      CHECK(kind == "sparse-" + std::to_string(m));
    } else {
      CHECK(nonzero == kPairs);
      CHECK(kind.rfind("theta-s", 0) == 0);
    }
  }
  // Larger s, farther from uniform: KL grows from s = 0.5 to 2 (about s²/2 for small s).
  const double kl05 = kl_to_uniform(correlate_policy(0, 3).probs), kl2 = kl_to_uniform(correlate_policy(2, 3).probs);
  CHECK(kl05 == doctest::Approx(0.125).epsilon(0.15));
  CHECK(kl2 > 4 * kl05);
}
