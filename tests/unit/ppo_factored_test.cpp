// The factored parameterization's probabilities (SPEC §8a: p(i, j) = p₁(i)·p₂(j | i)) against a
// direct computation, their sums and marginals; the --controller names; and draw_pair_counts (the
// sparse mode's i.i.d. draw of M pairs from p): its frequencies against p, its determinism and its
// prefix property.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "search/ppo.h"
#include "tests/support/oracle.h"

using namespace aws;

TEST_CASE("ppo factored: p(i, j) = p1(i)·p2(j|i) sums to 1, its first-element marginal is p1") {
  const uint64_t seed = test::test_seed(51);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N01(0, 1);
  const int E = 36, n = E * E;
  CHECK(ppo_elements(n) == E);
  CHECK(ppo_theta_size(Parameterization::factored, n) == 36 + 1296);
  CHECK(ppo_theta_size(Parameterization::flat, n) == 1296);
  std::vector<double> theta(E + n);
  for (double& v : theta) v = 2.0 * N01(rng);
  std::vector<double> p(n);
  ppo_probs(Parameterization::factored, theta.data(), n, p.data());
  double total = 0;
  for (int i = 0; i < E; ++i) {
    // Direct: p1(i) = σ(θ1_i)/Σσ(θ1), p2(j|i) = σ(θ2_ij)/Σ_j σ(θ2_ij).
    double s1 = 0, s2 = 0, marginal = 0;
    for (int a = 0; a < E; ++a) s1 += 1.0 / (1.0 + std::exp(-theta[a]));
    for (int j = 0; j < E; ++j) s2 += 1.0 / (1.0 + std::exp(-theta[E + i * E + j]));
    const double p1 = 1.0 / (1.0 + std::exp(-theta[i])) / s1;
    for (int j = 0; j < E; ++j) {
      const double want = p1 * (1.0 / (1.0 + std::exp(-theta[E + i * E + j])) / s2);
      CHECK(p[i * E + j] == doctest::Approx(want).epsilon(1e-13));
      marginal += p[i * E + j];
    }
    CHECK(marginal == doctest::Approx(p1).epsilon(1e-13));
    total += marginal;
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-14));
  // θ = 0 is uniform in both parameterizations.
  std::vector<double> zero(E + n, 0.0), pf(n), pl(n);
  ppo_probs(Parameterization::factored, zero.data(), n, pf.data());
  ppo_probs(Parameterization::flat, zero.data(), n, pl.data());
  for (int k = 0; k < n; ++k) {
    CHECK(pf[k] == doctest::Approx(1.0 / n).epsilon(1e-14));
    CHECK(pl[k] == doctest::Approx(1.0 / n).epsilon(1e-14));
  }
  // Flat sums to 1 as well at a random θ.
  ppo_probs(Parameterization::flat, theta.data() + E, n, pl.data());
  double sf = 0;
  for (double v : pl) sf += v;
  CHECK(sf == doctest::Approx(1.0).epsilon(1e-14));
}

TEST_CASE("ppo factored: the names of --controller") {
  CHECK(parse_parameterization("flat") == Parameterization::flat);
  CHECK(parse_parameterization("factored") == Parameterization::factored);
  CHECK(std::string(parameterization_name(Parameterization::flat)) == "flat");
  CHECK(std::string(parameterization_name(Parameterization::factored)) == "factored");
  try {
    parse_parameterization("Flat");
    FAIL("accepted 'Flat'");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) == "--controller: unknown parameterization 'Flat' (flat, factored or product)");
  }
  CHECK(ppo_elements(1295) == -1);
  CHECK(ppo_elements(1) == 1);
  CHECK(ppo_elements(0) == -1);
}

TEST_CASE("draw_pair_counts: frequencies match p (chi-square), deterministic, prefix-stable") {
  const uint64_t seed = test::test_seed(61);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> Exp(1.0);
  const int n = 200;
  std::vector<double> p(n);
  for (double& v : p) v = Exp(rng);
  for (int k = 0; k < n; k += 17) p[k] = 0.0;  // some impossible pairs (the last one too)
  p[n - 1] = 0.0;
  double sum = 0;
  for (double v : p) sum += v;
  const int64_t M = 200000;
  const RngKey key{seed, 7, 3, 1, 0, 0};
  const std::vector<int64_t> c = draw_pair_counts(p, M, key);  // p unnormalized: normalized inside
  REQUIRE(c.size() == size_t(n));
  int64_t total = 0;
  double chi2 = 0;
  int df = -1;
  for (int k = 0; k < n; ++k) {
    total += c[k];
    if (p[k] == 0) {
      CHECK(c[k] == 0);
      continue;
    }
    const double e = double(M) * p[k] / sum;
    chi2 += (double(c[k]) - e) * (double(c[k]) - e) / e;
    ++df;
  }
  CHECK(total == M);
  // χ² with df degrees of freedom has mean df and SD √(2·df); 5 SD is a 3e-6-ish false alarm.
  MESSAGE("chi-square ", chi2, " with ", df, " degrees of freedom");
  CHECK(chi2 < df + 5.0 * std::sqrt(2.0 * df));
  CHECK(chi2 > df - 5.0 * std::sqrt(2.0 * df));
  // A pure function of (p, M, key); another key gives other counts; the first M' draws are a prefix.
  CHECK(draw_pair_counts(p, M, key) == c);
  CHECK(draw_pair_counts(p, M, RngKey{seed, 7, 3, 2, 0, 0}) != c);
  const std::vector<int64_t> c1 = draw_pair_counts(p, 1000, key);
  for (int k = 0; k < n; ++k) CHECK(c1[k] <= c[k]);
  CHECK(draw_pair_counts(p, 0, key) == std::vector<int64_t>(n, 0));
  // A point mass is always drawn.
  std::vector<double> one(n, 0.0);
  one[42] = 3.0;
  CHECK(draw_pair_counts(one, 50, key)[42] == 50);
}
