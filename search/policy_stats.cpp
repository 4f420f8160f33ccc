// See policy_stats.h.
#include "search/policy_stats.h"

#include <cmath>
#include <set>

#include "augment/elements.h"
#include "augment/policy.h"
#include "core/error.h"

namespace aws {

double kl_to_uniform(const std::vector<double>& p) {
  return std::log(double(p.size())) - policy_entropy(p);
}

std::vector<double> element_marginals(const std::vector<double>& p) {
  AWS_ASSERT(int(p.size()) == kPairs, "element_marginals: expected 1296 pair probabilities");
  std::vector<double> m(kElements, 0.0);
  for (int i = 0; i < kElements; ++i)
    for (int j = 0; j < kElements; ++j) {
      const double v = p[size_t(i * kElements + j)] / 2;
      m[size_t(i)] += v;
      m[size_t(j)] += v;
    }
  return m;
}

double element_pair_mass(const std::vector<double>& p, int element) {
  AWS_ASSERT(int(p.size()) == kPairs && element >= 0 && element < kElements, "element_pair_mass: bad input");
  double s = 0;
  for (int i = 0; i < kElements; ++i)
    for (int j = 0; j < kElements; ++j)
      if (i == element || j == element) s += p[size_t(i * kElements + j)];
  return s;
}

double uniform_element_pair_share() { return double(2 * kElements - 1) / double(kPairs); }

double top_overlap(const std::vector<double>& p, const std::vector<double>& q, int k) {
  std::set<int> a;
  for (auto [pair, v] : policy_top(p, k)) a.insert(pair);
  int both = 0;
  for (auto [pair, v] : policy_top(q, k)) both += int(a.count(pair));
  return double(both) / double(k);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2 || y.size() != x.size()) return 0;
  const double n = double(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

nlohmann::json policy_figures(const std::vector<double>& p, int element) {
  nlohmann::json j{{"entropy", policy_entropy(p)}, {"kl_uniform", kl_to_uniform(p)},
                   {"marginals", element_marginals(p)}};
  if (element >= 0) {
    const double m = element_pair_mass(p, element);
    j["element"] = element_info(element).name;
    j["element_pair_mass"] = m;
    j["element_pair_mass_over_uniform"] = m / uniform_element_pair_share();
  }
  return j;
}

nlohmann::json policy_agreement(const std::vector<double>& p, const std::vector<double>& q) {
  std::vector<double> lp(p.size()), lq(q.size());
  for (size_t i = 0; i < p.size(); ++i) lp[i] = std::log(p[i]), lq[i] = std::log(q[i]);
  return {{"marginals_pearson", pearson(element_marginals(p), element_marginals(q))},
          {"log_p_pearson", pearson(lp, lq)},
          {"top10_overlap", top_overlap(p, q, 10)},
          {"top50_overlap", top_overlap(p, q, 50)}};
}

}  // namespace aws
