// Figures that say whether a searched policy differs from noise (issue: "a search that finds
// something"): entropy and KL to uniform, per-element marginals, the mass on the pairs that hold an
// element, the overlap of two policies' top pairs, and Pearson correlation of two vectors. Plain
// functions over pair probabilities (36 x 36 = 1296, row = first element), no state.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aws {

// KL(p || uniform) = log n - H(p), in nats.
double kl_to_uniform(const std::vector<double>& p);

// Element e's marginal: (P(first = e) + P(second = e)) / 2, so the 36 marginals sum to 1.
std::vector<double> element_marginals(const std::vector<double>& p);

// Mass on the pairs that hold `element` in either position (uniform: 71/1296).
double element_pair_mass(const std::vector<double>& p, int element);
// The uniform policy's share of those pairs: (2E - 1) / E^2.
double uniform_element_pair_share();

// |top_k(p) ∩ top_k(q)| / k (ties broken by the lower index, as policy_top does).
double top_overlap(const std::vector<double>& p, const std::vector<double>& q, int k);

// Pearson correlation; 0 when it is undefined (fewer than 2 values, sizes differ, a constant vector).
double pearson(const std::vector<double>& x, const std::vector<double>& y);

// The figures of one policy, for logs and reports: entropy, kl_uniform, marginals, and, when
// `element` >= 0, the mass on its pairs and that mass over its uniform share.
nlohmann::json policy_figures(const std::vector<double>& p, int element = -1);

// How two policies agree: Pearson of element marginals and of log p, top-10 and top-50 overlap.
nlohmann::json policy_agreement(const std::vector<double>& p, const std::vector<double>& q);

}  // namespace aws
